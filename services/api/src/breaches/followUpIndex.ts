/**
 * Which breaches of a period may have a follow-up (`keys.breachFollowUps`, a sorted set by the
 * call's first queue entry), so that the follow-up counts of a week, month or year read one
 * hash per breach that was followed up, not one per breach: at a national centre a week holds
 * tens of thousands of breaches and a handful of follow-ups.
 *
 * Follow-ups recorded before the index existed are added to it once, in the background, the
 * first time it is asked for (a SCAN of the site's follow-up hashes); until that is done the
 * period reads fall back to every breach of the breach index, which gives the same counts.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Keys } from '@belofte/shared/keys';
import { clientOf, type AnyRedis, type ClientSource } from '@belofte/shared/redis';
import type { CallRecords } from '../records/reader.ts';
import { breachOrder, type BreachEntry, type RollupReader } from '../stats/rollups.ts';

/** The index entry for a breach about to be followed up: ZADD before the change, trimmed to the retention. */
export function indexFollowUp(redis: Redis | Cluster, keys: Keys, o: { id: string; firstJoinedAt: number; keepFromMs: number }): Promise<unknown> {
  // Added before the change itself: a superset is harmless (an id without a follow-up counts
  // nothing), a follow-up missing from the index would not be.
  return redis.multi().zadd(keys.breachFollowUps, Math.round(o.firstJoinedAt), o.id).zremrangebyscore(keys.breachFollowUps, '-inf', `(${Math.floor(o.keepFromMs)}`).exec();
}

/** Breach-index lookups sent at once by between(). */
const LOOKUPS_AT_ONCE = 100;

export class FollowedUpBreaches {
  private complete = false;
  private backfilling: Promise<void> | null = null;
  private readonly connection: () => AnyRedis;

  /** `redis`: a client, or where to get one when it is first needed (ApiContext.bulk). */
  constructor(
    redis: ClientSource,
    private readonly keys: Keys,
    private readonly rollups: RollupReader,
    private readonly records: CallRecords,
    private readonly log: Logger,
  ) {
    this.connection = clientOf(redis);
  }

  private get redis(): AnyRedis {
    return this.connection();
  }

  /**
   * The breaches booked in [from, to) that may have a follow-up, oldest first, as the breach
   * index gives them (first queue, the queues visited). A breach the index no longer books
   * (a rebuild with other thresholds, a call merged into another) is left out, as the breach
   * index leaves it out.
   */
  async between(from: number, to: number, timeZone: string): Promise<BreachEntry[]> {
    if (!(await this.isComplete())) return this.rollups.breaches(from, to, timeZone);
    const r = await this.redis.zrangebyscore(this.keys.breachFollowUps, Math.floor(from), `(${Math.ceil(to)}`, 'WITHSCORES');
    const out: BreachEntry[] = [];
    // A slice of lookups at a time: a year's follow-ups asked for in one go are one long
    // stretch of sending, and then of parsing, that a live read on the event loop waits behind.
    for (let start = 0; start < r.length; start += 2 * LOOKUPS_AT_ONCE) {
      const asked: Array<Promise<BreachEntry | null>> = [];
      for (let i = start; i < Math.min(r.length, start + 2 * LOOKUPS_AT_ONCE); i += 2) asked.push(this.rollups.breach(r[i]!, Number(r[i + 1]), timeZone));
      for (const b of await Promise.all(asked)) if (b !== null) out.push(b);
    }
    return out.sort(breachOrder);
  }

  private async isComplete(): Promise<boolean> {
    if (this.complete) return true;
    if ((await this.redis.get(this.keys.breachFollowUpsComplete)) === '1') return (this.complete = true);
    this.backfilling ??= this.backfill().then(
      () => {
        this.backfilling = null;
      },
      (e: unknown) => {
        this.backfilling = null;
        this.log.warn({ err: (e as Error).message, site: this.keys.site }, 'could not index the earlier breach follow-ups yet; will try again');
      },
    );
    return false;
  }

  /** Every follow-up hash of the site into the index, then the mark that it is complete. */
  private async backfill(): Promise<void> {
    const prefix = this.keys.breachFollowUp('');
    const nodes = 'nodes' in this.redis && typeof this.redis.nodes === 'function' ? this.redis.nodes('master') : [this.redis as Redis];
    let added = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        const ids = found.filter((k) => !k.endsWith(':audit')).map((k) => k.slice(prefix.length));
        // Breaches are found by id alone (storedRecord.findableById).
        const records = (await Promise.all(ids.map((id) => this.records.one(id)))).filter((r) => r !== null);
        if (records.length > 0) await this.redis.zadd(this.keys.breachFollowUps, ...records.flatMap((r) => [Math.round(r.firstJoinedAt), r.linkedid]));
        added += records.length;
      } while (cursor !== '0');
    }
    await this.redis.set(this.keys.breachFollowUpsComplete, '1');
    this.complete = true;
    this.log.info({ site: this.keys.site, followUps: added }, 'earlier breach follow-ups indexed');
  }
}
