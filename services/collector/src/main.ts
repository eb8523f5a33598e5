/** `tsx services/collector/src/main.ts`: the collector as a process of its own. */
import { loadConfigOrExit, redactUrl } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { Collector } from './collector.ts';
import { startMetricsServer } from './metrics.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('belofte-collector', config.LOG_LEVEL);
  const redis = createRedis(config);
  redis.on('error', (e) => log.warn({ err: e.message, redis: redactUrl(config.REDIS_URL) }, 'Redis connection error'));
  try {
    await whenReady(redis);
  } catch (e) {
    log.fatal({ redis: config.REDIS_CLUSTER_NODES ?? redactUrl(config.REDIS_URL), err: (e as Error).message }, 'cannot reach Redis: start one (e.g. `redis-server`) or set REDIS_URL');
    process.exit(1);
  }
  const collector = new Collector(config, redis, log);
  await collector.start();
  const metrics = await startMetricsServer(collector, config.BELOFTE_SITE, config.COLLECTOR_METRICS_PORT, config.HOST);
  log.info({ port: metrics.port }, 'collector metrics at /metrics, health at /healthz and /readyz');
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down: flushing to Redis');
    metrics.close();
    await collector.stop();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

void main();
