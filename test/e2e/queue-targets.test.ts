/**
 * Per-queue targets on the live path: the collector counts each queue against its own answer
 * target, guarantee and transfer limit (BELOFTE_QUEUES), the live figures carry the queues in
 * board order with their names and targets, and the weekly statistics count the same way and
 * say which target applied.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { isoWeekOfInstant, formatIsoWeek } from '@belofte/shared/time';
import type { Scenario } from '@belofte/simulator';
import type { WeeklyStats } from '@belofte/api/schemas/stats';
import { startLivePath, until, type LivePath } from '../support/stack.ts';

const MANAGER = 'manager-token-targets-0001';
const QUEUES = [
  { queue: 'vergunningen', name: 'Vergunningen en ontheffingen', targetSeconds: 5, serviceLevelTarget: 0.9 },
  { queue: 'support', name: 'Klantcontact', targetSeconds: 10, guaranteeSeconds: 40, maxTransfers: 0 },
];
const SCENARIO: Scenario = {
  startOnLogin: true,
  calls: [
    // support, 10 s target: answered after ~2 s (in time) and after ~12 s (late; in time at the default 20).
    { at: 0, queue: 'support', ring: 2, talk: 5 },
    { at: 30, queue: 'support', ring: 12, talk: 5 },
    // support, 40 s guarantee: rings out and gives up after 50 s (no breach at the default 300 s).
    { at: 60, queue: 'support', ring: 99, patience: 50 },
    // support, no transfers allowed: one transfer puts it over the limit (not at the default 2).
    { at: 130, queue: 'support', ring: 2, talk: 6, transfers: [{ kind: 'blind', to: 'vergunningen', after: 3 }] },
    // vergunningen, 5 s target: answered after ~8 s (late; in time at the default 20).
    { at: 170, queue: 'vergunningen', ring: 8, talk: 5 },
  ],
};

let path: LivePath;
let live: LiveSnapshot;

beforeAll(async () => {
  path = await startLivePath({ name: 'targets', scenario: SCENARIO, speed: 40, env: { BELOFTE_QUEUES: JSON.stringify(QUEUES), MANAGER_TOKENS: MANAGER } });
  await path.sim.done;
  live = await until(async () => {
    const s = (await (await fetch(`${path.api.url}/api/live?window=24h`)).json()) as LiveSnapshot;
    const ended = Object.values(s.queues).reduce((n, q) => n + q.answered + q.abandoned, 0);
    return ended === 6 && s.total.waiting === 0 ? s : undefined;
  }, 20_000, 'every queue entry to have ended');
}, 60_000);

afterAll(async () => {
  await path?.stop();
});

describe('per-queue targets', () => {
  it('counts each queue against its own answer target, guarantee and transfer limit', () => {
    const support = live.queues.support!;
    const vergunningen = live.queues.vergunningen!;
    expect(support).toMatchObject({ offered: 4, answered: 3, abandoned: 1, answeredWithinTarget: 2, guaranteeBreaches: 1, overTransferLimit: 1 });
    expect(vergunningen).toMatchObject({ offered: 2, answered: 2, answeredWithinTarget: 1 });
    // The total sums the counts (each made against its own queue's target).
    expect(live.total).toMatchObject({ answeredWithinTarget: 3, answered: 5, abandoned: 1, serviceLevel: 3 / 6 });
    // The variables' defaults are still what the board as a whole shows.
    expect(live.thresholds).toMatchObject({ targetSeconds: 20, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 2 });
  });

  it('sends the queues in board order, with their names and the targets that applied', () => {
    expect(Object.keys(live.queues)).toEqual(['vergunningen', 'support']);
    expect(live.queues.vergunningen).toMatchObject({ displayName: 'Vergunningen en ontheffingen', targets: { targetSeconds: 5, serviceLevelTarget: 0.9, guaranteeSeconds: 300, maxTransfers: 2 } });
    expect(live.queues.support).toMatchObject({ displayName: 'Klantcontact', targets: { targetSeconds: 10, serviceLevelTarget: 0.8, guaranteeSeconds: 40, maxTransfers: 0 } });
    // Staffing aims at each queue's own target.
    expect(live.queues.vergunningen!.staffing).toMatchObject({ targetSeconds: 5, serviceLevelTarget: 0.9 });
  });

  it('counts the weekly statistics the same way, and says which target applied', async () => {
    const week = formatIsoWeek(isoWeekOfInstant(path.sim.now(), 'Europe/Amsterdam'));
    const stats = await until(async () => {
      const res = await fetch(`${path.api.url}/api/stats/weekly?week=${week}`, { headers: { authorization: `Bearer ${MANAGER}` } });
      const s = (await res.json()) as WeeklyStats;
      return s.total?.week.offered === 6 ? s : undefined;
    }, 20_000, 'the week to hold every call');
    expect(Object.keys(stats.queues)).toEqual(['vergunningen', 'support']);
    expect(stats.queues.support!.week).toMatchObject({ answered: 3, answeredWithinTarget: 2 });
    expect(stats.queues.vergunningen!.week).toMatchObject({ answered: 2, answeredWithinTarget: 1 });
    expect(stats.queueProfiles.support).toEqual({ displayName: 'Klantcontact', targets: { targetSeconds: 10, serviceLevelTarget: 0.8, guaranteeSeconds: 40, maxTransfers: 0 } });
    expect(stats.queueProfiles.vergunningen!.targets.targetSeconds).toBe(5);
    expect(stats.total.week.guaranteeBreaches).toBe(1);
  });
});
