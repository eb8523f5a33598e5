/**
 * Reads the collector's call records: finished calls (one JSON string each, indexed by first
 * queue entry) and the calls still in progress.
 *
 * Records of calls that ended more than two hours ago are kept in memory: the collector
 * forgets a finished call an hour after it ends, so such a record can no longer be rewritten.
 * The agent view re-reads this week's records every few seconds; with the cache it only
 * fetches the calls of the last two hours.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Keys } from '@belofte/shared/keys';
import { storedRecordJson } from '@belofte/shared/rollup';

/** A call's later entries can fall in a period its first entry precedes: read this much earlier. */
export const CALL_SPAN_MARGIN_MS = 24 * 3_600_000;
const SETTLED_AFTER_MS = 2 * 3_600_000;
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
  onBadRecord?: (id: string, error: string) => void;
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

  /** Finished calls whose first queue entry is in [from − margin, to). */
  async finished(from: number, to: number, now = Date.now(), marginMs = CALL_SPAN_MARGIN_MS): Promise<CallRecord[]> {
    // Every shard's index (records spread over cluster slots), merged in first-entry order.
    const replies = await Promise.all(this.keys.durableBases.map((b) => this.redis.zrangebyscore(this.keys.recordsIndex(b), Math.floor(from - marginMs), `(${Math.ceil(to)}`, 'WITHSCORES')));
    const scored: Array<[string, number]> = [];
    for (const r of replies) for (let i = 0; i < r.length; i += 2) scored.push([r[i]!, Number(r[i + 1])]);
    const ids = scored.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id]) => id);
    const out: CallRecord[] = [];
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache.get(id);
      if (hit) out.push(this.forgetting(hit));
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      // One GET each: the records of a chunk live in different slots.
      const texts = await Promise.all(chunk.map((id) => this.redis.get(this.keys.record(id))));
      texts.forEach((text, j) => {
        // Null: the record outlived its retention and expired; its index entry remains.
        if (text === null) return;
        const r = this.parse(chunk[j]!, text);
        if (!r) return;
        out.push(r);
        if (r.endedAt !== null && now - r.endedAt > SETTLED_AFTER_MS) this.remember(r);
      });
    }
    return out;
  }

  /** These finished calls (those still kept), in the order asked. */
  async many(ids: string[]): Promise<CallRecord[]> {
    const out: CallRecord[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const texts = await Promise.all(chunk.map((id) => this.redis.get(this.keys.record(id))));
      texts.forEach((text, j) => {
        const r = text === null ? null : this.parse(chunk[j]!, text);
        if (r) out.push(r);
      });
    }
    return out;
  }

  /** One finished call, or null. */
  async one(id: string): Promise<CallRecord | null> {
    const text = await this.redis.get(this.keys.record(id));
    return text === null ? null : this.parse(id, text);
  }

  /** Calls still in progress. */
  async inProgress(): Promise<CallRecord[]> {
    const texts = await this.redis.hvals(this.keys.calls);
    return texts.map((t, i) => this.parse(`in-progress #${i}`, t)).filter((r): r is CallRecord => r !== null);
  }

  /** The record without its caller's number once that is past PHONE_RETENTION_DAYS. */
  private forgetting(r: CallRecord): CallRecord {
    const keep = this.o.phoneRetentionMs;
    if (keep !== undefined && r.callerIdNum && r.firstJoinedAt < Date.now() - keep) r.callerIdNum = '';
    return r;
  }

  private parse(id: string, text: string): CallRecord | null {
    // A record merged into another call is a marker: the other record holds its entries.
    const json = storedRecordJson(text);
    if (json === null) return null;
    try {
      const r = JSON.parse(json) as CallRecord;
      if (typeof r.linkedid !== 'string' || !Array.isArray(r.visits) || !Array.isArray(r.transfers)) throw new Error('not a call record');
      return this.forgetting(r);
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
