/**
 * Reads the rollups and indexes the collector keeps with every call record
 * (services/shared/src/rollup.ts): a period costs O(days × queues) hash fields, a breach or
 * abandoned list O(its entries) — never O(calls).
 */
import type { Keys } from '@belofte/shared/keys';
import { clientOf, type AnyRedis, type ClientSource } from '@belofte/shared/redis';
import { localDate } from '@belofte/shared/time';
import { addStoredVector, AGENT_ROLLUP, datesOf, LIST, namedVector, QUEUE_ROLLUP, ROLLUP_SUFFIX, SUB, type AgentVector, type QueueVector, type RollupKind } from '@belofte/shared/rollup';

export interface BreachEntry {
  id: string;
  at: number;
  firstQueue: string;
  queues: string[];
}

/** Breaches oldest first, then by id: the order every breach list is given in. */
export const breachOrder = (a: BreachEntry, b: BreachEntry): number => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function breachEntryOf(member: string, at: number): BreachEntry {
  const [firstQueue = '', id = '', queues = ''] = member.split(SUB);
  return { id, at, firstQueue, queues: queues ? queues.split(LIST) : [firstQueue] };
}

export interface AbandonedIndexEntry {
  id: string;
  at: number;
  leftAt: number;
  queue: string;
  short: boolean;
  caller: string | null;
}

/** From this many fields asked for at once, a rollup hash is read whole (see hashes()). */
const MANY_FIELDS = 64;

/**
 * Whole rollup hashes' fields asked for at once, about. A busy centre's hash of a day and
 * shard is some 120 fields (8 kB of reply); with every hash of a week asked for at once (a
 * megabyte) the client reads and parses them all in one go, and nothing else on the event
 * loop (a live read) runs until it is done. So the next hash is asked for as one is taken
 * in, as many in flight as hold about this many fields (the hashes read so far say how many
 * a hash holds), at least one and at most MAX_HASHES_IN_FLIGHT.
 */
const FIELDS_IN_FLIGHT = 1000;
const MAX_HASHES_IN_FLIGHT = 8;

/** Hash fields summed between two turns given back to the event loop (about a millisecond). */
const FIELDS_PER_TURN = 400;

