/**
 * What 1,000 agents' own views (`/ws?agent=<id>`, each with its agent token) cost one API
 * process while change notices arrive at 33 a second: the API child's CPU (% of one core, from
 * /proc over the measured period) with the agent sockets open, beside the same API in the same
 * run without them (measured before they open and again after they close; the baseline is the
 * mean of the two). One wallboard stays open throughout, so the wallboards' broadcast runs in
 * both and the difference is the agents' alone; the agent sockets live in a child process of
 * their own (bench/wsClients.ts), so their CPU is not counted as the API's.
 *
 * The data is real: 1,000 agents known to the centre (their states), finished calls of each
 * today and on the week's earlier days, and calls in progress, all written through the
 * collector's own `RedisWriter` (records, rollups, indexes) under the stack's prefix. The
 * notices are the writer's own: 33 times a second the bench hands it one event — an agent's
 * call ends (its record and rollups are written) and another agent picks up one (a call in
 * progress) — and the writer writes it as one batch and publishes the one change notice a
 * batch publishes. The notices actually published are counted on a subscriber of our own.
 */
import type { Redis } from 'ioredis';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { isoWeekOfInstant, isoWeekSpan } from '@belofte/shared/time';
import { newAgent } from '@belofte/collector/domain/agents';
import type { AgentState, Change, CustomerCall } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { buildCall, OFFICE_QUEUES, type CallSpec } from '../test/stats/simulatedWeek.ts';
import { dayTimeZone } from '../test/support/stack.ts';
import { connectRedis, CpuMeter, log, MachineCpu, onCleanup, round, rssMb, sleep, waitFor } from './lib.ts';
import { below, fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';
import { startFarm, type FarmStats } from './sockets.ts';
import { startStack, wallboard } from './stack.ts';

/** The rate issue 12's target is stated at: notices (collector write batches) per second. */
export const NOTICES_PER_SEC = 33;
/** What the agent sockets may add to the API's CPU, % of one core. */
const TARGET_PERCENT = 10;
/** Of the agents, how many are on a call at any moment. */
const ON_CALL_SHARE = 0.3;

// `n`: the agent's number as wsClients.ts spells it (4 digits), or its `{i}` placeholder.
const num = (i: number | '{i}') => (i === '{i}' ? i : String(i).padStart(4, '0'));
const agentName = (i: number | '{i}') => `agent${num(i)}`;
const agentToken = (i: number | '{i}') => `bench-agent-token-${num(i)}`;

interface Phase {
  apiCpu: number;
  apiRssMb: number;
  noticesPerSec: number;
  wallboardFramesPerSec: number;
  writerBatchesPerSec: number;
  machine: number;
  seconds: number;
}

/**
 * The centre's traffic, one writer event per tick at `NOTICES_PER_SEC` (ticks on the wall
 * clock, not after each other: a slow tick does not slow the rate): the agent on the oldest
 * call in progress finishes it and becomes available, the next free agent picks up a new one.
 */
class Traffic {
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private ticks = 0;
  /** Calls in progress, oldest first: [agent index, its spec]. */
  private readonly onCall: Array<[number, CallSpec]> = [];
  private readonly free: number[] = [];

  constructor(
    private readonly writer: RedisWriter,
    private readonly agents: number,
  ) {}

  /** The initial calls in progress (agents 0..n·share), answered in the last few minutes. */
  seed(now: number): Change[] {
    const changes: Change[] = [];
    const busy = Math.round(this.agents * ON_CALL_SHARE);
    for (let i = 0; i < this.agents; i++) {
      if (i < busy) changes.push(...this.pickUp(i, now - 1_000 * (20 + ((i * 7) % 300))));
      else this.free.push(i);
    }
    return changes;
  }

  start(): void {
    const t0 = performance.now();
    const period = 1_000 / NOTICES_PER_SEC;
    const tick = () => {
      this.ticks++;
      this.step(Date.now());
      this.timer = setTimeout(tick, Math.max(0, t0 + this.ticks * period - performance.now()));
    };
    this.timer = setTimeout(tick, period);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private step(now: number): void {
    const [done, spec] = this.onCall.shift()!;
    const next = this.free.shift()!;
    const talk = Math.max(1, Math.floor((now - spec.at) / 1000) - spec.waits[0]! - 4);
    const finished = buildCall({ ...spec, talks: [talk] });
    this.writer.enqueue([{ kind: 'callFinished', call: finished }, { kind: 'agentChanged', agent: agentState(done, 'available', now) }, ...this.pickUp(next, now)], now);
    this.free.push(done);
  }

  /** Agent `i` answers a new call at `answeredAt`: the call in progress and the agent's state. */
  private pickUp(i: number, answeredAt: number): Change[] {
    const wait = 5 + ((i + this.seq) % 40);
    const spec: CallSpec = { id: `live-${i}-${this.seq++}`, at: answeredAt - wait * 1000, queues: [queueOf(i)], waits: [wait], last: 'answered', agents: [agentName(i)], talks: [0] };
    this.onCall.push([i, spec]);
    const built = buildCall(spec);
    const running: CustomerCall = { ...built, endedAt: null, visits: built.visits.map((v) => ({ ...v, status: 'answered', talkSeconds: null, endedAt: null, endReason: null })) };
    return [
      { kind: 'callChanged', call: running },
      { kind: 'agentChanged', agent: agentState(i, 'oncall', answeredAt) },
    ];
  }
}

const queueOf = (i: number) => OFFICE_QUEUES[i % OFFICE_QUEUES.length]!;

function agentState(i: number, state: AgentState['state'], since: number): AgentState {
  return { ...newAgent(agentName(i), `Local/${2000 + i}@agents/n`, since), state, queues: [queueOf(i), queueOf(i + 1)], inCall: state === 'oncall' };
}

/** Finished calls of every agent: three earlier today, two on each earlier day of this week. */
async function writeHistory(writer: RedisWriter, agents: number, timeZone: string, now: number): Promise<number> {
  const span = isoWeekSpan(isoWeekOfInstant(now, timeZone), timeZone);
  const starts: number[] = [];
  for (const dayStart of span.dayStarts) if (dayStart + 86_400_000 <= now) starts.push(dayStart + 9 * 3_600_000, dayStart + 14 * 3_600_000);
  let n = 0;
  for (let i = 0; i < agents; i++) {
    // Today: 20 min to ~2.5 h ago (dayTimeZone keeps now at least 3 h into the day).
    const at = [...starts.map((s) => s + i * 13_000), ...[0, 1, 2].map((k) => now - (20 + k * 45 + (i % 40)) * 60_000)];
    for (const t of at) {
      const wait = 5 + ((i + n) % 90);
      writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: `hist-${i}-${n}`, at: t, queues: [queueOf(i)], waits: [wait], last: 'answered', agents: [agentName(i)], talks: [60 + ((i * 31 + n) % 400)] }) }]);
      n++;
    }
    if (i % 100 === 99) await writer.flush();
  }
  await writer.flush();
  return n;
}

