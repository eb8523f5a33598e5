/**
 * Reads the rollups and indexes the collector keeps with every call record
 * (services/shared/src/rollup.ts): a period costs O(days × queues) hash fields, a breach or
 * abandoned list O(its entries) — never O(calls).
 */
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@belofte/shared/keys';
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

export class RollupReader {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
  ) {}

  /**
   * Per date: hash field → vector, summed over every durable base. Every shard is asked at
   * once; the replies are added up a date at a time, giving the event loop back in between,
   * so a year's report never holds up a live read for long.
   */
  private async hashes<M extends string>(suffixes: string[], metrics: ReadonlyArray<readonly [M, RollupKind]>, fields?: string[]): Promise<Array<Map<string, Record<M, number>>>> {
    const bases = this.keys.durableBases;
    const wanted = fields && fields.length >= MANY_FIELDS ? new Set(fields) : null;
    const days = suffixes.map((suffix) =>
      Promise.all(
        bases.map(async (base): Promise<Record<string, string>> => {
          if (!fields) return this.redis.hgetall(base + suffix);
          if (fields.length === 0) return {};
          if (wanted) {
            // Asking for many fields by name costs more than the whole hash (its fields are
            // those with calls of that day in that shard): take it whole, keep those asked for.
            const all = await this.redis.hgetall(base + suffix);
            const out: Record<string, string> = Object.create(null);
            for (const field in all) if (wanted.has(field)) out[field] = all[field]!;
            return out;
          }
          const values = await this.redis.hmget(base + suffix, ...fields);
          // No prototype: an agent named __proto__ is a field like any other.
          const out: Record<string, string> = Object.create(null);
          values.forEach((v, i) => {
            if (v !== null) out[fields[i]!] = v;
          });
          return out;
        }),
      ),
    );
    const out: Array<Map<string, Record<M, number>>> = [];
    for (const day of days) {
      const sums = new Map<string, number[]>();
      for (const reply of await day) {
        for (const field in reply) {
          let acc = sums.get(field);
          if (!acc) sums.set(field, (acc = new Array<number>(metrics.length).fill(0)));
          addStoredVector(acc, metrics, reply[field]!);
        }
      }
      const named = new Map<string, Record<M, number>>();
      for (const [field, values] of sums) named.set(field, namedVector(metrics, values));
      out.push(named);
      if (days.length > 1) await new Promise<void>((resolve) => setImmediate(resolve));
    }
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
