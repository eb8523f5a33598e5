/**
 * Records written before format 2 — one STRING per call (its rollup contribution, a newline,
 * its JSON) and a ZSET of them per durable base — are moved into the hour buckets, re-encoded,
 * by the collector after it starts. Their rollups stay as they are; the moved records carry the
 * collector's current rules stamp (they are older than any rewrite can reach: a finished call
 * is rewritten only within the hour after it ended).
 */
import type { Cluster, Redis } from 'ioredis';
import type { CallRecord } from '@belofte/shared/callRecord';
import { recordBucketExpiry, recordDay, recordHour, recordWhereBlock, recordWhereExpiry, type Keys } from '@belofte/shared/keys';
import { encodeRecord, findableById } from '@belofte/shared/storedRecord';
import { scripts } from './redis/scripts.ts';

const BATCH = 500;

export interface MoveResult {
  moved: number;
  /** Records that could not be read: left to expire where they were. */
  unreadable: number;
  /** Whether no old record is left. */
  done: boolean;
}

/** The JSON of a format 1 record: after the contribution's newline, or the whole text. */
function legacyJson(text: string): string {
  const nl = text.indexOf('\n');
  return nl < 0 ? text : text.slice(nl + 1);
}

/** Moves up to `max` old records; call again until `done`. */
export async function moveLegacyRecords(redis: Redis | Cluster, keys: Keys, o: { rulesStamp: string; retentionDays: number; max?: number }): Promise<MoveResult> {
  scripts.define(redis);
  const result: MoveResult = { moved: 0, unreadable: 0, done: true };
  for (const base of keys.durableBases) {
    const index = keys.legacyRecordsIndex(base);
    for (;;) {
      if (result.moved + result.unreadable >= (o.max ?? 20_000)) return { ...result, done: false };
      const ids = await redis.zrange(index, 0, BATCH - 1);
      if (ids.length === 0) break;
      // One slot: the old records, their index and the buckets share the base's hash tag.
      const texts = await redis.mget(...ids.map((id) => keys.legacyRecord(id)));
      const p = redis.pipeline();
      /** Per pipeline entry: a move (recordMoved: 1 when moved), or an index entry dropped. */
      const moves: boolean[] = [];
      texts.forEach((text, i) => {
        const id = ids[i]!;
        let record: CallRecord | null = null;
        try {
          record = text === null ? null : (JSON.parse(legacyJson(text)) as CallRecord);
          if (record && (!Array.isArray(record.visits) || !Array.isArray(record.transfers) || typeof record.firstJoinedAt !== 'number')) throw new Error('not a record');
        } catch {
          record = null;
        }
        if (!record || text === null) {
          // Expired (only its index entry was left), or unreadable: nothing to move.
          if (text !== null) result.unreadable++;
          p.zrem(index, id);
          moves.push(false);
          return;
        }
        const hour = recordHour(record.firstJoinedAt);
        const block = recordWhereBlock(hour);
        const findable = findableById(record);
        scripts.queue(
          p,
          'recordMoved',
          [keys.legacyRecord(id), index, keys.recordBucket(base, hour), keys.recordWhere(base, block), keys.recordDays(base)],
          [id, text, encodeRecord({ ...record, linkedid: id }, o.rulesStamp), recordBucketExpiry(hour, o.retentionDays), findable ? hour : '', recordWhereExpiry(block, o.retentionDays), recordDay(hour)],
        );
        moves.push(true);
      });
      for (const [i, [err, reply]] of ((await p.exec()) ?? []).entries()) {
        if (err) throw err;
        if (moves[i] && reply === 1) result.moved++;
      }
    }
  }
  return result;
}
