/**
 * Reports beside the live figures in one API process: a weekly report reads its rollups,
 * indexes and follow-ups through a connection of its own (so its replies never stand in line
 * before /api/live's on one socket), the live figures go through the API's own client, and
 * a report gives the event loop back while it reads and adds up a busy week.
 */
import net from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { QUEUE_ROLLUP, queueField, ROLLUP_SUFFIX, vectorText } from '@belofte/shared/rollup';
import { isoWeekSpan, TODAY } from '@belofte/shared/time';
import { BULK_CONNECTION_NAME, createContext } from '@belofte/api/context';
import { recordFollowUp } from '@belofte/api/breaches/register';
import { computeWeekly } from '@belofte/api/routes/stats';
import { simulateWeek } from './simulatedWeek.ts';
import { cleanPrefix, connect, redisUrl, testPrefix } from '../support/redis.ts';
import { quietLog, testConfig, until } from '../support/stack.ts';

const TZ = 'Europe/Amsterdam';
const WEEK = { year: 2026, week: 47 };
const span = isoWeekSpan(WEEK, TZ);
const NOW = span.dayStarts[3]! + 12 * 3_600_000;
const prefix = testPrefix('reportconn');
const busyPrefix = testPrefix('reportbusy');
const redis = connect();

/** Where a client's commands come from, as MONITOR names it. */
const addressOf = (r: Redis) => `${r.stream.localAddress}:${r.stream.localPort}`;

/**
 * The commands on keys of `prefix` that Redis ran while `f` ran, with the client each came
 * from (MONITOR, on a socket of its own: ioredis cannot leave monitor mode cleanly).
 */
async function watch(prefix: string, f: () => Promise<unknown>): Promise<Array<{ args: string[]; source: string }>> {
  const url = new URL(redisUrl);
  const socket = net.connect(Number(url.port || 6379), url.hostname);
  const seen: Array<{ args: string[]; source: string }> = [];
  let text = '';
  let started: () => void;
  const monitoring = new Promise<void>((resolve) => (started = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
    let nl: number;
    while ((nl = text.indexOf('\r\n')) >= 0) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 2);
      if (line === '+OK') started();
      const m = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (!m || !line.includes(prefix)) continue;
      const args = [...m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]!.replace(/\\(["\\])/g, '$1'));
      seen.push({ args, source: m[1]! });
    }
  });
  socket.write('MONITOR\r\n');
  await monitoring;
  try {
    await f();
    // MONITOR reports what ran in order: once this is seen, everything before it is too.
    const last = `${prefix}:last`;
    await redis.exists(last);
    await until(() => (seen.some((c) => c.args.includes(last)) ? true : undefined), 10_000, 'MONITOR to catch up');
  } finally {
    socket.destroy();
  }
  return seen;
}

beforeAll(async () => {
  const keys = new Keys(prefix, 'main');
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ } });
  const calls = simulateWeek(WEEK, TZ, 4242);
  for (const call of calls) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  for (const b of calls.filter((c) => c.breached).slice(0, 5)) {
    await recordFollowUp(redis, keys, { id: b.linkedid, firstJoinedAt: b.firstJoinedAt, patch: { closed: true } as never, by: 'test', at: NOW, keepSeconds: 86_400 });
  }
}, 60_000);

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  await cleanPrefix(redis, busyPrefix);
  redis.disconnect();
});

