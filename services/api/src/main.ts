/** `tsx services/api/src/main.ts`: the API as a process of its own. */
import { loadConfigOrExit, redactUrl } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis } from '@belofte/shared/redis';
import { listenOrExit, logRedisErrors } from '@belofte/shared/startup';
import { WebNotBuilt } from './routes/web.ts';
import { startApi } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('belofte-api', config.LOG_LEVEL);
  const redis = createRedis(config);
  const subscriber = createRedis(config, { failFast: false });
  for (const r of [redis, subscriber]) logRedisErrors(r, log, { redis: redactUrl(config.REDIS_URL) });
  const api = await listenOrExit(() => startApi({ config, redis, subscriber, log }), 'PORT', config.PORT).catch((e: unknown) => {
    if (!(e instanceof WebNotBuilt)) throw e;
    console.error(e.message);
    process.exit(2);
  });
  log.info({ url: `http://localhost:${api.port}/` }, 'wallboard ready');
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await api.close();
    redis.disconnect();
    subscriber.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

void main();
