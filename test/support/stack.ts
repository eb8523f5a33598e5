/** Starting real pieces for integration tests: API processes and collectors on loopback. */
import { pino } from 'pino';
import { loadConfig, type Config } from '@belofte/shared/config';
import { startApi, type ApiServer } from '../../services/api/src/server.ts';
import { connect, redisUrl } from './redis.ts';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testConfig(prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', BELOFTE_SITE: 'main', ...extra });
}

export interface RunningApi extends ApiServer {
  url: string;
  stop(): Promise<void>;
}

export async function apiFor(config: Config, heartbeatMs = 5_000): Promise<RunningApi> {
  const redis = connect();
  const subscriber = connect();
  const api = await startApi({ config, redis, subscriber, log: quietLog, heartbeatMs });
  return {
    ...api,
    url: `http://127.0.0.1:${api.port}`,
    async stop() {
      await api.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Waits until `check` returns a value (not undefined) or the time is up. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
