/** `tsx services/collector/src/main.ts`: the collector as a process of its own. */
import { loadConfigOrExit, redactUrl } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { listenOrExit, logRedisErrors } from '@belofte/shared/startup';
import { Collector } from './collector.ts';
import { startMetricsServer } from './metrics.ts';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger('belofte-collector', config.LOG_LEVEL);
  if (!config.AMI_HOST) {
    // A collector without a switch has nothing to do; `npm start` is the way to try Belofte without one.
    console.error('AMI_HOST is not set: point it at your Asterisk (AMI_HOST=pbx.example.org; see the README\'s manager.conf), or run `npm start`, which plays the built-in simulator');
    process.exit(2);
  }
  const redis = createRedis(config);
  logRedisErrors(redis, log, { redis: redactUrl(config.REDIS_URL) });
  try {
    await whenReady(redis);
  } catch (e) {
    log.fatal({ redis: config.REDIS_CLUSTER_NODES ?? redactUrl(config.REDIS_URL), err: (e as Error).message }, 'cannot reach Redis: start one (e.g. `redis-server`) or set REDIS_URL');
    process.exit(1);
  }
  const collector = new Collector(config, redis, log);
  let metrics: Awaited<ReturnType<typeof startMetricsServer>> | null = null;
  // Before the switch connects: a SIGTERM that comes while the metrics port opens still flushes.
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down: flushing to Redis');
    metrics?.close();
    await collector.stop();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await collector.start();
  metrics = await listenOrExit(() => startMetricsServer(collector, config.BELOFTE_SITE, config.COLLECTOR_METRICS_PORT, config.HOST), 'COLLECTOR_METRICS_PORT', config.COLLECTOR_METRICS_PORT);
  log.info({ port: metrics.port }, 'collector metrics at /metrics, health at /healthz and /readyz');
}

void main();
