/**
 * Switch to wallboard: how long from a QueueCallerJoin written on the switch's socket until a
 * WebSocket client holds a figures frame whose `total.offered` counts it, with calls arriving
 * at `--calls-per-sec` (default 200) plus their firehose, through the collector and API child
 * processes and the real Redis.
 *
 * A join is numbered in the order it is written (n = 1, 2, ...); the collector counts joins in
 * that order, so the first frame with `total.offered >= n` is the first that includes join n.
 */
import { answeredCallTemplate } from './corpus.ts';
import { CallPlayer } from './callPlayer.ts';
import { CpuMeter, MachineCpu, connectRedis, log, onCleanup, percentile, redisPid, round, rssMb, sleep, waitFor } from './lib.ts';
import { below, fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';
import { startStack, wallboard, type Stack } from './stack.ts';

export const TARGET_P99_MS = 50;
/** A mid-sized centre: 60 agents (the wallboard's design size) over 6 queues. */
export const QUEUES = ['support', 'vergunningen', 'sales', 'billing', 'claims', 'intake'];
export const AGENTS = Array.from({ length: 60 }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`);

export interface LiveMeasurement {
  p50: number;
  p99: number;
  max: number;
  measuredJoins: number;
  missing: number;
  callsPerSec: number;
  switchEventsPerSec: number;
  switchMbPerSec: number;
  wsFramesPerSec: number;
  /** % of one core per process; `machine`: % of all cores busy (anyone's work), `runnable`: processes ready to run at the end. */
  cpu: { collector: number; api: number; redis: number | null; bench: number; machine: number; runnable: number };
  apiRssMb: number;
  roundTripsPerCall: number;
  backpressured: number;
  collectorRssMb: number;
  /** RSS growth of the collector over the measured period (no forced GC: a trend, not a leak proof). */
  collectorRssGrowthMbPerSec: number;
  /** p99 of the joins written in each second of the measured period: a trend means a backlog. */
  p99BySecond: number[];
}

/**
 * Plays calls on a running stack and measures join → frame latency over `measureMs` after
 * `warmupMs`. `during` runs at the start of the measured period (e.g. to sample other things).
 */
export async function measureLive(stack: Stack, o: { callsPerSec: number; warmupMs: number; measureMs: number; beforeMeasure?: () => Promise<void> }): Promise<LiveMeasurement> {
  const joinAt: number[] = [];
  const latency: number[] = [];
  let offeredSeen = 0;
  let frames = 0;
  // Joins counted before this measurement (an earlier phase): the first frame says how many.
  let base: number | null = null;
  const client = await wallboard(stack.apiPort, (total, at) => {
    frames++;
    if (base === null) base = total;
    const offered = total - base;
    for (let n = offeredSeen + 1; n <= offered; n++) if (joinAt[n] !== undefined) latency[n] = at - joinAt[n]!;
    if (offered > offeredSeen) offeredSeen = offered;
  });
  await waitFor(() => (base === null ? undefined : true), 10_000, 'the first figures frame');
  // One change notice per writer batch = one Redis round trip of the collector.
  const sub = connectRedis();
  onCleanup(() => sub.disconnect());
  let notices = 0;
  sub.on('message', () => notices++);
  await sub.subscribe(`${stack.prefix}:{main}:changes`);

  const player = new CallPlayer(stack.sw, answeredCallTemplate(), {
    callsPerSec: o.callsPerSec,
    queues: QUEUES,
    agents: AGENTS,
    onJoin: (n, at) => {
      joinAt[n] = at;
    },
  });
  player.start();
  await sleep(o.warmupMs);
  await o.beforeMeasure?.();
  const rpid = await redisPid(stack.redis);
  const machine = new MachineCpu();
  const meters = { collector: new CpuMeter(stack.collector.pid), api: new CpuMeter(stack.api.pid), redis: rpid ? new CpuMeter(rpid) : null, bench: new CpuMeter(process.pid) };
  const collectorRss0 = rssMb(stack.collector.pid);
  const first = player.joins + 1;
  const start = { calls: player.calls, frames: player.frames, bytes: player.bytes, notices, wsFrames: frames, at: performance.now() };
  await sleep(o.measureMs);
  const last = player.joins;
  const seconds = (performance.now() - start.at) / 1000;
  const cpu = { collector: meters.collector.percent(), api: meters.api.percent(), redis: meters.redis?.percent() ?? null, bench: meters.bench.percent(), machine: machine.busyPercent(), runnable: MachineCpu.runnable() };
  const apiRssMb = rssMb(stack.api.pid);
  const collectorRssGrowthMbPerSec = (rssMb(stack.collector.pid) - collectorRss0) / seconds;
  const calls = player.calls - start.calls;
  const m = {
    callsPerSec: calls / seconds,
    switchEventsPerSec: (player.frames - start.frames) / seconds,
    switchMbPerSec: (player.bytes - start.bytes) / seconds / 1e6,
    wsFramesPerSec: (frames - start.wsFrames) / seconds,
    roundTripsPerCall: (notices - start.notices) / Math.max(1, calls),
  };
  player.stopStarting();
  // The last joins of the period still travel: give them a bounded while.
  await waitFor(() => (offeredSeen >= last ? true : undefined), 5_000, 'the last measured joins to reach the wallboard').catch((e) => log(`latency: ${(e as Error).message}`));
  player.stop();
  client.close();
  await sub.unsubscribe().catch(() => undefined);
  sub.disconnect();
  const sample: number[] = [];
  const bySecond: number[][] = [];
  let missing = 0;
  for (let n = first; n <= last; n++) {
    const v = latency[n];
    if (v === undefined) missing++;
    else {
      sample.push(v);
      (bySecond[Math.floor((joinAt[n]! - start.at) / 1000)] ??= []).push(v);
    }
  }
  return {
    p50: percentile(sample, 50),
    p99: percentile(sample, 99),
    max: Math.max(...sample),
    measuredJoins: last - first + 1,
    missing,
    ...m,
    cpu,
    apiRssMb,
    backpressured: player.backpressured,
    collectorRssMb: rssMb(stack.collector.pid),
    collectorRssGrowthMbPerSec,
    p99BySecond: [...bySecond].map((xs) => (xs ? round(percentile(xs, 99), 1) : NaN)),
  };
}

export async function runLatency(o: BenchOptions): Promise<BenchResult> {
  const stack = await startStack('latency');
  try {
    const warmupMs = Math.max(2_000, 5_000 * o.scale);
    const measureMs = Math.max(3_000, 10_000 * o.scale);
    log(`latency: ${o.callsPerSec} calls/s, ${warmupMs / 1000} s warm-up, ${measureMs / 1000} s measured`);
    const m = await measureLive(stack, { callsPerSec: o.callsPerSec, warmupMs, measureMs });
    const json = {
      latencyP50Ms: round(m.p50, 1),
      latencyP99Ms: round(m.p99, 1),
      latencyMaxMs: round(m.max, 1),
      latencyTargetP99Ms: TARGET_P99_MS,
      latencyMeasuredJoins: m.measuredJoins,
      latencyMissingJoins: m.missing,
      loadCallsPerSec: o.callsPerSec,
      loadCallsPerSecMeasured: round(m.callsPerSec, 1),
      loadSwitchEventsPerSec: round(m.switchEventsPerSec),
      loadSwitchMbPerSec: round(m.switchMbPerSec, 2),
      latencyWsFramesPerSec: round(m.wsFramesPerSec, 1),
      latencyCollectorCpuPercent: round(m.cpu.collector, 1),
      // CPU per event is what other load on the machine moves least.
      collectorCpuMicrosPerSwitchEvent: round((m.cpu.collector / 100) * 1e6 / Math.max(1, m.switchEventsPerSec), 1),
      apiCpuMillisPerBroadcast: round((m.cpu.api / 100) * 1e3 / Math.max(1, m.wsFramesPerSec), 2),
      latencyApiCpuPercentOneSocket: round(m.cpu.api, 1),
      latencyRedisCpuPercent: m.cpu.redis === null ? null : round(m.cpu.redis, 1),
      latencyBenchProcessCpuPercent: round(m.cpu.bench, 1),
      latencyMachineBusyPercent: round(m.cpu.machine, 1),
      latencyMachineRunnable: m.cpu.runnable,
      redisRoundTripsPerCallLive: round(m.roundTripsPerCall, 2),
      switchWritesBackpressured: m.backpressured,
      latencyCollectorRssMb: round(m.collectorRssMb, 1),
      latencyCollectorRssGrowthMbPerSec: round(m.collectorRssGrowthMbPerSec, 2),
      latencyP99BySecondMs: m.p99BySecond,
    };
    return {
      json,
      rows: [
        { figure: `latency p50: switch write → WS frame (${o.callsPerSec} calls/s)`, value: `${fmt(m.p50, 1)} ms`, reference: `p99 target < ${TARGET_P99_MS} ms`, ratio: ratio(m.p50, TARGET_P99_MS), verdict: '' },
        { figure: `latency p99 (${fmt(m.measuredJoins)} joins, ${m.missing} missing)`, value: `${fmt(m.p99, 1)} ms`, reference: `target < ${TARGET_P99_MS} ms`, ratio: ratio(m.p99, TARGET_P99_MS), verdict: m.missing ? 'MISSED (joins lost)' : below(m.p99, TARGET_P99_MS) },
        {
          figure: '  load: switch events/s (firehose included)',
          value: `${fmt(m.switchEventsPerSec)} ev/s`,
          reference: `${fmt(m.callsPerSec, 1)} calls/s measured`,
          ratio: `${fmt(m.switchMbPerSec, 1)} MB/s`,
          verdict: '',
        },
        {
          figure: '  CPU: collector / API (1 socket) / Redis',
          value: `${fmt(m.cpu.collector)}% / ${fmt(m.cpu.api)}% / ${m.cpu.redis === null ? 'n/a' : fmt(m.cpu.redis)}%`,
          reference: `bench ${fmt(m.cpu.bench)}%; machine ${fmt(m.cpu.machine)}% busy`,
          ratio: `${fmt(m.wsFramesPerSec, 1)} WS frames/s`,
          verdict: '',
        },
      ],
    };
  } finally {
    await stack.stop();
  }
}
