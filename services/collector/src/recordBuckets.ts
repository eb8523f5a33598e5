/**
 * Reads the stored records of a period bucket by bucket, for the passes that go over every
 * record (a rollup rebuild, the phone-number retention): only the days each shard's days index
 * lists, a few days per round trip (one pipeline per shard: its own slot), oldest first.
 */
import type { Cluster, Redis } from 'ioredis';
import { recordDay, recordHour, type Keys } from '@belofte/shared/keys';

export interface BucketChunk {
  /** The first hour of the chunk: every record before it was in an earlier chunk. */
  startHour: number;
  buckets: Array<{ bucket: string; records: Record<string, string> }>;
}

export async function* recordBuckets(redis: Redis | Cluster, keys: Keys, from: number, to: number, daysPerChunk = 1): AsyncGenerator<BucketChunk> {
  const firstHour = recordHour(from);
  const lastHour = recordHour(to - 1);
  if (lastHour < firstHour) return;
  const byBase = await Promise.all(keys.durableBases.map(async (base) => new Set((await redis.zrangebyscore(keys.recordDays(base), recordDay(firstHour), recordDay(lastHour))).map(Number))));
  const days = [...new Set(byBase.flatMap((s) => [...s]))].sort((a, b) => a - b);
  for (let i = 0; i < days.length; i += daysPerChunk) {
    const chunk = days.slice(i, i + daysPerChunk);
    const hoursOf = (day: number) => Array.from({ length: 24 }, (_, h) => day * 24 + h).filter((h) => h >= firstHour && h <= lastHour);
    const buckets: BucketChunk['buckets'] = [];
    await Promise.all(
      keys.durableBases.map(async (base, b) => {
        const hours = chunk.filter((d) => byBase[b]!.has(d)).flatMap(hoursOf);
        if (hours.length === 0) return;
        const p = redis.pipeline();
        const names = hours.map((h) => keys.recordBucket(base, h));
        for (const n of names) p.hgetall(n);
        ((await p.exec()) ?? []).forEach(([err, hash], j) => {
          if (err) throw err;
          if (Object.keys(hash as object).length > 0) buckets.push({ bucket: names[j]!, records: hash as Record<string, string> });
        });
      }),
    );
    yield { startHour: Math.max(firstHour, chunk[0]! * 24), buckets };
  }
}

/** Drops days past the retention period from every shard's days index (their buckets have expired). */
export async function trimRecordDays(redis: Redis | Cluster, keys: Keys, before: number): Promise<void> {
  await Promise.all(keys.durableBases.map((base) => redis.zremrangebyscore(keys.recordDays(base), '-inf', `(${recordDay(recordHour(before))}`)));
}
