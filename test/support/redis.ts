/** Tests use the real Redis at REDIS_URL (default 127.0.0.1:6379), each under its own key prefix. */
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';

export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A key prefix of a test's own. TEST_REDIS_PREFIX (default belofte-test) starts every one, so
 * runs that share a Redis with other work keep to keys they are allowed to touch.
 */
export function testPrefix(name: string): string {
  return `${process.env.TEST_REDIS_PREFIX ?? 'belofte-test'}-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export function connect(url = redisUrl): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  return r;
}

/** Deletes every key under a prefix (on every master of a cluster). */
export async function cleanPrefix(redis: Redis | Cluster, prefix: string): Promise<void> {
  if (redis instanceof Cluster) {
    for (const node of redis.nodes('master')) await cleanPrefix(node, prefix);
    return;
  }
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (found.length) await redis.del(...found);
  } while (cursor !== '0');
}

/** A redis-server of a test's own on a free loopback port (append-only, so a restart keeps its data). */
export interface OwnRedis {
  url: string;
  port: number;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export async function ownRedis(dir: string): Promise<OwnRedis> {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  let child: import('node:child_process').ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.end();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  await start();
  return {
    url,
    port,
    start,
    async kill() {
      const c = child;
      if (!c) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.kill('SIGKILL');
      });
      child = null;
    },
  };
}

/** A Redis Cluster of `n` masters on free loopback ports, each its own redis-server. */
export interface OwnCluster {
  nodes: string;
  stop(): Promise<void>;
}

export async function ownCluster(dir: string, n = 3): Promise<OwnCluster> {
  const { spawn, execFileSync } = await import('node:child_process');
  const net = await import('node:net');
  const { mkdirSync } = await import('node:fs');
  const freePort = () =>
    new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
  const ports: number[] = [];
  // Cluster bus ports are port + 10000: keep both under 65536.
  while (ports.length < n) {
    const p = await freePort();
    if (p < 55000 && !ports.includes(p)) ports.push(p);
  }
  const children = ports.map((port) => {
    const d = `${dir}/${port}`;
    mkdirSync(d, { recursive: true });
    return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', d, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--appendonly', 'no', '--save', ''], { stdio: 'ignore' });
  });
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise<void>((resolve) => (c.exitCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGKILL'))))));
  };
  try {
    for (const port of ports) {
      for (let i = 0; ; i++) {
        try {
          execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'pipe' });
          break;
        } catch {
          if (i > 100) throw new Error(`cluster node ${port} did not start`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'pipe' });
    for (let i = 0; ; i++) {
      const info = ports.map((p) => execFileSync('redis-cli', ['-p', String(p), 'cluster', 'info'], { encoding: 'utf8' }));
      if (info.every((x) => x.includes('cluster_state:ok'))) break;
      if (i > 200) throw new Error('cluster did not become ok');
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), stop };
}
