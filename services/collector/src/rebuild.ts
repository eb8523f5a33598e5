/**
 * `npm run rollups -- --from 2026-11-16 --to 2026-11-22`
 *
 * Recomputes the rollups and indexes of those local days (BELOFTE_TIMEZONE, both inclusive)
 * from the call records, for upgrades (records written before rollups existed), after a
 * threshold changed (TARGET_SECONDS, GUARANTEE_SECONDS, MAX_TRANSFERS) and for audits. Each
 * day's rollup and index keys are replaced whole; every record whose first queue entry is in
 * the period is stamped with these rules, so a later rewrite of it takes the right share out.
 * Calls that began in the 24 hours before the period add their later entries, as the weekly
 * statistics read them. Rebuild the past: a call finishing during the rebuild of its own day
 * may be counted in the old sums only; rebuilding that day again settles it.
 */
import type { Cluster, Redis } from 'ioredis';
import { ConfigError, loadConfig, rollupRulesOf } from '@belofte/shared/config';
import type { CallRecord } from '@belofte/shared/callRecord';
import { Keys } from '@belofte/shared/keys';
import { createRedis, whenReady } from '@belofte/shared/redis';
import {
  addContribution,
  AGENT_ROLLUP,
  contributionOf,
  datesOf,
  QUEUE_ROLLUP,
  ROLLUP_SUFFIX,
  rollupTtlSeconds,
  rulesStamp,
  specOf,
  suffixDate,
  vectorText,
  type Contribution,
  type RollupRules,
} from '@belofte/shared/rollup';
import { decodeRecord, encodeRecord } from '@belofte/shared/storedRecord';
import { localToUtc, parseLocalDate, startOfNextLocalDay } from '@belofte/shared/time';
import { recordBuckets } from './recordBuckets.ts';
import { scripts } from './redis/scripts.ts';

const MARGIN_MS = 24 * 3_600_000;
const CHUNK = 500;

export interface RebuildResult {
  dates: string[];
  /** Records read (the period and its margin). */
  records: number;
  /** Records now stamped with these rules (they were counted with others). */
  rewritten: number;
}

