/**
 * One API process serving 1,000 wallboards at the live load: its CPU (% of one core, from
 * /proc/<pid>/stat over the measured period) and RSS, against the same API serving one
 * wallboard in the same run. The 1,000 WebSockets live in a child process of their own
 * (bench/wsClients.ts) so their CPU is not counted as the API's; the latency client of
 * latency.ts runs alongside, so the table also shows switch → wallboard latency with
 * 1,000 sockets attached.
 */
import { CpuMeter, log, round, sleep, spawnTs, waitFor, within } from './lib.ts';
import { measureLive, TARGET_P99_MS } from './latency.ts';
import { below, fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';
import { startStack } from './stack.ts';

const TARGET_CPU = 50;

export interface FarmStats {
  open: number;
  opened: number;
  closed: number;
  errors: number;
  frames: number;
  bytes: number;
}

export interface Farm {
  pid: number;
  /** What the farm has counted so far (asked over IPC). */
  stats(): Promise<FarmStats>;
  stop(): Promise<void>;
}

/**
 * `count` WebSockets in a child process of their own (bench/wsClients.ts), open when this
 * resolves. `path`: what they open (default /ws; `{i}` becomes each socket's 0-padded number).
 */
export async function startFarm(port: number, count: number, path?: string, name = 'wallboard farm'): Promise<Farm> {
  const farm = spawnTs('bench/wsClients.ts', { name, args: [String(port), String(count), ...(path ? [path] : [])], ipc: true });
  let latest: FarmStats | null = null;
  farm.proc.on('message', (m: FarmStats & { ready?: boolean }) => {
    latest = m;
  });
  await within(
    new Promise<void>((resolve, reject) => {
      farm.proc.on('message', (m: { ready?: boolean }) => m.ready && resolve());
      farm.proc.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${farm.tail()}`)));
    }),
    60_000,
    `${count} WebSockets to open`,
  );
  return {
    pid: farm.pid,
    async stats() {
      latest = null;
      farm.proc.send({ cmd: 'stats' });
      return waitFor(() => latest ?? undefined, 5_000, `the ${name} to report`);
    },
    async stop() {
      farm.proc.send({ cmd: 'exit' });
      await farm.stop(2_000);
    },
  };
}

export async function runSockets(o: BenchOptions & { sockets: number }): Promise<BenchResult> {
  const stack = await startStack('sockets');
  try {
    const warmupMs = Math.max(2_000, 3_000 * o.scale);
    const measureMs = Math.max(3_000, 10_000 * o.scale);
    log(`sockets: one wallboard first (${measureMs / 2000} s), then ${o.sockets} (${measureMs / 1000} s), ${o.callsPerSec} calls/s`);
    const one = await measureLive(stack, { callsPerSec: o.callsPerSec, warmupMs, measureMs: measureMs / 2 });
    await sleep(1_000);

    const farm = await startFarm(stack.apiPort, o.sockets);
    const ask = farm.stats;
    const opened = await ask();
    log(`sockets: ${opened.open} open, ${opened.errors} errors`);
    let before: FarmStats | null = null;
    let t0 = 0;
    let farmCpu: CpuMeter | null = null;
    const many = await measureLive(stack, {
      callsPerSec: o.callsPerSec,
      warmupMs,
      measureMs,
      beforeMeasure: async () => {
        before = await ask();
        t0 = performance.now();
        farmCpu = new CpuMeter(farm.pid);
      },
    });
    const farmCpuPercent = (farmCpu as CpuMeter | null)?.percent() ?? NaN;
    const after = await ask();
    const seconds = (performance.now() - t0) / 1000;
    const b = before as FarmStats | null;
    const framesPerSocketPerSec = b ? (after.frames - b.frames) / Math.max(1, after.open) / seconds : NaN;
    const mbPerSec = b ? (after.bytes - b.bytes) / seconds / 1e6 : NaN;
    await farm.stop();
    const sockets = after.open + 1;
    const json = {
      sockets,
      socketsRequested: o.sockets,
      socketsClosedDuringRun: after.closed,
      apiCpuPercent: round(many.cpu.api, 1),
      apiCpuPercentOneSocket: round(one.cpu.api, 1),
      apiRssMb: round(many.apiRssMb, 1),
      apiRssMbOneSocket: round(one.apiRssMb, 1),
      apiCpuTargetPercent: TARGET_CPU,
      socketFramesPerSec: round(framesPerSocketPerSec, 1),
      socketFanoutMbPerSec: round(mbPerSec, 1),
      // What one frame to one socket costs the API: the figure that decides how many sockets fit.
      apiCpuMicrosPerSocketFrame: round((many.cpu.api / 100) * 1e6 / Math.max(1, framesPerSocketPerSec * after.open), 1),
      apiCpuMillisPerBroadcastOneSocket: round((one.cpu.api / 100) * 1e3 / Math.max(1, one.wsFramesPerSec), 2),
      socketsLatencyP50Ms: round(many.p50, 1),
      socketsLatencyP99Ms: round(many.p99, 1),
      socketsLatencyMissingJoins: many.missing,
      socketsLatencyP99MsOneSocket: round(one.p99, 1),
      socketsLatencyP99BySecondMs: many.p99BySecond,
      socketsLoadSwitchEventsPerSec: round(many.switchEventsPerSec),
      socketsRedisRoundTripsPerCallLive: round(many.roundTripsPerCall, 2),
      socketsCollectorCpuPercent: round(many.cpu.collector, 1),
      socketsRedisCpuPercent: many.cpu.redis === null ? null : round(many.cpu.redis, 1),
      socketsClientFarmCpuPercent: round(farmCpuPercent, 1),
      socketsBenchProcessCpuPercent: round(many.cpu.bench, 1),
      socketsMachineBusyPercent: round(many.cpu.machine, 1),
      socketsMachineBusyPercentOneSocket: round(one.cpu.machine, 1),
      socketsMachineRunnable: many.cpu.runnable,
    };
    return {
      json,
      rows: [
        {
          figure: `API CPU, ${fmt(sockets)} sockets at ${o.callsPerSec} calls/s`,
          value: `${fmt(many.cpu.api, 1)}% of a core`,
          reference: `target < ${TARGET_CPU}%; 1 socket: ${fmt(one.cpu.api, 1)}%`,
          ratio: ratio(many.cpu.api, TARGET_CPU),
          verdict: sockets >= o.sockets ? below(many.cpu.api, TARGET_CPU) : 'MISSED (sockets did not all open)',
        },
        { figure: '  API RSS', value: `${fmt(many.apiRssMb, 1)} MB`, reference: `1 socket: ${fmt(one.apiRssMb, 1)} MB`, ratio: ratio(many.apiRssMb, one.apiRssMb), verdict: '' },
        {
          figure: '  frames per socket / fan-out volume',
          value: `${fmt(framesPerSocketPerSec, 1)} frames/s`,
          reference: `${fmt(mbPerSec, 1)} MB/s to all sockets`,
          ratio: `${fmt((many.cpu.api / 100) * 1e6 / Math.max(1, framesPerSocketPerSec * after.open), 1)} µs CPU/frame`,
          verdict: '',
        },
        {
          figure: '  CPU: client farm / collector / Redis / bench',
          value: `${fmt(farmCpuPercent)}% / ${fmt(many.cpu.collector)}% / ${many.cpu.redis === null ? 'n/a' : fmt(many.cpu.redis)}% / ${fmt(many.cpu.bench)}%`,
          reference: `machine ${fmt(many.cpu.machine)}% busy (1 socket: ${fmt(one.cpu.machine)}%)`,
          ratio: '',
          verdict: '',
        },
        {
          figure: `  latency p99 with ${fmt(sockets)} sockets`,
          value: `${fmt(many.p99, 1)} ms`,
          reference: `target < ${TARGET_P99_MS} ms; 1 socket: ${fmt(one.p99, 1)} ms`,
          ratio: ratio(many.p99, TARGET_P99_MS),
          verdict: below(many.p99, TARGET_P99_MS),
        },
      ],
    };
  } finally {
    await stack.stop();
  }
}
