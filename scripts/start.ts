/**
 * `npm start`: the whole product in one process — collector, API and wallboard — against
 * the phone switch at AMI_HOST, or, when none is configured, against the built-in AMI
 * simulator so a newcomer sees a live wallboard at once.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { loadConfigOrExit, redactUrl, type Config } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { localDate } from '@belofte/shared/time';
import { Collector } from '@belofte/collector/collector';
import { startMetricsServer } from '@belofte/collector/metrics';
import { startApi } from '@belofte/api/server';
import { startSimulator, WEEK_PROFILE, WEEK_SPEED, type Simulator } from '@belofte/simulator';
import { isLocal, redisAnswers, redisServerOnPath, startLocalRedis } from './redis.ts';

/**
 * SIMULATOR_WEEK: before the live demo, a whole week of traffic from a simulator of its own
 * (a free loopback port) through a collector of its own into Redis, with the week's own
 * timestamps, so the weekly report of that week is filled. Returns the week, or null when it
 * could not be played (the live demo starts all the same).
 */
async function playWeek(config: Config, log: Logger): Promise<string | null> {
  const sim = await startSimulator({
    port: 0,
    week: { week: config.SIMULATOR_WEEK!, profile: { ...WEEK_PROFILE, timeZone: config.BELOFTE_TIMEZONE } },
    username: config.AMI_USERNAME,
    secret: config.AMI_SECRET,
  });
  const week = sim.week!.week;
  log.warn({ week, speed: WEEK_SPEED }, `SIMULATOR_WEEK: playing week ${week} into Redis first (about a minute), then the live demo`);
  const redis = createRedis(config);
  redis.on('error', (e) => log.warn({ err: e.message }, 'Redis connection error'));
  // The week's collector comes and goes: its connect and stop notices would only confuse.
  const collector = new Collector({ ...config, AMI_HOST: '127.0.0.1', AMI_PORT: sim.port, AMI_MAX_CLOCK_SKEW_SECONDS: 0 }, redis, log.child({ service: 'collector', week }, { level: 'error' }));
  try {
    await whenReady(redis);
    await collector.start();
    let day = '';
    const progress = setInterval(() => {
      const today = localDate(sim.now(), config.BELOFTE_TIMEZONE);
      if (today !== day) log.info({ week, day: (day = today), callsSoFar: sim.truth().calls.length }, 'playing the week');
    }, 1_000);
    try {
      // The week waits at its Monday 00:00 for the collector's login: a refused one would wait forever.
      for (let waited = 0; sim.counters().playedWallMs === 0; waited += 50) {
        if (waited >= 15_000) throw new Error('the collector did not log in to the week\'s simulator within 15 s');
        await new Promise((r) => setTimeout(r, 50));
      }
      await sim.done;
    } finally {
      clearInterval(progress);
    }
    // The answer to a Ping comes behind every event on the socket: once it is in, so is the week.
    await collector.client.action({ Action: 'Ping' }, 30_000);
    await collector.pipeline.writer.flush();
    const { calls } = sim.truth();
    log.info(
      { week, calls: calls.length, breaches: calls.filter((c) => (c.waitSeconds ?? 0) > 300).length, seconds: Math.round(sim.counters().playedWallMs / 1000) },
      `week ${week} is in Redis`,
    );
    return week;
  } catch (e) {
    log.error({ week, err: (e as Error).message }, 'SIMULATOR_WEEK: the week could not be played; going on with the live demo');
    return null;
  } finally {
    await collector.stop();
    await sim.close();
    redis.disconnect();
  }
}

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
  let reportWeek: string | null = null;
  if (config.SIMULATOR_WEEK && config.AMI_HOST) {
    log.warn('SIMULATOR_WEEK is ignored: AMI_HOST is set, and simulated calls never go into a real switch\'s figures');
  } else if (config.SIMULATOR_WEEK) {
    reportWeek = await playWeek(config, log);
  }
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

  // The played week's report needs a manager token: without MANAGER_TOKENS, one for this run only.
  let demoToken: string | null = null;
  if (reportWeek && config.MANAGER_TOKENS.length === 0) {
    demoToken = randomBytes(24).toString('hex');
    config = { ...config, MANAGER_TOKENS: [{ name: 'demo', token: demoToken }] };
    log.warn('MANAGER_TOKENS is not set: the weekly report opens with a manager token made for this run only (printed below)');
  }

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
