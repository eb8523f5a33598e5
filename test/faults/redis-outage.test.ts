/**
 * Redis killed mid-stream and restarted: the collector holds what it took in (a bounded
 * buffer, visible as a metric), writes it when Redis is back, and loses no call. Meanwhile
 * the API says it is not ready and the wallboard gets "unavailable" rather than wrong figures.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderMetrics } from '@belofte/collector/metrics';
import { ownRedis, type OwnRedis } from '../support/redis.ts';
import { startLivePath, until, type LivePath, untilQueuesEqual } from '../support/stack.ts';
import { SCENARIO } from '../e2e/scenario.ts';

let redis: OwnRedis | undefined;
let live: LivePath | undefined;
afterAll(async () => {
  await live?.stop().catch(() => undefined);
  await redis?.kill();
});

describe('Redis outage', () => {
  it('loses no call across a killed and restarted Redis', async () => {
    redis = await ownRedis(mkdtempSync(path.join(tmpdir(), 'belofte-redis-')));
    live = await startLivePath({ name: 'outage', scenario: SCENARIO, speed: 20, env: { REDIS_URL: redis.url } });
    const start = live.sim.now();
    await until(() => (live!.sim.now() - start >= 30_000 ? true : undefined), 10_000, 'calls under way');
    await redis.kill();
    // While Redis is away: events keep arriving and are held.
    const held = await until(() => (live!.collector.pipeline.writer.buffered > 0 ? live!.collector.pipeline.writer.buffered : undefined), 10_000, 'events held in the buffer');
    expect(held).toBeGreaterThan(0);
    expect(renderMetrics(live.collector, 'main')).toMatch(/belofte_buffer_events\{site="main"\} [1-9]/);
    const ready = await fetch(`${live.api.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/Redis/);
    await until(() => (live!.errors.some((e) => e.error === 'unavailable') ? true : undefined), 10_000, 'an "unavailable" frame');
    // The same over HTTP: a 503 that says why, not a 500.
    const down = await fetch(`${live.api.url}/api/live`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { error: string; message: string };
    expect(body.error).toBe('unavailable');
    expect(body.message).toMatch(/^figures unavailable: Redis does not answer/);
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.start();
    await live.sim.done;
    await untilQueuesEqual(live, live.sim.truth().queues, { timeoutMs: 20_000, what: 'the figures of an uninterrupted run' });
    expect(live.collector.pipeline.writer.buffered).toBe(0);
    expect(live.collector.pipeline.writer.stats.dropped).toBe(0);
    expect(live.collector.pipeline.writer.stats.errors).toBeGreaterThan(0);
    expect((await fetch(`${live.api.url}/readyz`)).status).toBe(200);
  }, 90_000);
});