export async function rebuildRollups(
  redis: Redis | Cluster,
  keys: Keys,
  o: { rules: RollupRules; fromDate: string; toDate: string; retentionDays: number },
): Promise<RebuildResult> {
  const fromD = parseLocalDate(o.fromDate);
  const toD = parseLocalDate(o.toDate);
  if (!fromD) throw new ConfigError(`--from must be a date YYYY-MM-DD, not ${JSON.stringify(o.fromDate)}`);
  if (!toD) throw new ConfigError(`--to must be a date YYYY-MM-DD, not ${JSON.stringify(o.toDate)}`);
  const tz = o.rules.timeZone;
  const from = localToUtc(fromD.year, fromD.month, fromD.day, 0, 0, tz);
  const to = startOfNextLocalDay(toD, tz);
  if (to <= from) throw new ConfigError('--to must not be before --from');
  const dates = new Set(datesOf(from, to, tz));

  // Every record whose first entry is in the period or its margin.
  const calls: Array<{ record: CallRecord; stored: string; rules: string; bucket: string }> = [];
  for await (const chunk of recordBuckets(redis, keys, from - MARGIN_MS, to, 7)) {
    for (const { bucket, records } of chunk.buckets) {
      for (const [id, text] of Object.entries(records)) {
        try {
          const stored = decodeRecord(id, text);
          if (stored && stored.record.firstJoinedAt >= from - MARGIN_MS && stored.record.firstJoinedAt < to) calls.push({ record: stored.record, stored: text, rules: stored.rules, bucket });
        } catch {
          // An unreadable record adds nothing, as the readers skip it.
        }
      }
    }
  }
  // A record listed as another's alias is part of that one.
  const aliases = new Set(calls.flatMap((c) => (c.record.aliases ?? []).filter((a) => a !== c.record.linkedid)));

  // Sums per durable base (the rollups of a call live beside its record).
  const sums = new Map<string, Contribution>();
  const stamp = rulesStamp(specOf(o.rules));
  const rewrites: Array<{ bucket: string; id: string; was: string; now: string }> = [];
  for (const c of calls) {
    if (aliases.has(c.record.linkedid)) continue;
    const contribution = contributionOf(c.record, o.rules);
    const inPeriod: Contribution = { hashes: new Map([...contribution.hashes].filter(([s]) => dates.has(suffixDate(s)))), indexes: contribution.indexes.filter(([s]) => dates.has(suffixDate(s))) };
    const base = keys.durableBase(c.record.linkedid);
    let sum = sums.get(base);
    if (!sum) sums.set(base, (sum = { hashes: new Map(), indexes: [] }));
    addContribution(sum, inPeriod);
    // Counted with these rules now: a later rewrite takes this share out.
    if (c.record.firstJoinedAt >= from && c.rules !== stamp) rewrites.push({ bucket: c.bucket, id: c.record.linkedid, was: c.stored, now: encodeRecord(c.record, stamp) });
  }

  const ttl = rollupTtlSeconds(o.retentionDays);
  // One MULTI per day and base: a reader sees the old sums or the new ones, never half. All
  // sent at once (the connection pipelines them), not a round trip each.
  const writes: Array<Promise<unknown>> = [];
  for (const base of keys.durableBases) {
    const sum = sums.get(base) ?? { hashes: new Map(), indexes: [] };
    const indexesOf = new Map<string, Contribution['indexes']>();
    for (const e of sum.indexes) indexesOf.set(e[0], [...(indexesOf.get(e[0]) ?? []), e]);
    for (const date of dates) {
      const tx = redis.multi();
      const queues = base + ROLLUP_SUFFIX.queues(date);
      const agents = base + ROLLUP_SUFFIX.agents(date);
      const breaches = base + ROLLUP_SUFFIX.breaches(date);
      const abandoned = base + ROLLUP_SUFFIX.abandoned(date);
      tx.del(queues, agents, breaches, abandoned);
      const q = sum.hashes.get(ROLLUP_SUFFIX.queues(date));
      if (q?.size) tx.hset(queues, Object.fromEntries([...q].map(([f, v]) => [f, vectorText(QUEUE_ROLLUP, v as Record<string, number>)]))).expire(queues, ttl);
      const a = sum.hashes.get(ROLLUP_SUFFIX.agents(date));
      if (a?.size) tx.hset(agents, Object.fromEntries([...a].map(([f, v]) => [f, vectorText(AGENT_ROLLUP, v as Record<string, number>)]))).expire(agents, ttl);
      for (const [suffix, key] of [
        [ROLLUP_SUFFIX.breaches(date), breaches],
        [ROLLUP_SUFFIX.abandoned(date), abandoned],
      ] as const) {
        const entries = indexesOf.get(suffix) ?? [];
        if (entries.length) tx.zadd(key, ...entries.flatMap(([, score, member]) => [Math.round(score), member])).expire(key, ttl);
      }
      writes.push(tx.exec());
    }
  }
  await Promise.all(writes);
  await redis.hset(keys.rollupRules, stamp, specOf(o.rules));
  scripts.define(redis);
  for (let i = 0; i < rewrites.length; i += CHUNK) {
    await Promise.all(rewrites.slice(i, i + CHUNK).map((w) => scripts.run(redis, 'recordReplaced', [w.bucket], [w.id, w.was, w.now])));
  }
  return { dates: [...dates], records: calls.length, rewritten: rewrites.length };
}

function parseArgs(argv: string[]): { from: string; to: string } {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    if (flag !== '--from' && flag !== '--to') throw new ConfigError(`unknown option ${argv[i]} (known: --from YYYY-MM-DD, --to YYYY-MM-DD)`);
    out[flag.slice(2)] = inline ?? argv[++i] ?? '';
  }
  if (!out.from) throw new ConfigError('usage: npm run rollups -- --from YYYY-MM-DD [--to YYYY-MM-DD]');
  return { from: out.from, to: out.to || out.from };
}

async function main(): Promise<void> {
  try {
    const config = loadConfig();
    const args = parseArgs(process.argv.slice(2));
    const redis = createRedis(config, { failFast: false });
    await whenReady(redis);
    const result = await rebuildRollups(redis, new Keys(config.REDIS_PREFIX, config.BELOFTE_SITE), {
      rules: rollupRulesOf(config),
      fromDate: args.from,
      toDate: args.to,
      retentionDays: config.RETENTION_DAYS,
    });
    process.stdout.write(`rollups: rebuilt ${result.dates.length} day(s) ${result.dates[0]} … ${result.dates.at(-1)} from ${result.records} record(s); ${result.rewritten} record(s) now carry these rules\n`);
    redis.disconnect();
  } catch (e) {
    process.stderr.write(`rollups: ${(e as Error).message.split('\n').join(' ')}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
