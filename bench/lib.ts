/**
 * What every benchmark shares: logging to stderr (stdout belongs to the result), timing and
 * statistics, child processes that are always killed, throw-away Redis prefixes that are
 * always deleted, and CPU/RSS readings of another process from /proc.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Rng } from '@belofte/simulator/rng';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Progress goes to stderr: `--json` keeps stdout for the one result object. */
export function log(...parts: unknown[]): void {
  process.stderr.write(`[bench] ${parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ')}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves with `check()`'s first defined value, or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Rejects when `p` has not settled within `ms`: no benchmark step may hang the run. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile (p in 0..100) of an unsorted sample. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

/** Least-squares slope of y over x. */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function round(x: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** The simulator's seeded generator, as a function: the same load in every run. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

// ------------------------------------------------------------------ cleanup

type Cleanup = () => void | Promise<void>;
const cleanups: Cleanup[] = [];
const children = new Set<ChildProcess>();

/** Registers something to undo when the benchmark ends, however it ends (last in, first out). */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

let cleaning: Promise<void> | null = null;

/**
 * Runs and forgets every registered cleanup, last registered first (children stop before
 * their Redis keys are deleted, keys before the connection closes); errors are logged, never
 * thrown. One pass at a time: a signal arriving while a benchmark is cleaning up joins that
 * pass instead of interleaving with it.
 */
export function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      try {
        await within(Promise.resolve(fn()), 10_000, 'cleanup');
      } catch (e) {
        log(`cleanup failed: ${(e as Error).message}`);
      }
    }
  })().finally(() => {
    cleaning = null;
  });
  return cleaning;
}

function killAllChildrenNow(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

// A crash or Ctrl-C must not leave collectors, APIs or socket farms running.
process.once('exit', killAllChildrenNow);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    log(`${sig}: stopping children and deleting bench keys`);
    // Whatever the benchmark does next may register more (or fail and clean up itself):
    // clean until nothing is left, then go.
    void (async () => {
      for (let i = 0; i < 5 && (cleanups.length || cleaning); i++) {
        await runCleanups();
        await sleep(200);
      }
    })().finally(() => process.exit(130));
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Resolves with the first stdout line that `match` accepts. */
  line(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node [nodeArgs] --import tsx <script>` (TypeScript straight from the tree, as in
 * production's `tsx`), with `env` on top of ours. The process is killed at cleanup.
 */
export function spawnTs(script: string, o: { env?: Record<string, string>; nodeArgs?: string[]; args?: string[]; ipc?: boolean; name: string }): Child {
  const stdio: StdioOptions = o.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const proc = spawn(process.execPath, [...(o.nodeArgs ?? []), '--import', 'tsx', path.resolve(ROOT, script), ...(o.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...o.env },
    stdio,
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const lines: string[] = [];
  const waiters: Array<{ match: (l: string) => boolean; resolve: (l: string) => void }> = [];
  const take = (stream: NodeJS.ReadableStream | null, isStdout: boolean) => {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) {
        lines.push(l);
        if (lines.length > 40) lines.shift();
        if (!isStdout) continue;
        for (let i = waiters.length - 1; i >= 0; i--) {
          if (waiters[i]!.match(l)) {
            waiters[i]!.resolve(l);
            waiters.splice(i, 1);
          }
        }
      }
    });
  };
  take(proc.stdout, true);
  take(proc.stderr, false);
  const child: Child = {
    proc,
    pid: proc.pid!,
    tail: () => lines.slice(-15).join('\n'),
    line(match, timeoutMs, what) {
      return within(
        new Promise<string>((resolve, reject) => {
          waiters.push({ match, resolve });
          proc.once('exit', (code) => reject(new Error(`${o.name} exited (${code}) before ${what}:\n${child.tail()}`)));
        }),
        timeoutMs,
        `${o.name}: ${what}`,
      );
    },
    async stop(graceMs = 3_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
  onCleanup(() => child.stop());
  return child;
}

// ------------------------------------------------------------------ /proc

const CLK_TCK = 100; // Linux's USER_HZ on every architecture Node runs on.

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: count fields after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Resident set size of a process, in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU use of a process over a stretch of wall time, as % of one core. */
export class CpuMeter {
  private cpu0: number;
  private t0: number;
  constructor(readonly pid: number) {
    this.cpu0 = cpuSeconds(pid);
    this.t0 = performance.now();
  }
  percent(): number {
    return (100 * (cpuSeconds(this.pid) - this.cpu0)) / ((performance.now() - this.t0) / 1000);
  }
}

/**
 * The whole machine's CPU over a stretch of time (from /proc/stat), and how many processes
 * were runnable at the end: other work on a shared machine shows up here, not in our figures.
 */
export class MachineCpu {
  private t0 = MachineCpu.read();
  private static read(): { busy: number; total: number } {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { busy: total - idle, total };
  }
  busyPercent(): number {
    const t1 = MachineCpu.read();
    return (100 * (t1.busy - this.t0.busy)) / Math.max(1, t1.total - this.t0.total);
  }
  static runnable(): number {
    const m = /procs_running (\d+)/.exec(readFileSync('/proc/stat', 'utf8'));
    return m ? Number(m[1]) : NaN;
  }
}

// ------------------------------------------------------------------ Redis

export function connectRedis(): Redis {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: false });
  r.on('error', () => undefined);
  return r;
}

/** A prefix no one else uses; every key under it is deleted at cleanup. */
export function benchPrefix(name: string, redis: Redis): string {
  const prefix = `belofte-bench-${name}-${process.pid}-${randomBytes(3).toString('hex')}`;
  onCleanup(async () => {
    await deletePrefix(redis, prefix);
  });
  return prefix;
}

export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    if (found.length) n += await redis.unlink(...found);
  } while (cursor !== '0');
  return n;
}

/** Redis's own process id, to read its CPU from /proc (the server is on this machine). */
export async function redisPid(redis: Redis): Promise<number | null> {
  const info = await redis.info('server');
  const m = /process_id:(\d+)/.exec(info);
  const pid = m ? Number(m[1]) : null;
  try {
    if (pid) cpuSeconds(pid);
    return pid;
  } catch {
    return null;
  }
}

/** Binds 127.0.0.1 only. */
export function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}