/** Gives the event loop back for a turn (what waits for it, a live read, runs first). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

export class RollupReader {
  private readonly connection: () => AnyRedis;

  /** `redis`: a client, or where to get one when it is first needed (ApiContext.bulk). */
  constructor(
    redis: ClientSource,
    private readonly keys: Keys,
  ) {
    this.connection = clientOf(redis);
  }

  private get redis(): AnyRedis {
    return this.connection();
  }

  /**
   * Per date: hash field → vector, summed over every durable base. Fields asked for by name
   * (an agent's own view: a few) are asked of every shard at once; whole hashes (reports)
   * about FIELDS_IN_FLIGHT fields' worth at a time, in order, summed as they come in, giving
   * the event loop back every FIELDS_PER_TURN fields, so that a year's report never holds up
   * a live read for long.
   */
  private async hashes<M extends string>(suffixes: string[], metrics: ReadonlyArray<readonly [M, RollupKind]>, fields?: string[]): Promise<Array<Map<string, Record<M, number>>>> {
    const bases = this.keys.durableBases;
    const wanted = fields && fields.length >= MANY_FIELDS ? new Set(fields) : null;
    const whole = !fields || wanted !== null;
    const sums = suffixes.map(() => new Map<string, number[]>());
    if (!fields || fields.length > 0) {
      const keys = suffixes.flatMap((suffix, day) => bases.map((base) => [day, base + suffix] as const));
      const read = (key: string): Promise<Record<string, string>> => {
        const reply = whole ? this.redis.hgetall(key) : this.byName(key, fields!);
        // Awaited in order below: one failing while an earlier one is awaited is not unhandled.
        reply.catch(() => undefined);
        return reply;
      };
      // Whole hashes: a few until the first say how big they are. By name (a few fields
      // each): every shard at once.
      let window = whole ? 4 : keys.length;
      const replies: Array<Promise<Record<string, string>> | undefined> = [];
      let fieldsRead = 0;
      for (let i = 0; i < keys.length; i++) {
        while (replies.length < Math.min(keys.length, i + window)) replies.push(read(keys[replies.length]![1]));
        const reply = await replies[i]!;
        replies[i] = undefined;
        const day = sums[keys[i]![0]]!;
        for (const field in reply) {
          if (++fieldsRead % FIELDS_PER_TURN === 0) await nextTurn();
          // Asking for many fields by name costs more than the whole hash (its fields are
          // those with calls of that day in that shard): taken whole, those asked for kept.
          if (wanted && !wanted.has(field)) continue;
          let acc = day.get(field);
          if (!acc) day.set(field, (acc = new Array<number>(metrics.length).fill(0)));
          addStoredVector(acc, metrics, reply[field]!);
        }
        if (whole) window = Math.max(1, Math.min(MAX_HASHES_IN_FLIGHT, Math.floor((FIELDS_IN_FLIGHT * (i + 1)) / Math.max(1, fieldsRead))));
      }
    }
    return sums.map((day) => {
      const named = new Map<string, Record<M, number>>();
      for (const [field, values] of day) named.set(field, namedVector(metrics, values));
      return named;
    });
  }

  /** These fields of one hash, those present. */
  private async byName(key: string, fields: string[]): Promise<Record<string, string>> {
    const values = await this.redis.hmget(key, ...fields);
    // No prototype: an agent named __proto__ is a field like any other.
    const out: Record<string, string> = Object.create(null);
    values.forEach((v, i) => {
      if (v !== null) out[fields[i]!] = v;
    });
    return out;
  }

  /** Per date (in order): `queue SUB hour` → vector. */
  queueDays(dates: string[]): Promise<Array<Map<string, QueueVector>>> {
    return this.hashes(dates.map(ROLLUP_SUFFIX.queues), QUEUE_ROLLUP);
  }

  /** Per date (in order): agent (or `agent SUB queue`) → vector; only these fields when given. */
  agentDays(dates: string[], fields?: string[]): Promise<Array<Map<string, AgentVector>>> {
    return this.hashes(dates.map(ROLLUP_SUFFIX.agents), AGENT_ROLLUP, fields);
  }

  private async index(suffix: (date: string) => string, from: number, to: number, timeZone: string): Promise<Array<[member: string, score: number]>> {
    const keys = datesOf(from, to, timeZone).flatMap((d) => this.keys.durableBases.map((b) => b + suffix(d)));
    const replies = await Promise.all(keys.map((k) => this.redis.zrangebyscore(k, Math.floor(from), `(${Math.ceil(to)}`, 'WITHSCORES')));
    const out: Array<[string, number]> = [];
    for (const r of replies) for (let i = 0; i < r.length; i += 2) out.push([r[i]!, Number(r[i + 1])]);
    return out.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Breaches whose call's first queue entry is in [from, to), oldest first. */
  async breaches(from: number, to: number, timeZone: string): Promise<BreachEntry[]> {
    return (await this.index(ROLLUP_SUFFIX.breaches, from, to, timeZone)).map(([member, at]) => breachEntryOf(member, at)).sort(breachOrder);
  }

  /** One call's entry in the breach index (its first queue entry was at `at`), or null when it is not booked as a breach. */
  async breach(id: string, at: number, timeZone: string): Promise<BreachEntry | null> {
    // The entry lives in the call's own shard, on the local date of its first entry, at that score.
    const members = await this.redis.zrangebyscore(this.keys.durableBase(id) + ROLLUP_SUFFIX.breaches(localDate(at, timeZone)), at, at);
    for (const m of members) {
      const b = breachEntryOf(m, at);
      if (b.id === id) return b;
    }
    return null;
  }

  /** Abandoned (and short-abandoned) queue entries that joined in [from, to), oldest first. */
  async abandoned(from: number, to: number, timeZone: string): Promise<AbandonedIndexEntry[]> {
    return (await this.index(ROLLUP_SUFFIX.abandoned, from, to, timeZone)).map(([member, at]) => {
      const [queue = '', id = '', leftAt = '', short = '0', caller = ''] = member.split(SUB);
      return { id, at, leftAt: Number(leftAt) || at, queue, short: short === '1', caller: caller || null };
    });
  }
}
