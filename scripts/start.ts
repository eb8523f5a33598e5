/**
 * `npm start`: the whole product in one process — collector, API and wallboard — against
 * the phone switch at AMI_HOST, or, when none is configured, against the built-in AMI
 * simulator so a newcomer sees a live wallboard at once.
 */
import type { ChildProcess } from 'node:child_process';
import { loadConfigOrExit, redactUrl } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { Collector } from '../services/collector/src/collector.ts';
import { startMetricsServer } from '../services/collector/src/metrics.ts';
import { startApi } from '../services/api/src/server.ts';
import { startSimulator, type Simulator } from '../services/simulator/src/index.ts';
import { isLocal, redisAnswers, redisServerOnPath, startLocalRedis } from './redis.ts';

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const log = createLogger('belofte', config.LOG_LEVEL);

  let redisChild: ChildProcess | null = null;
  if (!config.REDIS_CLUSTER_NODES && !(await redisAnswers(config.REDIS_URL))) {
    if (isLocal(config.REDIS_URL) && redisServerOnPath()) {
      redisChild = await startLocalRedis(config.REDIS_URL, '.belofte/redis');
      log.warn({ redis: redactUrl(config.REDIS_URL), dir: '.belofte/redis' }, 'nothing answered at REDIS_URL, so Belofte started a redis-server of its own (append-only, data in .belofte/redis)');
    } else {
      log.fatal(
        { redis: redactUrl(config.REDIS_URL) },
        'no Redis answers at REDIS_URL. Install and start one (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis && redis-server`; or `docker compose up redis`), or set REDIS_URL to yours',
      );
      process.exit(1);
    }
  }

  let simulator: Simulator | null = null;
  if (!config.AMI_HOST) {
    simulator = await startSimulator({ port: config.SIMULATOR_PORT, speed: config.SIMULATOR_SPEED, username: config.AMI_USERNAME, secret: config.AMI_SECRET });
    config = { ...config, AMI_HOST: '127.0.0.1', AMI_PORT: simulator.port };
    log.warn({ port: simulator.port, speed: config.SIMULATOR_SPEED }, 'AMI_HOST is not set: playing demo traffic from the built-in AMI simulator (set AMI_HOST to watch a real Asterisk)');
  }

  const redis = createRedis(config);
  const apiRedis = createRedis(config);
  const subscriber = createRedis(config, { failFast: false });
  for (const r of [redis, apiRedis, subscriber]) r.on('error', (e) => log.warn({ err: e.message }, 'Redis connection error'));
  await Promise.all([redis, apiRedis].map((r) => whenReady(r)));

  const collector = new Collector(config, redis, log.child({ service: 'collector' }));
  await collector.start();
  const metrics = await startMetricsServer(collector, config.BELOFTE_SITE, config.COLLECTOR_METRICS_PORT, '127.0.0.1').catch((e: Error) => {
    log.warn({ err: e.message, port: config.COLLECTOR_METRICS_PORT }, 'collector metrics port unavailable; set COLLECTOR_METRICS_PORT (0 = any free port)');
    return null;
  });
  const api = await startApi({ config, redis: apiRedis, subscriber, log: log.child({ service: 'api' }) });
  const url = `http://localhost:${api.port}/`;
  log.info({ url }, 'Belofte is running');
  console.log(`\n  Belofte wallboard: ${url}\n`);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await api.close();
    metrics?.close();
    await collector.stop();
    await simulator?.close();
    for (const r of [redis, apiRedis, subscriber]) r.disconnect();
    redisChild?.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

void main();
