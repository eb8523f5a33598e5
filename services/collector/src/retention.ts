/**
 * Callers' numbers are personal data, kept only as long as needed: PHONE_RETENTION_DAYS after
 * a call's first queue entry its number is removed from the call record (`callerIdNum` set to
 * ''), while everything counted stays. Every view that shows a number — the breach register,
 * the abandoned list, the callback list — reads it from the record, so it is gone from all of
 * them at once. The rollups and indexes never held more than the last 4 digits (the abandoned
 * index keeps those, masked, for RETENTION_DAYS).
 *
 * Runs with the collector's minute trim: from a watermark (`callersForgottenUntil`, less a
 * day, so a record indexed late is still seen), a bounded batch per pass; each record is
 * replaced atomically by callerForgotten.lua only if it is still what was read. A record
 * already without a number is skipped, so a pass that sees it again costs a read.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@belofte/shared/keys';
import { storedRecordJson } from '@belofte/shared/rollup';
import { scripts } from './redis/scripts.ts';

const RESCAN_MS = 86_400_000;
const BATCH = 500;

export interface ForgetResult {
  /** Records whose number was removed. */
  forgotten: number;
  /** Records looked at. */
  seen: number;
  /** Where the next pass starts (first-entry time, ms). */
  until: number;
}

/** Removes the numbers of calls whose first entry is before `cutoff` (ms); about `max` records per pass. */
export async function forgetCallerNumbers(redis: Redis | Cluster, keys: Keys, cutoff: number, max = 5_000): Promise<ForgetResult> {
  const mark = Number((await redis.get(keys.callersForgottenUntil)) ?? '0');
  const from = Math.max(0, mark - RESCAN_MS);
  let forgotten = 0;
  let seen = 0;
  // Reached the cutoff unless the pass stops early at `max`; then it resumes at the last seen.
  let until = Math.max(mark, cutoff);
  // The shards' indexes (records are spread over cluster slots), read page by page and taken
  // in first-entry order across all of them, so `until` is a point in time every shard passed.
  const shards = keys.durableBases.map((base) => ({ base, offset: 0, done: false, buffer: [] as Array<[string, number]> }));
  const fill = async () => {
    await Promise.all(
      shards.map(async (s) => {
        if (s.buffer.length > 0 || s.done) return;
        const page = await redis.zrangebyscore(keys.recordsIndex(s.base), from, `(${cutoff}`, 'WITHSCORES', 'LIMIT', s.offset, BATCH);
        for (let i = 0; i < page.length; i += 2) s.buffer.push([page[i]!, Number(page[i + 1])]);
        s.offset += page.length / 2;
        s.done = page.length / 2 < BATCH;
      }),
    );
  };
  scripts.define(redis);
  for (;;) {
    const taken = new Map<string, string[]>();
    let last = -1;
    let n = 0;
    while (n < BATCH) {
      await fill();
      let next: (typeof shards)[number] | null = null;
      for (const s of shards) if (s.buffer.length > 0 && (!next || s.buffer[0]![1] < next.buffer[0]![1])) next = s;
      if (!next) break;
      const [id, score] = next.buffer.shift()!;
      taken.set(next.base, [...(taken.get(next.base) ?? []), id]);
      last = score;
      n++;
    }
    if (n === 0) break;
    // One pipeline per shard: its records share one slot.
    await Promise.all(
      [...taken.values()].map(async (ids) => {
        const texts = await redis.mget(...ids.map((id) => keys.record(id)));
        const p = redis.pipeline();
        let queued = 0;
        texts.forEach((text, i) => {
          // Gone (expired), or an alias pointing at the kept record (`~id`): nothing to remove.
          const json = text === null ? null : storedRecordJson(text);
          if (text === null || json === null) return;
          try {
            const r = JSON.parse(json) as { callerIdNum?: string };
            if (!r.callerIdNum) return;
            // The rollup contribution before the JSON stays as it is: it holds counts, and at most
            // the masked last 4 digits in the abandoned index.
            const head = text.slice(0, text.length - json.length);
            scripts.queue(p, 'callerForgotten', [keys.record(ids[i]!)], [text, head + JSON.stringify({ ...r, callerIdNum: '' })]);
            queued++;
          } catch {
            // An unreadable record shows no number; the API logs it when it meets it.
          }
        });
        if (queued === 0) return;
        for (const [err, replaced] of (await p.exec()) ?? []) {
          if (err) throw err;
          forgotten += Number(replaced);
        }
      }),
    );
    seen += n;
    if (n < BATCH) break;
    // Bounded work per pass: numbers removed, and records read (those already without a
    // number are only read).
    if (forgotten >= max || seen >= 20 * max) {
      until = Math.max(mark, last);
      break;
    }
  }
  await redis.set(keys.callersForgottenUntil, String(until));
  return { forgotten, seen, until };
}
