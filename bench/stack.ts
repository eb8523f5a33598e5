/**
 * The production shape on loopback: a fake switch in this process, the collector and the API
 * as child processes started the way production starts them (`tsx services/.../main.ts`
 * with environment variables), the real Redis under a throw-away prefix.
 */
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { startSimulator, type Simulator } from '@belofte/simulator';
import { REDIS_URL, benchPrefix, connectRedis, log, onCleanup, spawnTs, waitFor, within, type Child } from './lib.ts';

export interface Stack {
  /** The fake switch: the simulator playing only the frames the benchmark sends. */
  sw: Simulator;
  collector: Child;
  api: Child;
  apiPort: number;
  prefix: string;
  redis: Redis;
  stop(): Promise<void>;
}

/** `env`: more of the children's environment (tokens, time zone), on top of the stack's own. */
export async function startStack(name: string, extraEnv: Record<string, string> = {}): Promise<Stack> {
  const redis = connectRedis();
  onCleanup(() => redis.disconnect());
  const prefix = benchPrefix(name, redis);
  const sw = await startSimulator({ port: 0, scripted: true });
  onCleanup(() => sw.close());
  const env = {
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(sw.port),
    REDIS_URL,
    REDIS_PREFIX: prefix,
    BELOFTE_SITE: 'main',
    HOST: '127.0.0.1',
    PORT: '0',
    // The collector's own /metrics server: any free port, loopback only (HOST above).
    COLLECTOR_METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    ...extraEnv,
  };
  // BENCH_CPU_PROF=<dir>: both children write a V8 CPU profile there when they stop.
  const prof = process.env.BENCH_CPU_PROF;
  const nodeArgs = prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [];
  const collector = spawnTs('services/collector/src/main.ts', { name: 'collector', env, nodeArgs });
  const api = spawnTs('services/api/src/main.ts', { name: 'api', env, nodeArgs });
  const ready = await api.line((l) => l.includes('wallboard ready'), 30_000, 'the API to listen');
  const apiPort = Number(/:(\d+)\//.exec((JSON.parse(ready) as { url: string }).url)![1]);
  try {
    await waitFor(() => (sw.counters().listeners > 0 && sw.counters().resyncs >= 2 ? true : undefined), 30_000, 'the collector to log in and resync');
  } catch (e) {
    throw new Error(`${(e as Error).message}\ncollector output:\n${collector.tail()}`);
  }
  log(`${name}: switch :${sw.port}, collector pid ${collector.pid}, API pid ${api.pid} on :${apiPort}, prefix ${prefix}`);
  return {
    sw,
    collector,
    api,
    apiPort,
    prefix,
    redis,
    async stop() {
      await api.stop();
      await collector.stop();
      await sw.close();
    },
  };
}

export interface SnapshotClient {
  ws: WebSocket;
  frames: number;
  close(): void;
}

/**
 * One wallboard: a WebSocket on /ws. `onOffered(total.offered, arrivedAt)` for every figures
 * frame, with the arrival time taken before the JSON is parsed.
 */
export async function wallboard(port: number, onOffered: (offered: number, arrivedAt: number) => void): Promise<SnapshotClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const c: SnapshotClient = {
    ws,
    frames: 0,
    close: () => ws.terminate(),
  };
  ws.on('message', (data) => {
    const at = performance.now();
    c.frames++;
    const doc = JSON.parse(String(data)) as { total?: { offered: number } };
    if (doc.total) onOffered(doc.total.offered, at);
  });
  ws.on('error', () => undefined);
  await within(
    new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    }),
    10_000,
    'a WebSocket to open',
  );
  onCleanup(() => c.close());
  return c;
}
