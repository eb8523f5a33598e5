/**
 * The redisDown rule against a redis-server of the test's own: when Redis stops answering, the
 * process that was evaluating fires the alert from memory and posts it to the webhook (there
 * is no Redis to queue it in); when Redis is back it clears, posts that, and stores the alert.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownRedis, testPrefix, type OwnRedis } from '../support/redis.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { apiFor, testConfig, until, type RunningApi } from '../support/stack.ts';

let server: OwnRedis;
let receiver: Receiver;
let api: RunningApi;

beforeAll(async () => {
  server = await ownRedis(mkdtempSync(path.join(tmpdir(), 'belofte-alert-redis-')));
  receiver = await startReceiver();
  const config = testConfig(testPrefix('alert-redis-down'), { REDIS_URL: server.url, ALERT_RULES: 'redisDown for=300ms clearFor=0s', ALERT_WEBHOOK_URL: receiver.url });
  api = await apiFor(config, 5_000, undefined, { evaluateMs: 50, leaseMs: 5_000, deliverMs: 20, retryBaseMs: 50, retryMaxMs: 200 });
}, 30_000);

afterAll(async () => {
  await api?.stop();
  await receiver?.close();
  await server?.kill();
});

describe('redisDown', () => {
  it('fires from memory while Redis is away, clears when it is back, and is stored then', async () => {
    await until(() => (api.alerts.leader ? true : undefined), 10_000, 'the lease');
    await server.kill();
    await until(() => (receiver.accepted().length === 1 ? true : undefined), 15_000, 'the fired post while Redis is down');
    const fired = receiver.accepted()[0]!.body;
    expect(fired).toMatchObject({ event: 'fired', alert: { rule: 'redisDown', queue: null, figure: 'redisAvailable', clearedAt: null } });
    expect(fired.text).toMatch(/^ALARM: Redis onbereikbaar/);
    await server.start();
    await until(() => (receiver.accepted().length === 2 ? true : undefined), 15_000, 'the cleared post once Redis is back');
    expect(receiver.accepted()[1]!.body).toMatchObject({ event: 'cleared', deliveryId: `${fired.alert.id}:cleared`, alert: { id: fired.alert.id } });
    const stored = await until(async () => {
      const res = await fetch(`${api.url}/api/alerts`);
      if (res.status !== 200) return undefined;
      const body = await res.json();
      return body.alerts.length ? body : undefined;
    }, 10_000, 'the stored alert');
    expect(stored.alerts.map((a: any) => [a.id, a.rule, a.clearedAt !== null])).toEqual([[fired.alert.id, 'redisDown', true]]);
    expect(receiver.requests).toHaveLength(2);
  });
});
