/** Tests use the real Redis at REDIS_URL (default 127.0.0.1:6379), each under its own key prefix. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testPrefix(name: string): string {
  return `belofte-test-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function connect(): Redis {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  return r;
}

/** Deletes every key under a prefix. */
export async function cleanPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}