describe('a report beside the live figures', () => {
  it('reads through the reports’ connection; the live figures through the API’s own client', async () => {
    const ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);
    const keys = new Keys(prefix, 'main');
    // The index check of a prefix the API has not seen, done before watching.
    await computeWeekly(ctx, WEEK, null, NOW);
    const bulk = ctx.bulk as Redis;
    expect(bulk).not.toBe(redis);
    expect(await bulk.client('GETNAME')).toBe(BULK_CONNECTION_NAME);

    await until(async () => ((await redis.get(keys.breachFollowUpsComplete)) === '1' ? true : undefined), 60_000, 'the follow-up index check');

    const seen = await watch(prefix, () => Promise.all([computeWeekly(ctx, WEEK, null, NOW), ctx.live(TODAY), ctx.live(TODAY)]));
    const main = addressOf(redis);
    const reports = addressOf(bulk);
    const from = (match: (args: string[]) => boolean) => new Set(seen.filter((c) => match(c.args)).map((c) => c.source));
    // The week's rollup hashes and the follow-ups the report counts.
    expect(from((a) => a[0]!.toLowerCase() === 'hgetall' && /:r[qa]:\d{4}-\d\d-\d\d$/.test(a[1]!))).toEqual(new Set([reports]));
    expect(from((a) => a[0]!.toLowerCase() === 'hgetall' && a[1]!.startsWith(keys.breachFollowUp('')))).toEqual(new Set([reports]));
    // The live figures' script and the active alerts.
    expect(from((a) => a[0]!.toLowerCase().startsWith('eval') && a.includes(keys.queues))).toEqual(new Set([main]));
    expect(from((a) => a[1] === keys.alertsActive)).toEqual(new Set([main]));
    ctx.close();
    for (let i = 0; i < 100 && bulk.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(bulk.status).toBe('end');
  }, 90_000);

  it('closes the reports’ connection when the API’s client is closed', async () => {
    const own = connect();
    const ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), own, quietLog);
    await computeWeekly(ctx, WEEK, null, NOW);
    const bulk = ctx.bulk as Redis;
    expect(bulk.status).toBe('ready');
    own.disconnect();
    for (let i = 0; i < 100 && bulk.status !== 'end'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(bulk.status).toBe('end');
  });

  it('gives the event loop back while it reads and adds up a busy week, with the same sums', async () => {
    // A busy centre's week, straight into the rollup hashes: 15 queues × 24 hours on every
    // day in every shard, some 40,000 fields (8 kB a hash) to read and add up.
    const keys = new Keys(busyPrefix, 'main');
    const queues = Array.from({ length: 15 }, (_, i) => `Q${i}`);
    const value = (shard: number, q: number, hour: number) => Object.fromEntries(QUEUE_ROLLUP.map(([m], i) => [m, (shard + q + hour + i) % 7])) as Record<(typeof QUEUE_ROLLUP)[number][0], number>;
    const p = redis.pipeline();
    keys.durableBases.forEach((base, shard) => {
      for (const date of span.dates) {
        const fields: string[] = [];
        queues.forEach((q, qi) => {
          for (let h = 0; h < 24; h++) fields.push(queueField(q, h), vectorText(QUEUE_ROLLUP, { ...value(shard, qi, h), offered: 1 + ((shard + h) % 5), calls: 1 }));
        });
        p.hset(base + ROLLUP_SUFFIX.queues(date), ...fields);
      }
    });
    await p.exec();
    const ctx = createContext(testConfig(busyPrefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);

    // The sums, chunked or not, are the shards added up.
    const days = await ctx.rollups.queueDays(span.dates);
    const wanted = (qi: number, h: number) => {
      const sum = Object.fromEntries(QUEUE_ROLLUP.map(([m]) => [m, 0])) as Record<string, number>;
      for (let shard = 0; shard < keys.durableBases.length; shard++) {
        const v: Record<string, number> = { ...value(shard, qi, h), offered: 1 + ((shard + h) % 5), calls: 1 };
        for (const [m, kind] of QUEUE_ROLLUP) sum[m] = kind === 'max' ? Math.max(sum[m]!, v[m]!) : sum[m]! + v[m]!;
      }
      return sum;
    };
    for (const day of days) {
      expect(day.size).toBe(queues.length * 24);
      expect(day.get(queueField('Q3', 9))).toEqual(wanted(3, 9));
      expect(day.get(queueField('Q14', 23))).toEqual(wanted(14, 23));
    }

    // The longest stretch without a turn of the event loop, as a share of the report: the
    // least of five reports, as other work on the machine only ever lengthens a stretch.
    // Summed a whole day at a time (and every hash asked for at once), it is a fifth of the
    // report; in slices of a few hundred fields, a twentieth.
    const shares: number[] = [];
    for (let run = 0; run < 5; run++) {
      let last = performance.now();
      let longest = 0;
      let on = true;
      const turn = () => {
        const t = performance.now();
        longest = Math.max(longest, t - last);
        last = t;
        if (on) setImmediate(turn);
      };
      setImmediate(turn);
      const t0 = performance.now();
      const report = await computeWeekly(ctx, WEEK, null, NOW);
      const took = performance.now() - t0;
      on = false;
      longest = Math.max(longest, performance.now() - last);
      expect(report.total.week.offered).toBeGreaterThan(0);
      shares.push(longest / took);
    }
    expect(Math.min(...shares)).toBeLessThan(0.12);
    ctx.close();
  }, 60_000);
});
