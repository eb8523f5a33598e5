/**
 * `npm run rollups -- --from 2026-11-16 --to 2026-11-22`
 *
 * Recomputes the rollups and indexes of those local days (BELOFTE_TIMEZONE, both inclusive)
 * from the call records, for upgrades (records written before rollups existed), after a
 * threshold changed (TARGET_SECONDS, GUARANTEE_SECONDS, MAX_TRANSFERS) and for audits. Each
 * day's rollup and index keys are replaced whole; every record whose first queue entry is in
 * the period keeps its new contribution, so a later rewrite of it takes the right share out.
 * Calls that began in the 24 hours before the period add their later entries, as the weekly
 * statistics read them. Rebuild the past: a call finishing during the rebuild of its own day
 * may be counted in the old sums only; rebuilding that day again settles it.
 */
import type { Cluster, Redis } from 'ioredis';
import { ConfigError, loadConfig, queueSettingsOf, thresholdsOf } from '@belofte/shared/config';
import type { CallRecord } from '@belofte/shared/callRecord';
import { Keys } from '@belofte/shared/keys';
import { createRedis, whenReady } from '@belofte/shared/redis';
import {
  addContribution,
  AGENT_ROLLUP,
  contributionOf,
  datesOf,
  encodeContribution,
  encodeStoredRecord,
  QUEUE_ROLLUP,
  ROLLUP_SUFFIX,
  storedRecordJson,
  suffixDate,
  vectorText,
  type Contribution,
  type RollupRules,
} from '@belofte/shared/rollup';
import { localToUtc, parseLocalDate, startOfNextLocalDay } from '@belofte/shared/time';

const MARGIN_MS = 24 * 3_600_000;
const CHUNK = 500;

export interface RebuildResult {
  dates: string[];
  /** Records read (the period and its margin). */
  records: number;
  /** Records whose stored contribution changed. */
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

  const ids = (await Promise.all(keys.durableBases.map((b) => redis.zrangebyscore(keys.recordsIndex(b), from - MARGIN_MS, `(${to}`, 'WITHSCORES')))).flat();
  const calls: Array<{ record: CallRecord; stored: string; first: number }> = [];
  for (let i = 0; i < ids.length; i += 2 * CHUNK) {
    const chunk: Array<[string, number]> = [];
    for (let j = i; j < Math.min(ids.length, i + 2 * CHUNK); j += 2) chunk.push([ids[j]!, Number(ids[j + 1])]);
    const texts = await Promise.all(chunk.map(([id]) => redis.get(keys.record(id))));
    texts.forEach((text, j) => {
      const json = text === null ? null : storedRecordJson(text);
      if (json === null) return;
      try {
        calls.push({ record: JSON.parse(json) as CallRecord, stored: text!, first: chunk[j]![1] });
      } catch {
        // An unreadable record adds nothing, as the readers skip it.
      }
    });
  }
  // A record listed as another's alias is part of that one.
  const aliases = new Set(calls.flatMap((c) => (c.record.aliases ?? []).filter((a) => a !== c.record.linkedid)));

  // Sums per durable base (the rollups of a call live beside its record).
  const sums = new Map<string, Contribution>();
  const rewrites: Array<[key: string, stored: string]> = [];
  for (const c of calls) {
    if (aliases.has(c.record.linkedid)) continue;
    const contribution = contributionOf(c.record, o.rules);
    const inPeriod: Contribution = { hashes: new Map([...contribution.hashes].filter(([s]) => dates.has(suffixDate(s)))), indexes: contribution.indexes.filter(([s]) => dates.has(suffixDate(s))) };
    const base = keys.durableBase(c.record.linkedid);
    let sum = sums.get(base);
    if (!sum) sums.set(base, (sum = { hashes: new Map(), indexes: [] }));
    addContribution(sum, inPeriod);
    if (c.first >= from) {
      const stored = encodeStoredRecord(encodeContribution(contribution), storedRecordJson(c.stored)!);
      if (stored !== c.stored) rewrites.push([keys.record(c.record.linkedid), stored]);
    }
  }

  const ttl = o.retentionDays * 86_400 + 172_800;
  for (const base of keys.durableBases) {
    const sum = sums.get(base) ?? { hashes: new Map(), indexes: [] };
    for (const date of dates) {
      // One MULTI per day and kind: a reader sees the old sums or the new ones, never half.
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
        const entries = sum.indexes.filter(([s]) => s === suffix);
        if (entries.length) tx.zadd(key, ...entries.flatMap(([, score, member]) => [Math.round(score), member])).expire(key, ttl);
      }
      await tx.exec();
    }
  }
  for (let i = 0; i < rewrites.length; i += CHUNK) {
    await Promise.all(rewrites.slice(i, i + CHUNK).map(([key, stored]) => redis.set(key, stored, 'KEEPTTL')));
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
      rules: { thresholds: thresholdsOf(config), thresholdsFor: (q) => queueSettingsOf(config).thresholds(q, config.BELOFTE_SITE), timeZone: config.BELOFTE_TIMEZONE },
      fromDate: args.from,
      toDate: args.to,
      retentionDays: config.RETENTION_DAYS,
    });
    process.stdout.write(`rollups: rebuilt ${result.dates.length} day(s) ${result.dates[0]} … ${result.dates.at(-1)} from ${result.records} record(s); ${result.rewritten} record(s) got a new contribution\n`);
    redis.disconnect();
  } catch (e) {
    process.stderr.write(`rollups: ${(e as Error).message.split('\n').join(' ')}\n`);
    process.exit(e instanceof ConfigError ? 2 : 1);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
