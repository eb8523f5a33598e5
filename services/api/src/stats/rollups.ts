/**
 * Reads the rollups and indexes the collector keeps with every call record
 * (services/shared/src/rollup.ts): a period costs O(days × queues) hash fields, a breach or
 * abandoned list O(its entries) — never O(calls).
 */
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@belofte/shared/keys';
import { AGENT_ROLLUP, datesOf, decodeVector, LIST, QUEUE_ROLLUP, ROLLUP_SUFFIX, SUB, type AgentVector, type QueueVector } from '@belofte/shared/rollup';

export interface BreachEntry {
  id: string;
  at: number;
  firstQueue: string;
  queues: string[];
}

export interface AbandonedIndexEntry {
  id: string;
  at: number;
  leftAt: number;
  queue: string;
  short: boolean;
  caller: string | null;
}

export class RollupReader {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
  ) {}

  /** Per date: hash field → vector, summed over every durable base. */
  private async hashes<V>(suffixes: string[], decode: (text: string) => V, add: (into: V, v: V) => void, fields?: string[]): Promise<Array<Map<string, V>>> {
    const bases = this.keys.durableBases;
    const replies = await Promise.all(
      suffixes.flatMap((suffix) =>
        bases.map(async (base) => {
          if (!fields) return this.redis.hgetall(base + suffix);
          if (fields.length === 0) return {};
          const values = await this.redis.hmget(base + suffix, ...fields);
          const out: Record<string, string> = {};
          values.forEach((v, i) => {
            if (v !== null) out[fields[i]!] = v;
          });
          return out;
        }),
      ),
    );
    return suffixes.map((_, i) => {
      const out = new Map<string, V>();
      for (let b = 0; b < bases.length; b++) {
        for (const [field, text] of Object.entries(replies[i * bases.length + b]!)) {
          const v = decode(text);
          const have = out.get(field);
          if (have) add(have, v);
          else out.set(field, v);
        }
      }
      return out;
    });
  }

  /** Per date (in order): `queue SUB hour` → vector. */
  queueDays(dates: string[]): Promise<Array<Map<string, QueueVector>>> {
    return this.hashes(
      dates.map(ROLLUP_SUFFIX.queues),
      (t) => decodeVector(QUEUE_ROLLUP, t),
      (into, v) => {
        for (const [m, kind] of QUEUE_ROLLUP) into[m] = kind === 'max' ? Math.max(into[m], v[m]) : into[m] + v[m];
      },
    );
  }

  /** Per date (in order): agent (or `agent SUB queue`) → vector; only these fields when given. */
  agentDays(dates: string[], fields?: string[]): Promise<Array<Map<string, AgentVector>>> {
    return this.hashes(
      dates.map(ROLLUP_SUFFIX.agents),
      (t) => decodeVector(AGENT_ROLLUP, t),
      (into, v) => {
        for (const [m] of AGENT_ROLLUP) into[m] += v[m];
      },
      fields,
    );
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
    return (await this.index(ROLLUP_SUFFIX.breaches, from, to, timeZone)).map(([member, at]) => {
      const [firstQueue = '', id = '', queues = ''] = member.split(SUB);
      return { id, at, firstQueue, queues: queues ? queues.split(LIST) : [firstQueue] };
    }).sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Abandoned (and short-abandoned) queue entries that joined in [from, to), oldest first. */
  async abandoned(from: number, to: number, timeZone: string): Promise<AbandonedIndexEntry[]> {
    return (await this.index(ROLLUP_SUFFIX.abandoned, from, to, timeZone)).map(([member, at]) => {
      const [queue = '', id = '', leftAt = '', short = '0', caller = ''] = member.split(SUB);
      return { id, at, leftAt: Number(leftAt) || at, queue, short: short === '1', caller: caller || null };
    });
  }
}
