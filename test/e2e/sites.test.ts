/**
 * Several phone switches in one view: two collectors (two sites) under one prefix and one API
 * that shows both — found from the sites the collectors registered, or as BELOFTE_SITES says —
 * per site, per queue, and in total (the service level recomputed from the summed counts).
 * Reports and the breach register take ?site=.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceLevel, type LiveSnapshot } from '@belofte/shared/figures';
import { formatIsoWeek, isoWeekOfInstant } from '@belofte/shared/time';
import type { Scenario } from '@belofte/simulator';
import { testPrefix } from '../support/redis.ts';
import { apiFor, asTruth, startLivePath, testConfig, until, untilQueuesEqual, type LivePath, type RunningApi } from '../support/stack.ts';
import { SCENARIO } from './scenario.ts';

const MANAGER = 'manager-token-sites-00001';
const prefix = testPrefix('sites');
// The second switch: a smaller day, one caller kept waiting past the guarantee.
const SMALL: Scenario = {
  startOnLogin: true,
  calls: [
    { at: 0, queue: 'support', ring: 2, talk: 10 },
    { at: 5, queue: 'support', ringByAgent: { agent1: 99 }, ring: 4, talk: 10 },
    { at: 8, queue: 'vergunningen', ring: 99, patience: 320 },
  ],
};
const paths: LivePath[] = [];
let discovering: RunningApi;
let listed: RunningApi;

const live = async (api: RunningApi, query = '') => (await (await fetch(`${api.url}/api/live${query}`)).json()) as LiveSnapshot;
const manager = async (api: RunningApi, path: string) => {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${MANAGER}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  paths.push(await startLivePath({ name: 'sites', prefix, scenario: SCENARIO, speed: 50, env: { BELOFTE_SITE: 'den-haag', BELOFTE_SITES: 'den-haag', MANAGER_TOKENS: MANAGER } }));
  paths.push(await startLivePath({ name: 'sites', prefix, scenario: SMALL, speed: 50, env: { BELOFTE_SITE: 'delft', BELOFTE_SITES: 'delft', MANAGER_TOKENS: MANAGER } }));
  for (const p of paths) {
    await p.sim.done;
    await untilQueuesEqual(p, p.sim.truth().queues, { timeoutMs: 20_000 });
  }
  discovering = await apiFor(testConfig(prefix, { BELOFTE_SITE: 'den-haag', MANAGER_TOKENS: MANAGER }), 200);
  listed = await apiFor(testConfig(prefix, { BELOFTE_SITE: 'den-haag', BELOFTE_SITES: 'delft', MANAGER_TOKENS: MANAGER }), 200);
}, 90_000);

afterAll(async () => {
  await discovering?.stop();
  await listed?.stop();
  for (const p of [...paths].reverse()) await p.stop().catch(() => undefined);
});

describe('two sites through one API', () => {
  it('shows per site and per queue what each switch played, and the total from the summed counts', async () => {
    const s = await live(discovering, '?window=24h');
    expect(Object.keys(s.sites!)).toEqual(['den-haag', 'delft']);
    const [haag, delft] = paths.map((p) => p.sim.truth().queues);
    for (const [site, truth] of [['den-haag', haag!], ['delft', delft!]] as const) {
      for (const [queue, t] of Object.entries(truth)) {
        const f = s.queues[`${site}/${queue}`]!;
        expect(asTruth(f), `${site}/${queue}`).toEqual(t);
        expect(f).toMatchObject({ site, queue });
      }
      // A site's total is its own.
      expect(s.sites![site]!.total.offered).toBe(Object.values(truth).reduce((n, q) => n + q.offered, 0));
      expect(s.sites![site]!.health.collectorConnected).toBe(true);
    }
    const sum = (k: 'offered' | 'answered' | 'answeredWithinTarget' | 'guaranteeBreaches') => s.sites!['den-haag']!.total[k] + s.sites!.delft!.total[k];
    expect(s.total.offered).toBe(sum('offered'));
    expect(s.total.answeredWithinTarget).toBe(sum('answeredWithinTarget'));
    expect(s.total.guaranteeBreaches).toBe(sum('guaranteeBreaches'));
    // Recomputed from the sums, not the mean of the two sites' service levels.
    expect(s.total.serviceLevel).toBe(serviceLevel(s.total));
    const mean = (s.sites!['den-haag']!.total.serviceLevel! + s.sites!.delft!.total.serviceLevel!) / 2;
    expect(s.total.serviceLevel).not.toBeCloseTo(mean, 3);
    // Agents of both switches, by site.
    expect(Object.keys(s.agents).filter((k) => k.startsWith('delft/')).length).toBe(5);
    expect(s.agents['delft/agent1']).toMatchObject({ name: 'agent1', site: 'delft' });
    expect(s.health.collectorConnected).toBe(true);
  });

  it('draws the day of both sites together, or of one site\'s queue', async () => {
    const get = async (q: string) => (await (await fetch(`${discovering.url}/api/history?step=60${q}`)).json()) as { points: Array<{ offered: number }> };
    const today = await live(discovering);
    expect((await get('')).points.at(-1)!.offered).toBe(today.total.offered);
    expect((await get('&queue=delft/support')).points.at(-1)!.offered).toBe(today.queues['delft/support']!.offered);
  });

  it('shows the sites BELOFTE_SITES lists, and only those', async () => {
    const s = await live(listed, '?window=24h');
    expect(Object.keys(s.sites!)).toEqual(['delft']);
    // One site: the queues under their own names, as a single-site board has them.
    expect(Object.keys(s.queues).sort()).toEqual(Object.keys(paths[1]!.sim.truth().queues).sort());
    expect(s.total.offered).toBe(3);
  });

  it('pushes both sites over one WebSocket and follows each site\'s changes', async () => {
    const WebSocket = (await import('ws')).default;
    const ws = new WebSocket(`ws://127.0.0.1:${discovering.port}/ws?window=24h`);
    const frames: LiveSnapshot[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as LiveSnapshot));
    const first = await until(() => frames.find((f) => f.sites), 10_000, 'a frame');
    expect(Object.keys(first.sites!)).toEqual(['den-haag', 'delft']);
    ws.close();
  });

  it('filters the weekly report, the abandoned calls and the breach register by site', async () => {
    const week = formatIsoWeek(isoWeekOfInstant(paths[1]!.sim.now(), 'Europe/Amsterdam'));
    const weekly = await until(async () => {
      const r = await manager(discovering, `/api/stats/weekly?week=${week}&site=delft`);
      return (r.body.total as { week: { offered: number } } | undefined)?.week.offered === 3 ? r : undefined;
    }, 20_000, "delft's week");
    expect(weekly.status).toBe(200);
    const own = await manager(discovering, `/api/stats/weekly?week=${week}`);
    expect((own.body.total as { week: { offered: number } }).week.offered).toBe(paths[0]!.sim.truth().calls.reduce((n, c) => n + c.queues.length, 0));
    const breaches = await until(async () => {
      const r = await manager(discovering, `/api/breaches?week=${week}&site=delft`);
      return (r.body.count as number) === 1 ? r : undefined;
    }, 20_000, "delft's breach");
    const breach = (breaches.body.breaches as Array<{ id: string; queues: string[] }>)[0]!;
    expect(breach.queues).toEqual(['vergunningen']);
    // One breach of that site, and its follow-up, by ?site= too; without it, the API's own site has no such breach.
    expect((await manager(discovering, `/api/breaches/${encodeURIComponent(breach.id)}?site=delft`)).status).toBe(200);
    expect((await manager(discovering, `/api/breaches/${encodeURIComponent(breach.id)}`)).status).toBe(404);
    const patched = await fetch(`${discovering.url}/api/breaches/${encodeURIComponent(breach.id)}?site=delft`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${MANAGER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'teruggebeld', closed: true }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { followUp: { note: string } }).followUp.note).toBe('teruggebeld');
    const abandoned = await manager(discovering, `/api/stats/abandoned?week=${week}&site=delft`);
    expect(abandoned.status).toBe(200);
    // An unknown site is a 400 that names the sites there are.
    const bad = await manager(discovering, `/api/stats/weekly?week=${week}&site=utrecht`);
    expect(bad.status).toBe(400);
    expect(String(bad.body.message)).toMatch(/unknown site "utrecht".*"den-haag", "delft"/);
    const notListed = await manager(listed, `/api/breaches?week=${week}&site=den-haag`);
    expect(notListed.status).toBe(400);
  });
});
