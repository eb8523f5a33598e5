/**
 * Callers' numbers are personal data, kept only as long as needed: PHONE_RETENTION_DAYS after
 * a call's first queue entry its number is removed from the call record (`callerIdNum` set to
 * ''), while everything counted stays. Every view that shows a number — the breach register,
 * the abandoned list, the callback list — reads it from the record, so it is gone from all of
 * them at once. The rollups and indexes never held more than the last 4 digits (the abandoned
 * index keeps those, masked, for RETENTION_DAYS).
 *
 * Runs with the collector's minute trim: from a watermark (`callersForgottenUntil`, less a
 * day, so a record written late is still seen), hour bucket by hour bucket, a bounded batch per pass; each record is
 * replaced atomically by recordReplaced.lua only if it is still what was read. A record
 * already without a number is skipped, so a pass that sees it again costs a read.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@belofte/shared/keys';
import { decodeRecord, encodeRecord } from '@belofte/shared/storedRecord';
import { recordBuckets } from './recordBuckets.ts';
import { scripts } from './redis/scripts.ts';

const RESCAN_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface ForgetResult {
  /** Records whose number was removed. */
  forgotten: number;
  /** Records looked at. */
  seen: number;
  /** Where the next pass starts (first-entry time, ms). */
  until: number;
}

/**
 * Removes the numbers of calls whose first entry is before `cutoff` (ms); about `max` records
 * per pass (whole days of buckets). `oldest`: nothing is kept from before it (RETENTION_DAYS),
 * so a first pass starts there.
 */
export async function forgetCallerNumbers(redis: Redis | Cluster, keys: Keys, cutoff: number, oldest: number, max = 5_000): Promise<ForgetResult> {
  const mark = Number((await redis.get(keys.callersForgottenUntil)) ?? '0');
  const from = Math.max(oldest, mark - RESCAN_MS);
  let forgotten = 0;
  let seen = 0;
  // Reached the cutoff unless the pass stops early at `max`; then it resumes where it stopped.
  let until = Math.max(mark, cutoff);
  scripts.define(redis);
  // A day of every shard's buckets at a time, oldest first, so `until` is a point in time every shard passed.
  for await (const chunk of recordBuckets(redis, keys, from, cutoff)) {
    if (forgotten >= max || seen >= 20 * max) {
      until = Math.max(mark, chunk.startHour * HOUR_MS);
      break;
    }
    await Promise.all(
      chunk.buckets.map(async ({ bucket, records }) => {
        const p = redis.pipeline();
        let queued = 0;
        for (const [id, text] of Object.entries(records)) {
          seen++;
          try {
            // A merged marker holds no number; an unreadable record shows none (the API logs it).
            const stored = decodeRecord(id, text);
            if (!stored || !stored.record.callerIdNum || stored.record.firstJoinedAt >= cutoff) continue;
            // Everything else stays as it was, the rules stamp too: counts, and at most the masked
            // last 4 digits in the abandoned index.
            scripts.queue(p, 'recordReplaced', [bucket], [id, text, encodeRecord({ ...stored.record, callerIdNum: '' }, stored.rules)]);
            queued++;
          } catch {
            continue;
          }
        }
        if (queued === 0) return;
        for (const [err, replaced] of (await p.exec()) ?? []) {
          if (err) throw err;
          forgotten += Number(replaced);
        }
      }),
    );
  }
  await redis.set(keys.callersForgottenUntil, String(until));
  return { forgotten, seen, until };
}
