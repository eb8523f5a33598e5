/**
 * Nothing lost when Belofte restarts, and a refused login says what to fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { Collector } from '@belofte/collector/collector';
import { startSimulator, type Simulator } from '@belofte/simulator';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { quietLog, startLivePath, testConfig, until, type LivePath, untilQueuesEqual } from '../support/stack.ts';
import { DROP_AT_SECONDS, SCENARIO } from './scenario.ts';

let path: LivePath | undefined;
afterEach(async () => {
  await path?.stop();
  path = undefined;
});

describe('a collector restarted mid-call', () => {
  it('picks up the calls in progress from Redis: nothing lost, nothing counted twice', async () => {
    path = await startLivePath({ name: 'restart', scenario: SCENARIO, speed: 50 });
    const start = path.sim.now();
    await until(() => (path!.sim.now() - start >= DROP_AT_SECONDS * 1000 ? true : undefined), 15_000, 'mid-scenario');
    const before = path.latest()!;
    expect(before.total.waiting).toBeGreaterThanOrEqual(1);
    await path.restartCollector();
    // The new process knows the waiting caller and the talk in progress before any event.
    expect(path.collector.pipeline.tracker.calls.size).toBeGreaterThanOrEqual(2);
    await path.sim.done;
    const final = await untilQueuesEqual(path, path.sim.truth().queues, { what: 'figures equal to what was played' });
    expect(final.total.unknown).toBe(0);
    expect(final.total.guaranteeBreaches).toBe(1);
  });
});

describe('a refused login', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
  });

  it('names the cause and the setting to fix, in the log and in the figures’ health', async () => {
    sim = await startSimulator({ port: 0, speed: 1, secret: 'right' });
    const prefix = testPrefix('badlogin');
    const config = testConfig(prefix, { AMI_HOST: '127.0.0.1', AMI_PORT: String(sim.port), AMI_SECRET: 'wrong' });
    const redis = connect();
    const lines: string[] = [];
    const log = quietLog.child({});
    const collector = new Collector(config, redis, Object.assign(log, { error: (_o: unknown, msg?: string) => lines.push(String(msg ?? _o)) }));
    await collector.start();
    const keys = new Keys(prefix, 'main');
    const error = await until(async () => {
      const h = await redis.hgetall(keys.health);
      return h.amiError?.includes('refused') ? h.amiError : undefined;
    }, 5_000, 'the refusal');
    expect(error).toMatch(/AMI_SECRET/);
    expect(error).toMatch(/manager\.conf/);
    expect(lines.join('\n')).toMatch(/refused login.*AMI_USERNAME and AMI_SECRET/);
    expect(collector.client.isConnected).toBe(false);
    await collector.stop();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });
});

export type { LiveSnapshot };
