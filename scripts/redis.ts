/**
 * Finding Redis for `npm start` and the tests: use the one at REDIS_URL; where nothing
 * answers on a local address and `redis-server` is installed, start one and say so.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';

export async function redisAnswers(url: string, timeoutMs = 1_500): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Starts a local redis-server for REDIS_URL's port; append-only so a restart keeps the figures. */
export async function startLocalRedis(url: string, dataDir: string): Promise<ChildProcess> {
  const u = new URL(url);
  const port = u.port || '6379';
  mkdirSync(dataDir, { recursive: true });
  const child = spawn('redis-server', ['--port', port, '--bind', '127.0.0.1', '--dir', path.resolve(dataDir), '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 500)) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`started redis-server on port ${port} but it does not answer`);
}

export function isLocal(url: string): boolean {
  try {
    return ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}
