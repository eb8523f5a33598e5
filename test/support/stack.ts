/** Starting real pieces for integration tests: API processes and collectors on loopback. */
import { pino } from 'pino';
import type { Cluster, Redis } from 'ioredis';
import { createRedis } from '@belofte/shared/redis';
import { loadConfig, type Config } from '@belofte/shared/config';
import { startApi, type ApiServer } from '@belofte/api/server';
import type { FanoutOptions } from '@belofte/api/push/fanout';
import type { EvaluatorOptions } from '@belofte/api/alerts/evaluator';
import { cleanPrefix, connect, redisUrl, testPrefix } from './redis.ts';
import WebSocket from 'ws';
import type { LiveSnapshot, QueueFigures } from '@belofte/shared/figures';
import { applyLiveFrame, type LiveFrame } from '@belofte/shared/liveFrame';
import { Collector } from '@belofte/collector/collector';
import { startSimulator, type FixedLoad, type Scenario, type Simulator } from '@belofte/simulator';
import { asTruth } from './captures.ts';
import type { TruthQueue } from '@belofte/simulator/truth';

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function testConfig(prefix: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ REDIS_URL: redisUrl, REDIS_PREFIX: prefix, PORT: '0', HOST: '127.0.0.1', BELOFTE_SITE: 'main', ...extra });
}

export interface RunningApi extends ApiServer {
  url: string;
  stop(): Promise<void>;
}

/** A client for the config's Redis: the single server, or the cluster when REDIS_CLUSTER_NODES is set. */
export function connectFor(config: Config): Redis | Cluster {
  if (!config.REDIS_CLUSTER_NODES) return connect(config.REDIS_URL);
  const c = createRedis(config, { failFast: false });
  c.on('error', () => undefined);
  return c;
}

export async function apiFor(config: Config, heartbeatMs = 5_000, fanout?: FanoutOptions, alerts?: EvaluatorOptions): Promise<RunningApi> {
  const redis = connectFor(config);
  const subscriber = connectFor(config);
  const api = await startApi({ config, redis, subscriber, log: quietLog, heartbeatMs, fanout, alerts });
  return {
    ...api,
    url: `http://127.0.0.1:${api.port}`,
    async stop() {
      await api.close();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Waits until `check` returns a value (not undefined) or the time is up. */
export async function until<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


export interface LivePath {
  sim: Simulator;
  collector: Collector;
  config: Config;
  /** Stops the collector (as SIGTERM would) and starts a fresh one on the same Redis keys. */
  restartCollector(gapMs?: number): Promise<void>;
  api: RunningApi;
  /** Every frame the WebSocket client received. */
  frames: LiveSnapshot[];
  /** Error frames (figures unavailable) the client received. */
  errors: Array<{ error: string; message: string }>;
  latest(): LiveSnapshot | undefined;
  stop(): Promise<void>;
}

/** Simulator → collector → Redis → API → a WebSocket client, all real, on loopback. */
export async function startLivePath(o: { name: string; scenario?: Scenario; load?: FixedLoad; speed: number; env?: Record<string, string>; window?: string; prefix?: string }): Promise<LivePath> {
  // Several sites share one prefix (one Redis, one API for all): pass the same `prefix`.
  const prefix = o.prefix ?? testPrefix(o.name);
  const sim = await startSimulator({ port: 0, speed: o.speed, scenario: o.scenario, load: o.load, username: 'belofte', secret: 'sesame' });
  const config = testConfig(prefix, {
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(sim.port),
    AMI_SECRET: 'sesame',
    AMI_RECONNECT_MIN_MS: '50',
    AMI_RECONNECT_MAX_MS: '500',
    ...o.env,
  });
  const redis = connectFor(config);
  let collector = new Collector(config, redis, quietLog);
  await collector.start();
  const api = await apiFor(config, 500);
  const frames: LiveSnapshot[] = [];
  const errors: Array<{ error: string; message: string }> = [];
  const ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws?window=${o.window ?? '24h'}`);
  ws.on('message', (d) => {
    const doc = JSON.parse(String(d));
    // Frames after the first carry only the agent tiles that changed: keep the whole document.
    if (doc.total) frames.push(applyLiveFrame(frames.at(-1) ?? null, doc as LiveFrame)!);
    else if (doc.error) errors.push(doc);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    sim,
    get collector() {
      return collector;
    },
    config,
    async restartCollector(gapMs = 0) {
      await collector.stop();
      await new Promise((r) => setTimeout(r, gapMs));
      collector = new Collector(config, redis, quietLog);
      await collector.start();
    },
    api,
    frames,
    errors,
    latest: () => frames.at(-1),
    async stop() {
      ws.close();
      await api.stop();
      await collector.stop();
      await sim.close();
      await cleanPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export { asTruth };

/**
 * Waits until the socket shows exactly `want` per queue, with nobody waiting (and, if asked,
 * the collector connected). Fails with what it last saw beside what it wanted.
 */
export async function untilQueuesEqual(
  p: LivePath,
  want: Record<string, TruthQueue>,
  o: { timeoutMs?: number; what?: string; connected?: boolean } = {},
): Promise<LiveSnapshot> {
  const wanted = JSON.stringify(want);
  let got = '';
  return until(
    () => {
      const s = p.latest();
      if (!s) return undefined;
      got = JSON.stringify(Object.fromEntries(Object.entries(s.queues).map(([q, f]) => [q, asTruth(f)])));
      return got === wanted && s.total.waiting === 0 && (!o.connected || s.health.collectorConnected) ? s : undefined;
    },
    o.timeoutMs ?? 10_000,
    o.what ?? 'the figures the simulator played',
  ).catch((e: Error) => {
    throw new Error(`${e.message}: got ${got}, want ${wanted}`);
  });
}

/**
 * A time zone in which `now` is well inside a day (3 h after its midnight, 1 h before the next):
 * Europe/Amsterdam, unless the tests run around Amsterdam's midnight. Tests that place calls
 * "two hours ago, today" use it, so they pass whatever the time of day they run at.
 */
export function dayTimeZone(now = Date.now()): string {
  for (const tz of ['Europe/Amsterdam', 'Asia/Tokyo', 'America/New_York']) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(now));
    if (hour >= 3 && hour <= 22) return tz;
  }
  return 'Europe/Amsterdam';
}
