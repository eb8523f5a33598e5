/**
 * The API starts while Redis does not answer (it is started before Redis, or Redis is down):
 * it listens, says it is alive but not ready, and answers figures with 503 until Redis is back.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedis } from '@belofte/shared/redis';
import { startApi, type ApiServer } from '@belofte/api/server';
import { quietLog, testConfig } from '../support/stack.ts';
import { testPrefix } from '../support/redis.ts';

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('the API without Redis', () => {
  let api: ApiServer | undefined;
  const clients: ReturnType<typeof createRedis>[] = [];
  afterAll(async () => {
    await api?.close();
    for (const c of clients) c.disconnect();
  });

  it('starts, is alive but not ready, and answers the figures with 503', async () => {
    const config = testConfig(testPrefix('noredis'), { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    // As the API's main makes them: a fail-fast client for reads and a patient subscriber.
    const redis = createRedis(config);
    const subscriber = createRedis(config, { failFast: false });
    for (const c of [redis, subscriber]) {
      c.on('error', () => undefined);
      clients.push(c);
    }
    api = await startApi({ config, redis, subscriber, log: quietLog });
    const base = `http://127.0.0.1:${api.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    const live = await fetch(`${base}/api/live`);
    expect(live.status).toBe(503);
    expect(((await live.json()) as { error: string }).error).toBe('unavailable');
  });
});
