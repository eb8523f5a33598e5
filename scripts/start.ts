/**
 * `npm start`: the whole product in one process — collector, API and wallboard — against
 * the phone switch at AMI_HOST, or, when none is configured, against the built-in AMI
 * simulator so a newcomer sees a live wallboard at once.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfigOrExit, redactUrl } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { listenOrExit, listenProblem, logRedisErrors } from '@belofte/shared/startup';
import { Collector } from '@belofte/collector/collector';
import { startMetricsServer } from '@belofte/collector/metrics';
import { startApi } from '@belofte/api/server';
import { startSimulator, type Simulator } from '@belofte/simulator';
import { playWeeks } from './week.ts';
import { writeWeb } from '../web/build.ts';
import { isLocal, redisAnswers, redisServerOnPath, startLocalRedis } from './redis.ts';

async function main(): Promise<void> {
  let config = loadConfigOrExit();
  const log = createLogger('belofte', config.LOG_LEVEL);

  let redisChild: ChildProcess | null = null;
  if (!config.REDIS_CLUSTER_NODES && !(await redisAnswers(config.REDIS_URL))) {
    // Only for the default address: a REDIS_URL someone typed is theirs, and a private empty
    // Redis in its place would hide the typo behind empty figures.
    const defaultUrl = !process.env.REDIS_URL;
    if (!defaultUrl) {
      console.error(`REDIS_URL=${redactUrl(config.REDIS_URL)}: no Redis answers there. Check the address and port (the default is redis://127.0.0.1:6379), start that Redis, or unset REDIS_URL to let npm start run a local one`);
      process.exit(1);
    }
    if (isLocal(config.REDIS_URL) && redisServerOnPath()) {
      redisChild = await startLocalRedis(config.REDIS_URL, '.belofte/redis');
      log.warn({ redis: redactUrl(config.REDIS_URL), dir: '.belofte/redis' }, 'nothing answered at REDIS_URL, so Belofte started a redis-server of its own (append-only, data in .belofte/redis)');
    } else {
      log.fatal(
        { redis: redactUrl(config.REDIS_URL) },
        'no Redis answers at REDIS_URL (default redis://127.0.0.1:6379). Install and start one (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis && redis-server`; or `docker compose up redis`), or set REDIS_URL to yours',
      );
      process.exit(1);
    }
  }

  let simulator: Simulator | null = null;
  let reportWeek: string | null = null;
  if (config.SIMULATOR_WEEK && config.AMI_HOST) {
    log.warn('SIMULATOR_WEEK is ignored: AMI_HOST is set, and simulated calls never go into a real switch\'s figures');
  } else if (config.SIMULATOR_WEEK) {
    reportWeek = await playWeeks(config, log);
  }
  if (!config.AMI_HOST) {
    const simOptions = { port: config.SIMULATOR_PORT, speed: config.SIMULATOR_SPEED, traffic: config.SIMULATOR_TRAFFIC, username: config.AMI_USERNAME, secret: config.AMI_SECRET };
    simulator = await listenOrExit(() => startSimulator(simOptions), 'SIMULATOR_PORT', config.SIMULATOR_PORT);
    config = { ...config, AMI_HOST: '127.0.0.1', AMI_PORT: simulator.port };
    log.warn({ port: simulator.port, speed: config.SIMULATOR_SPEED, traffic: config.SIMULATOR_TRAFFIC }, 'AMI_HOST is not set: playing demo traffic from the built-in AMI simulator (set AMI_HOST to watch a real Asterisk)');
  }

  const redis = createRedis(config);
  const apiRedis = createRedis(config);
  const subscriber = createRedis(config, { failFast: false });
  for (const r of [redis, apiRedis, subscriber]) logRedisErrors(r, log);
  await Promise.all([redis, apiRedis].map((r) => whenReady(r)));

  // The played week's report needs a manager token: without MANAGER_TOKENS, one for this run only.
  let demoToken: string | null = null;
  if (reportWeek && config.MANAGER_TOKENS.length === 0) {
    demoToken = randomBytes(24).toString('hex');
    config = { ...config, MANAGER_TOKENS: [{ name: 'demo', token: demoToken }] };
    log.warn('MANAGER_TOKENS is not set: the weekly report opens with a manager token made for this run only (printed below)');
  }

  const collector = new Collector(config, redis, log.child({ service: 'collector' }));
  await collector.start();
  // The collector's own metrics are a side show of `npm start`: a busy port is a warning, not a stop.
  const metrics = await startMetricsServer(collector, config.BELOFTE_SITE, config.COLLECTOR_METRICS_PORT, '127.0.0.1').catch((e: Error) => {
    log.warn(`${listenProblem(e, 'COLLECTOR_METRICS_PORT', config.COLLECTOR_METRICS_PORT) ?? e.message}; going on without the collector's /metrics`);
    return null;
  });
  // A fresh clone has no built pages: `npm start` builds them (about a second), so it stays one command.
  await writeWeb();
  const api = await listenOrExit(() => startApi({ config, redis: apiRedis, subscriber, log: log.child({ service: 'api' }) }), 'PORT', config.PORT);
  const url = `http://localhost:${api.port}/`;
  log.info({ url }, 'Belofte is running');
  console.log(`\n  Belofte wallboard: ${url}\n`);
  if (reportWeek) console.log(`  Weekly report of ${reportWeek}: ${url}reports?week=${reportWeek}&token=${demoToken ?? '<one of your MANAGER_TOKENS>'}\n`);

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
