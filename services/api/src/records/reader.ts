/**
 * Reads the collector's call records: finished calls (storedRecord.ts, in hour buckets per
 * durable base, see Keys.recordBucket) and the calls still in progress.
 *
 * Records of calls that ended more than two hours ago are kept in memory: the collector
 * forgets a finished call an hour after it ends, so such a record can no longer be rewritten.
 * A period is read as the ids of its buckets first, then only the records not held here.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CallRecord } from '@belofte/shared/callRecord';
import { recordHour, recordWhereBlock, RECORD_WHERE_HOURS, type Keys } from '@belofte/shared/keys';
import { decodeRecord } from '@belofte/shared/storedRecord';

/** A call's later entries can fall in a period its first entry precedes: read this much earlier. */
export const CALL_SPAN_MARGIN_MS = 24 * 3_600_000;
const SETTLED_AFTER_MS = 2 * 3_600_000;
/** Fields asked for per HMGET. */
const CHUNK = 500;

export interface RecordReaderOptions {
  /** Settled records held in memory at most. */
  maxCached?: number;
  /**
   * PHONE_RETENTION_DAYS in ms: a record older than this is served without its caller's
   * number even before the collector's retention pass has rewritten it (and a record cached
   * here before that pass loses it too).
   */
  phoneRetentionMs?: number;
  /** RETENTION_DAYS: how far back a record asked for by id alone is looked for. */
  retentionDays?: number;
  onBadRecord?: (id: string, error: string) => void;
}

/** A record asked for by id, with when its call first joined a queue (or the times it may have). */
export interface RecordRef {
  id: string;
  at: number | readonly number[];
}

