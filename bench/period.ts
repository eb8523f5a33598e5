/**
 * The charter's period report: a quarter of simulated weeks (the same weeks the period tests
 * use, written through the collector's real Lua path, rollups included) read as the API serves
 * it — from the rollups and the breach index — beside the same report from every call record
 * (the reference), in the same run. Median of several reads each, records cache cold each time.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { loadConfig } from '@belofte/shared/config';
import { createContext } from '@belofte/api/context';
import { computePeriod } from '@belofte/api/routes/stats';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { simulateWeek } from '../test/stats/simulatedWeek.ts';
import { benchPrefix, log, median, onCleanup, REDIS_URL } from './lib.ts';
import { fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';

const TZ = 'Europe/Amsterdam';

export async function runPeriod(o: BenchOptions): Promise<BenchResult> {
  const redis = new Redis(REDIS_URL);
  // Closed last: the prefixes registered below are deleted through it first (cleanups run last-in first).
  onCleanup(() => redis.disconnect());
  try {
    const prefix = benchPrefix('period', redis);
    const keys = new Keys(prefix, 'main');
    const weeks = Math.max(2, Math.round(13 * o.scale));
    const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 200_000 });
    let calls = 0;
    for (let w = 0; w < weeks; w++) {
      for (const call of simulateWeek({ year: 2026, week: 1 + w }, TZ, 900 + w)) {
        writer.enqueue([{ kind: 'callFinished', call }]);
        calls++;
      }
      await writer.flush();
    }
    log(`period: ${fmt(calls)} calls in ${weeks} weeks written`);
    const config = loadConfig({ REDIS_URL, REDIS_PREFIX: prefix, BELOFTE_SITE: 'main', BELOFTE_TIMEZONE: TZ });
    const quiet = pino({ level: 'silent' });
    const time = async (source: 'rollups' | 'records') => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        // A fresh context each time: no records cached from the last read.
        const ctx = createContext(config, redis, quiet);
        const t = performance.now();
        await computePeriod(ctx, '2026-Q1', undefined, null, Date.now(), source);
        ms.push(performance.now() - t);
      }
      return median(ms);
    };
    await time('rollups');
    const rollups = await time('rollups');
    const records = await time('records');
    return {
      json: { calls, weeks, rollupsMs: rollups, recordsMs: records },
      rows: [
        {
          figure: `period report, a quarter (${fmt(calls)} calls) and the year before, from the rollups`,
          value: `${fmt(rollups, 1)} ms`,
          reference: `from every call record: ${fmt(records, 1)} ms`,
          ratio: `${ratio(records, rollups, 1)} faster`,
          verdict: '',
        },
      ],
    };
  } finally {
    // The connection closes in the cleanups, after the bench's keys are deleted.
  }
}
