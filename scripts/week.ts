/**
 * Playing whole weeks of simulated traffic into Redis, so the weekly report has something to
 * show: `npm run demo:week` (through scripts/start.ts) and the compose demo's one-shot `week`
 * service (`node dist/week.js`, SIMULATOR_WEEK set) use it.
 */
import type { Logger } from 'pino';
import { loadConfigOrExit, type Config } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { createRedis, whenReady } from '@belofte/shared/redis';
import { logRedisErrors } from '@belofte/shared/startup';
import { formatIsoWeek, localDate, parseIsoWeek, shiftIsoWeek } from '@belofte/shared/time';
import { Collector } from '@belofte/collector/collector';
import { previousIsoWeek, startSimulator, WEEK_PROFILE, WEEK_SPEED } from '@belofte/simulator';

/**
 * SIMULATOR_WEEK: before the live demo, a whole week of traffic from a simulator of its own
 * (a free loopback port) through a collector of its own into Redis, with the week's own
 * timestamps, so the weekly report of that week is filled. Returns the week, or null when it
 * could not be played (the live demo starts all the same).
 */
export async function playWeek(config: Config, log: Logger): Promise<string | null> {
  const sim = await startSimulator({
    port: 0,
    week: { week: config.SIMULATOR_WEEK!, profile: { ...WEEK_PROFILE, timeZone: config.BELOFTE_TIMEZONE } },
    username: config.AMI_USERNAME,
    secret: config.AMI_SECRET,
  });
  const week = sim.week!.week;
  log.warn({ week, speed: WEEK_SPEED }, `SIMULATOR_WEEK: playing week ${week} into Redis first (about a minute), then the live demo`);
  const redis = createRedis(config);
  logRedisErrors(redis, log);
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

/** Weeks a weekly meeting compares: the chosen one and the two before it, so "previous week" and "change" are filled. */
export const WEEKS_PLAYED = 3;

/**
 * SIMULATOR_WEEK and the two weeks before it, oldest first. Returns the SIMULATOR_WEEK that
 * was played (the report to open), or null when it could not be.
 */
export async function playWeeks(config: Config, log: Logger): Promise<string | null> {
  const chosen = config.SIMULATOR_WEEK === 'previous' ? previousIsoWeek(Date.now(), config.BELOFTE_TIMEZONE) : config.SIMULATOR_WEEK!;
  const target = parseIsoWeek(chosen)!;
  let last: string | null = null;
  for (let back = WEEKS_PLAYED - 1; back >= 0; back--) {
    last = await playWeek({ ...config, SIMULATOR_WEEK: formatIsoWeek(shiftIsoWeek(target, -back)) }, log);
  }
  return last;
}

if (process.argv[1] && /week\.(ts|js)$/.test(process.argv[1])) {
  const config = loadConfigOrExit();
  if (!config.SIMULATOR_WEEK) {
    console.error('SIMULATOR_WEEK is not set: set it to "previous" or an ISO week such as 2026-W47');
    process.exit(2);
  }
  const log = createLogger('belofte-week', config.LOG_LEVEL);
  const week = await playWeeks(config, log);
  process.exit(week ? 0 : 1);
}
