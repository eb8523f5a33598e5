/**
 * The Redis client every process uses: a single server from REDIS_URL, or a Redis Cluster
 * when REDIS_CLUSTER_NODES lists its nodes. Every key of a site carries the `{site}` hash
 * tag, so scripts, MULTIs and pipelines stay within one slot either way.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.ts';

export type AnyRedis = Redis | Cluster;

/** A client, or where to get one when it is first needed (a connection made on first use). */
export type ClientSource = AnyRedis | (() => AnyRedis);
export const clientOf = (source: ClientSource): (() => AnyRedis) => (typeof source === 'function' ? source : () => source);

export interface ClientOptions {
  /** Fail commands at once while disconnected (the collector buffers itself); default true. */
  failFast?: boolean;
}

export function createRedis(config: Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_NODES'>, o: ClientOptions = {}): AnyRedis {
  const failFast = o.failFast ?? true;
  const options: RedisOptions = failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : { maxRetriesPerRequest: null };
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = config.REDIS_CLUSTER_NODES.split(',').map((n) => {
      const u = new URL(n.includes('://') ? n : `redis://${n}`);
      return { host: u.hostname, port: Number(u.port || 6379) };
    });
    // The cluster client must queue while it learns the slot map, whatever failFast says.
    return new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 1 }, enableOfflineQueue: true });
  }
  return new Redis(config.REDIS_URL, options);
}

/** Resolves when the client is ready (or rejects after timeoutMs). */
export function whenReady(r: AnyRedis, timeoutMs = 10_000): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`Redis not ready within ${timeoutMs} ms`)), timeoutMs);
    r.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

/**
 * Redis cannot be reached: what a read failed with while the client was not connected. The
 * API answers it with 503 `unavailable` (every other error is a 500), and the wallboard greys
 * its figures out with the message.
 */
export class RedisUnavailable extends Error {
  constructor(cause: unknown) {
    super(`Redis does not answer (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.name = 'RedisUnavailable';
  }
}

/**
 * The error a Redis read failed with, typed: RedisUnavailable when the client is not
 * connected right now (ioredis fails fast with assorted messages then), the error itself
 * otherwise (a script error, a bug).
 */
export function asUnavailable(redis: AnyRedis, e: unknown): unknown {
  if (e instanceof RedisUnavailable) return e;
  return redis.status === 'ready' ? e : new RedisUnavailable(e);
}

/** The one "unavailable" body: of a 503 answer and of a /ws error frame. */
export function unavailableBody(e: RedisUnavailable, at?: number): { error: 'unavailable'; message: string; at?: string } {
  const body: { error: 'unavailable'; message: string; at?: string } = { error: 'unavailable', message: `figures unavailable: ${e.message}` };
  if (at !== undefined) body.at = new Date(at).toISOString();
  return body;
}