export async function runAgentSockets(o: BenchOptions & { agentSockets: number }): Promise<BenchResult> {
  const agents = o.agentSockets;
  const timeZone = dayTimeZone();
  const stack = await startStack('agentsockets', {
    BELOFTE_TIMEZONE: timeZone,
    AGENT_TOKENS: Array.from({ length: agents }, (_, i) => `${agentName(i)}=${agentToken(i)}`).join(','),
  });
  const keys = new Keys(stack.prefix, 'main');
  const writer = new RedisWriter(stack.redis, { keys, retentionDays: 8, maxBuffered: 1_000_000, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone } });
  onCleanup(() => writer.stop());
  const traffic = new Traffic(writer, agents);
  onCleanup(() => traffic.stop());
  try {
    const t = performance.now();
    const now = Date.now();
    for (let i = 0; i < agents; i++) writer.enqueue([{ kind: 'agentChanged', agent: agentState(i, 'available', now - 3_600_000) }]);
    const calls = await writeHistory(writer, agents, timeZone, now);
    writer.enqueue(traffic.seed(now));
    await writer.flush();
    log(`agentsockets: ${fmt(agents)} agents, ${fmt(calls)} finished calls and ${fmt(Math.round(agents * ON_CALL_SHARE))} in progress written in ${fmt((performance.now() - t) / 1000, 1)} s (time zone ${timeZone})`);

    // Our own count of the notices the API hears.
    const sub: Redis = connectRedis();
    onCleanup(() => sub.disconnect());
    let notices = 0;
    sub.on('message', () => notices++);
    await sub.subscribe(keys.changes);
    const board = await wallboard(stack.apiPort, () => undefined);
    traffic.start();

    const warmupMs = Math.max(2_000, 3_000 * o.scale);
    const measureMs = Math.max(3_000, 10_000 * o.scale);
    const measure = async (label: string, start?: () => Promise<void>): Promise<Phase> => {
      await sleep(warmupMs);
      await start?.();
      const n0 = notices;
      const f0 = board.frames;
      const b0 = writer.stats.batches;
      const cpu = new CpuMeter(stack.api.pid);
      const machine = new MachineCpu();
      const t0 = performance.now();
      await sleep(measureMs);
      const seconds = (performance.now() - t0) / 1000;
      const p: Phase = {
        apiCpu: cpu.percent(),
        apiRssMb: rssMb(stack.api.pid),
        noticesPerSec: (notices - n0) / seconds,
        wallboardFramesPerSec: (board.frames - f0) / seconds,
        writerBatchesPerSec: (writer.stats.batches - b0) / seconds,
        machine: machine.busyPercent(),
        seconds,
      };
      log(`agentsockets: ${label}: API ${fmt(p.apiCpu, 1)}% of a core, ${fmt(p.noticesPerSec, 1)} notices/s, wallboard ${fmt(p.wallboardFramesPerSec, 1)} frames/s, machine ${fmt(p.machine)}% busy`);
      return p;
    };

    const before = await measure('no agent sockets');
    const farm = await startFarm(stack.apiPort, agents, `/ws?agent=${agentName('{i}')}&token=${agentToken('{i}')}`, 'agent socket farm');
    // Every socket has had its first view (sent on connect) before anything is measured.
    const opened = await waitFor(
      async () => {
        const s = await farm.stats();
        return s.frames >= s.open ? s : undefined;
      },
      30_000,
      'every agent socket to get its first view',
      200,
    );
    log(`agentsockets: ${opened.open} agent sockets open, ${opened.errors} errors, ${opened.closed} closed`);
    let f0: FarmStats | null = null;
    let farmCpu: CpuMeter | null = null;
    const withAgents = await measure(`${opened.open} agent sockets`, async () => {
      f0 = await farm.stats();
      farmCpu = new CpuMeter(farm.pid);
    });
    const f1 = await farm.stats();
    const farmCpuPercent = (farmCpu as CpuMeter | null)?.percent() ?? NaN;
    await farm.stop();
    const after = await measure('agent sockets closed');
    traffic.stop();
    await writer.flush();
    board.close();

    const baseline = (before.apiCpu + after.apiCpu) / 2;
    const increment = withAgents.apiCpu - baseline;
    const farmSeconds = withAgents.seconds;
    const framesPerAgentSocket = f0 ? (f1.frames - (f0 as FarmStats).frames) / Math.max(1, f1.open) / farmSeconds : NaN;
    const agentMbPerSec = f0 ? (f1.bytes - (f0 as FarmStats).bytes) / farmSeconds / 1e6 : NaN;
    const allOpen = f1.open >= agents && f1.closed === 0;
    const json = {
      agentSocketsCpuPercent: round(increment, 1),
      agentSocketsCpuPercentBaseline: round(baseline, 1),
      agentSocketsCpuPercentBaselineBefore: round(before.apiCpu, 1),
      agentSocketsCpuPercentBaselineAfter: round(after.apiCpu, 1),
      agentSocketsApiCpuPercent: round(withAgents.apiCpu, 1),
      agentSocketsCpuTargetPercent: TARGET_PERCENT,
      agentSockets: f1.open,
      agentSocketsRequested: agents,
      agentSocketsClosedDuringRun: f1.closed,
      agentSocketFramesPerSec: round(framesPerAgentSocket, 2),
      agentSocketsFanoutMbPerSec: round(agentMbPerSec, 2),
      agentSocketsNoticesPerSec: round(withAgents.noticesPerSec, 1),
      agentSocketsNoticesPerSecBaseline: round((before.noticesPerSec + after.noticesPerSec) / 2, 1),
      agentSocketsWallboardFramesPerSec: round(withAgents.wallboardFramesPerSec, 1),
      agentSocketsWallboardFramesPerSecBaseline: round((before.wallboardFramesPerSec + after.wallboardFramesPerSec) / 2, 1),
      agentSocketsApiRssMb: round(withAgents.apiRssMb, 1),
      agentSocketsApiRssMbBaseline: round(before.apiRssMb, 1),
      agentSocketsFarmCpuPercent: round(farmCpuPercent, 1),
      agentSocketsMachineBusyPercent: round(withAgents.machine, 1),
      agentSocketsMachineBusyPercentBaseline: round((before.machine + after.machine) / 2, 1),
      agentSocketsFinishedCalls: calls,
    };
    return {
      json,
      rows: [
        {
          figure: `API CPU added by ${fmt(f1.open)} agent sockets at ${fmt(withAgents.noticesPerSec, 1)} notices/s`,
          value: `+${fmt(increment, 1)}% of a core`,
          reference: `target < ${TARGET_PERCENT}%; without them ${fmt(baseline, 1)}% (before ${fmt(before.apiCpu, 1)}, after ${fmt(after.apiCpu, 1)}), with ${fmt(withAgents.apiCpu, 1)}%`,
          ratio: ratio(increment, TARGET_PERCENT),
          verdict: allOpen ? below(increment, TARGET_PERCENT) : 'MISSED (sockets did not all stay open)',
        },
        {
          figure: '  frames per agent socket / wallboard frames',
          value: `${fmt(framesPerAgentSocket, 2)} frames/s`,
          reference: `wallboard ${fmt(withAgents.wallboardFramesPerSec, 1)} frames/s (without agent sockets ${fmt((before.wallboardFramesPerSec + after.wallboardFramesPerSec) / 2, 1)})`,
          ratio: ratio(withAgents.wallboardFramesPerSec, (before.wallboardFramesPerSec + after.wallboardFramesPerSec) / 2),
          verdict: '',
        },
        {
          figure: '  CPU: agent socket farm / machine',
          value: `${fmt(farmCpuPercent)}%`,
          reference: `machine ${fmt(withAgents.machine)}% busy (without agent sockets ${fmt((before.machine + after.machine) / 2)}%)`,
          ratio: '',
          verdict: '',
        },
      ],
    };
  } finally {
    traffic.stop();
    await stack.stop();
  }
}