export class CallRecords {
  private readonly cache = new Map<string, CallRecord>();
  private readonly maxCached: number;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
    private readonly o: RecordReaderOptions = {},
  ) {
    this.maxCached = o.maxCached ?? 100_000;
  }

  /** Finished calls whose first queue entry is in [from − margin, to), in first-entry order. */
  async finished(from: number, to: number, now = Date.now(), marginMs = CALL_SPAN_MARGIN_MS): Promise<CallRecord[]> {
    const lo = from - marginMs;
    const hours: number[] = [];
    for (let h = recordHour(lo); h <= recordHour(to - 1); h++) hours.push(h);
    const out: CallRecord[] = [];
    // Per durable base (its own slot): the buckets' ids in one round trip, then what is not held here.
    await Promise.all(
      this.keys.durableBases.map(async (base) => {
        const buckets = hours.map((h) => this.keys.recordBucket(base, h));
        const p = this.redis.pipeline();
        for (const b of buckets) p.hkeys(b);
        const ids = ((await p.exec()) ?? []).map(([err, r]) => {
          if (err) throw err;
          return r as string[];
        });
        const fetch = this.redis.pipeline();
        const asked: Array<[bucket: string, ids: string[]]> = [];
        ids.forEach((list, i) => {
          const missing: string[] = [];
          for (const id of list) {
            const hit = this.cache.get(id);
            if (hit) out.push(this.forgetting(hit));
            else missing.push(id);
          }
          for (let j = 0; j < missing.length; j += CHUNK) {
            const chunk = missing.slice(j, j + CHUNK);
            fetch.hmget(buckets[i]!, ...chunk);
            asked.push([buckets[i]!, chunk]);
          }
        });
        if (asked.length === 0) return;
        ((await fetch.exec()) ?? []).forEach(([err, texts], i) => {
          if (err) throw err;
          (texts as Array<string | null>).forEach((text, j) => {
            // Null: gone since its id was read (expired, or moved by a rewrite).
            const r = text === null ? null : this.parse(asked[i]![1][j]!, text);
            if (!r) return;
            out.push(r);
            if (r.endedAt !== null && now - r.endedAt > SETTLED_AFTER_MS) this.remember(r);
          });
        });
      }),
    );
    return out
      .filter((r) => r.firstJoinedAt >= lo && r.firstJoinedAt < to)
      .sort((a, b) => a.firstJoinedAt - b.firstJoinedAt || (a.linkedid < b.linkedid ? -1 : a.linkedid > b.linkedid ? 1 : 0));
  }

  /** These finished calls (those still kept), in the order asked; each looked for in the hours of its times. */
  async many(refs: RecordRef[]): Promise<CallRecord[]> {
    const found = new Map<string, CallRecord>();
    // An index's score is the first entry rounded to the ms: it may have rounded into the next
    // hour. Each round asks every bucket once (HMGET) for the ids still missing.
    let wanted = refs.map((ref) => ({ id: ref.id, hours: [...new Set((typeof ref.at === 'number' ? [ref.at] : ref.at).flatMap((t) => [recordHour(t), recordHour(t - 1)]))] }));
    while (wanted.length > 0) {
      const byBucket = new Map<string, string[]>();
      for (const w of wanted) {
        const bucket = this.keys.recordBucket(this.keys.durableBase(w.id), w.hours[0]!);
        byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), w.id]);
      }
      const asks = [...byBucket].flatMap(([bucket, ids]) => Array.from({ length: Math.ceil(ids.length / CHUNK) }, (_, i) => [bucket, ids.slice(i * CHUNK, (i + 1) * CHUNK)] as const));
      const replies = await Promise.all(asks.map(([bucket, ids]) => this.redis.hmget(bucket, ...ids)));
      replies.forEach((texts, i) =>
        texts.forEach((text, j) => {
          const id = asks[i]![1][j]!;
          const r = text === null ? null : this.parse(id, text);
          if (r) found.set(id, r);
        }),
      );
      wanted = wanted.filter((w) => !found.has(w.id) && w.hours.length > 1).map((w) => ({ id: w.id, hours: w.hours.slice(1) }));
    }
    const out: CallRecord[] = [];
    for (const ref of refs) {
      const r = found.get(ref.id);
      if (r) out.push(r);
    }
    return out;
  }

  /**
   * One finished call, or null. Without its time only a call found by id (a breach, a caller
   * left unanswered: storedRecord.findableById) is found, through the by-id index.
   */
  async one(id: string, at?: number): Promise<CallRecord | null> {
    if (at !== undefined) return (await this.many([{ id, at }]))[0] ?? null;
    const base = this.keys.durableBase(id);
    const newest = recordWhereBlock(recordHour(Date.now() + 86_400_000));
    const blocks = Math.ceil(((this.o.retentionDays ?? 400) + 2) * 24 / RECORD_WHERE_HOURS) + 1;
    const p = this.redis.pipeline();
    for (let b = newest; b > newest - blocks; b--) p.hget(this.keys.recordWhere(base, b), id);
    for (const [err, hour] of (await p.exec()) ?? []) {
      if (err) throw err;
      if (hour === null) continue;
      const text = await this.redis.hget(this.keys.recordBucket(base, Number(hour)), id);
      return text === null ? null : this.parse(id, text);
    }
    return null;
  }

  /** Calls still in progress. */
  async inProgress(): Promise<CallRecord[]> {
    // The collector's own JSON of each call (they change with every event; nothing to save there).
    const texts = await this.redis.hvals(this.keys.calls);
    const out: CallRecord[] = [];
    texts.forEach((text, i) => {
      try {
        const r = JSON.parse(text) as CallRecord;
        if (typeof r.linkedid !== 'string' || !Array.isArray(r.visits) || !Array.isArray(r.transfers)) throw new Error('not a call record');
        out.push(this.forgetting(r));
      } catch (e) {
        this.o.onBadRecord?.(`in-progress #${i}`, (e as Error).message);
      }
    });
    return out;
  }

  /** The record without its caller's number once that is past PHONE_RETENTION_DAYS. */
  private forgetting(r: CallRecord): CallRecord {
    const keep = this.o.phoneRetentionMs;
    if (keep !== undefined && r.callerIdNum && r.firstJoinedAt < Date.now() - keep) r.callerIdNum = '';
    return r;
  }

  private parse(id: string, text: string): CallRecord | null {
    try {
      // A record merged into another call is a marker (null): the other record holds its entries.
      const stored = decodeRecord(id, text);
      return stored && this.forgetting(stored.record);
    } catch (e) {
      this.o.onBadRecord?.(id, (e as Error).message);
      return null;
    }
  }

  private remember(r: CallRecord): void {
    if (this.cache.size >= this.maxCached) {
      // Oldest inserted first: Map keeps insertion order.
      const first = this.cache.keys().next().value;
      if (first !== undefined) this.cache.delete(first);
    }
    this.cache.set(r.linkedid, r);
  }
}
