/**
 * A week in a minute, end to end and all real: the simulator plays the whole of 2026-W47 over
 * AMI (TCP, firehose and all) into the collector, the collector writes its call records into
 * Redis, and GET /api/stats/weekly for that week says exactly what the simulator played: per
 * queue the entries offered, answered, answered within 20 s, abandoned and timed out, the calls
 * booked on it, their guarantee breaches and the calls over the transfer limit; per day the
 * calls. Event times are the simulated week's, so the records land in that week.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate } from '@belofte/shared/time';
import { Collector } from '@belofte/collector/collector';
import { startSimulator, type Simulator, type TruthCall, type TruthQueue } from '@belofte/simulator';
import { cleanPrefix, testPrefix } from '../support/redis.ts';
import { apiFor, connectFor, quietLog, testConfig, until, type RunningApi } from '../support/stack.ts';

const WEEK = '2026-W47';
const TZ = 'Europe/Amsterdam';
const MANAGER = 'manager-token-week-in-a-minute';
const prefix = testPrefix('week');

let sim: Simulator;
let collector: Collector;
let api: RunningApi;
let redis: ReturnType<typeof connectFor>;
let playedMs = 0;

beforeAll(async () => {
  // As fast as two cores go: the simulator holds back whenever the collector falls behind.
  sim = await startSimulator({ port: 0, week: WEEK, speed: 100_000, seed: 7, secret: 'sesame' });
  const config = testConfig(prefix, {
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(sim.port),
    AMI_SECRET: 'sesame',
    MANAGER_TOKENS: MANAGER,
    BELOFTE_TIMEZONE: TZ,
    // The simulator plays a past week on its own clock, on purpose.
    AMI_MAX_CLOCK_SKEW_SECONDS: '0',
  });
  redis = connectFor(config);
  collector = new Collector(config, redis, quietLog);
  const t0 = performance.now();
  await collector.start();
  await sim.done;
  // The answer to a Ping comes behind every event on the socket: once it is in, so is the week.
  await collector.client.action({ Action: 'Ping' }, 10_000);
  await collector.pipeline.writer.flush();
  playedMs = performance.now() - t0;
  api = await apiFor(config);
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await collector?.stop();
  await sim?.close();
  if (redis) {
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  }
});

async function weekly(): Promise<Record<string, any>> {
  const res = await fetch(`${api.url}/api/stats/weekly?week=${WEEK}`, { headers: { authorization: `Bearer ${MANAGER}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

const breach = (c: TruthCall) => (c.waitSeconds ?? 0) > 300;

describe(`a simulated week (${WEEK}) through the collector into the weekly report`, () => {
  it('plays the week well within a minute, with nothing dropped', () => {
    expect(playedMs).toBeLessThan(40_000);
    expect(collector.client.reconnects).toBe(0);
    expect(collector.pipeline.counters.malformed).toBe(0);
    expect(collector.pipeline.writer.stats.dropped).toBe(0);
    // eslint-disable-next-line no-console
    console.log(`week ${WEEK}: ${sim.truth().calls.length} calls, ${sim.counters().eventsSent} AMI events in ${(playedMs / 1000).toFixed(1)} s`);
  });

  it('reports per queue exactly what the simulator played', async () => {
    const truth = sim.truth();
    const stats = await until(
      async () => {
        const s = await weekly();
        return s.total.week.calls === truth.calls.length ? s : undefined;
      },
      10_000,
      'every call of the week in the report',
    );
    const asTruth = (f: Record<string, number>): TruthQueue => ({
      offered: f.offered!,
      answered: f.answered!,
      abandoned: f.abandoned! + f.shortAbandoned!,
      answeredWithin20: f.answeredWithinTarget!,
      timedOut: f.timedOut!,
      movedOut: f.movedOut!,
      guaranteeBreaches: f.guaranteeBreaches!,
      overTransferLimit: f.overTransferLimit!,
    });
    const got = Object.fromEntries(Object.entries(stats.queues as Record<string, any>).map(([q, s]) => [q, asTruth(s.week)]));
    expect(got).toEqual(truth.queues);

    for (const [queue, s] of Object.entries(stats.queues as Record<string, any>)) {
      const booked = truth.calls.filter((c) => c.queues[0] === queue);
      expect(s.week.unknown, queue).toBe(0);
      expect(s.week.calls, queue).toBe(booked.length);
      expect(s.week.guaranteeBreaches, queue).toBe(booked.filter(breach).length);
      expect(s.week.overTransferLimit, queue).toBe(booked.filter((c) => c.transfers > 2).length);
    }
    // The comparison is not vacuous: the week holds every kind of call.
    const total = stats.total.week;
    expect(total.calls).toBeGreaterThan(2000);
    expect(total.guaranteeBreaches).toBeGreaterThanOrEqual(10);
    expect(total.overTransferLimit).toBeGreaterThanOrEqual(1);
    expect(total.abandoned).toBeGreaterThan(50);
    expect(Object.keys(stats.queues).sort()).toEqual(['support', 'vergunningen']);
    expect(stats.agents.map((a: { agent: string }) => a.agent).sort()).toEqual(['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'agent9']);
  });

  it('books every call on the day it rang: Monday to Friday, the bad Tuesday with the breaches, nothing at the weekend', async () => {
    const truth = sim.truth();
    const stats = await weekly();
    const days = stats.total.days as Array<{ date: string; calls: number; guaranteeBreaches: number }>;
    const want = (date: string, f: (c: TruthCall) => boolean = () => true) =>
      truth.calls.filter((c) => localDate(Date.parse(c.joinedAt!), TZ) === date && f(c)).length;
    expect(days.map((d) => d.date)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    for (const d of days) {
      expect(d.calls, d.date).toBe(want(d.date));
      expect(d.guaranteeBreaches, d.date).toBe(want(d.date, breach));
    }
    expect(days[5]!.calls + days[6]!.calls).toBe(0);
    const tuesday = days[1]!.guaranteeBreaches;
    expect(tuesday).toBeGreaterThan(days.reduce((n, d) => n + d.guaranteeBreaches, 0) - tuesday);
  });
});
