/**
 * `npm run bench`: every benchmark in one run, each figure beside its same-run baseline or its
 * target. `npm run -s bench -- --json` prints one JSON object on stdout (progress on stderr).
 *
 * Options:
 *   --json                 one JSON object on stdout instead of the table
 *   --only <names>         comma-separated: parse, collector, latency, sockets, agentsockets, memory, flood, period, reports
 *   --calls-per-sec <n>    live load for latency and sockets (default 200)
 *   --sockets <n>          wallboards for the sockets benchmark (default 1000)
 *   --agent-sockets <n>    agents (each with its own /ws?agent= socket) for agentsockets (default 1000)
 *   --days <n>             simulated days for memory (default 7)
 *   --calls-per-day <n>    simulated calls a day for memory (default 2000)
 *   --memory-budget <s>    seconds the memory week may take before it ends early (default 75, min 4 days)
 *   --scale <x>            shrink (or grow) measured periods and sizes, e.g. 0.3 for a quick look
 */
import os from 'node:os';
import { runAgentSockets } from './agentSockets.ts';
import { runCollector } from './collector.ts';
import { runLatency } from './latency.ts';
import { log, runCleanups } from './lib.ts';
import { runMemory } from './memory.ts';
import { runFlood } from './flood.ts';
import { runParse } from './parse.ts';
import { runPeriod } from './period.ts';
import { runReports } from './reports.ts';
import type { BenchOptions, BenchResult, Row } from './result.ts';
import { runSockets } from './sockets.ts';

const NAMES = ['parse', 'collector', 'latency', 'sockets', 'agentsockets', 'memory', 'flood', 'period', 'reports'] as const;
type Name = (typeof NAMES)[number];
/** No run may hang: past this everything is stopped and cleaned up. */
const DEADLINE_MS = 15 * 60_000;

interface Args extends BenchOptions {
  json: boolean;
  only: Name[];
  sockets: number;
  agentSockets: number;
  days: number;
  callsPerDay: number;
  budgetSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { json: false, only: [...NAMES], callsPerSec: 200, scale: 1, sockets: 1000, agentSockets: 1000, days: 7, callsPerDay: 2000, budgetSeconds: 75 };
  const num = (flag: string, v: string | undefined, min: number, max: number): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < min || n > max) throw new Error(`${flag} needs a number from ${min} to ${max}, not ${JSON.stringify(v ?? '')}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const [name, inline] = flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, undefined];
    const value = () => inline ?? argv[++i];
    switch (name) {
      case '--json':
        a.json = true;
        break;
      case '--only': {
        const list = (value() ?? '').split(',').filter(Boolean);
        for (const n of list) if (!NAMES.includes(n as Name)) throw new Error(`--only: unknown benchmark "${n}" (one of ${NAMES.join(', ')})`);
        a.only = list as Name[];
        break;
      }
      case '--calls-per-sec':
        a.callsPerSec = num(name, value(), 1, 5_000);
        break;
      case '--sockets':
        a.sockets = Math.round(num(name, value(), 1, 20_000));
        break;
      case '--agent-sockets':
        a.agentSockets = Math.round(num(name, value(), 1, 9_999));
        break;
      case '--days':
        a.days = Math.round(num(name, value(), 2, 60));
        break;
      case '--calls-per-day':
        a.callsPerDay = Math.round(num(name, value(), 21, 100_000));
        break;
      case '--memory-budget':
        a.budgetSeconds = num(name, value(), 5, 3_600);
        break;
      case '--scale':
        a.scale = num(name, value(), 0.05, 10);
        break;
      case '--help':
      case '-h':
        process.stderr.write(`usage: npm run bench [-- --json] [--only ${NAMES.join(',')}] [--calls-per-sec 200] [--sockets 1000] [--agent-sockets 1000] [--days 7] [--calls-per-day 2000] [--memory-budget 75] [--scale 1]\n`);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag} (try --help)`);
    }
  }
  return a;
}

function table(rows: Row[]): string {
  const head: Row = { figure: 'figure', value: 'value', reference: 'baseline / target (same run)', ratio: 'ratio', verdict: 'verdict' };
  const all = [head, ...rows];
  const keys = ['figure', 'value', 'reference', 'ratio', 'verdict'] as const;
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(...all.map((r) => r[k].length))])) as Record<(typeof keys)[number], number>;
  const line = (r: Row) => keys.map((k) => (k === 'value' || k === 'ratio' ? r[k].padStart(width[k]) : r[k].padEnd(width[k]))).join('  ').trimEnd();
  const rule = keys.map((k) => '-'.repeat(width[k])).join('  ');
  return [line(head), rule, ...rows.map(line)].join('\n');
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const started = performance.now();
  const load0 = os.loadavg();
  const results: Partial<Record<Name, BenchResult>> = {};
  const errors: Record<string, string> = {};
  const runners: Record<Name, () => Promise<BenchResult>> = {
    parse: () => runParse(args),
    collector: () => runCollector(args),
    latency: () => runLatency(args),
    sockets: () => runSockets(args),
    agentsockets: () => runAgentSockets(args),
    memory: () => runMemory(args),
    flood: () => runFlood(args),
    period: () => runPeriod(args),
    reports: () => runReports(args),
  };
  for (const name of args.only) {
    const t = performance.now();
    log(`— ${name} —`);
    try {
      results[name] = await runners[name]();
    } catch (e) {
      errors[name] = (e as Error).message;
      log(`${name} FAILED: ${(e as Error).stack ?? e}`);
    } finally {
      // Each benchmark leaves nothing behind for the next: children, sockets, Redis keys.
      await runCleanups();
    }
    log(`${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const seconds = (performance.now() - started) / 1000;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: load0.map((x) => Math.round(x * 100) / 100),
    loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
  if (args.json) {
    const out: Record<string, unknown> = {};
    for (const name of args.only) Object.assign(out, results[name]?.json ?? {});
    Object.assign(out, { benchmarks: args.only, errors, totalSeconds: Math.round(seconds * 10) / 10, machine, options: { callsPerSec: args.callsPerSec, sockets: args.sockets, agentSockets: args.agentSockets, days: args.days, callsPerDay: args.callsPerDay, memoryBudgetSeconds: args.budgetSeconds, scale: args.scale } });
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    const rows = args.only.flatMap((name) => results[name]?.rows ?? [{ figure: `${name}: FAILED`, value: '', reference: errors[name]?.split('\n')[0] ?? '', ratio: '', verdict: 'ERROR' }]);
    process.stdout.write(
      `Belofte benchmarks — ${new Date().toISOString()}, ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}\n` +
        `load average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd.join(' ')} (other work on the machine moves absolute numbers; ratios are same-run)\n\n` +
        `${table(rows)}\n\n` +
        `total ${seconds.toFixed(1)} s${Object.keys(errors).length ? `; FAILED: ${Object.keys(errors).join(', ')}` : ''}\n`,
    );
  }
  return Object.keys(errors).length ? 1 : 0;
}

const deadline = setTimeout(() => {
  log(`still running after ${DEADLINE_MS / 60_000} min: stopping everything`);
  void runCleanups().finally(() => process.exit(3));
}, DEADLINE_MS);
deadline.unref();

main().then(
  async (code) => {
    await runCleanups();
    process.exit(code);
  },
  async (e) => {
    log(`bench failed: ${(e as Error).stack ?? e}`);
    await runCleanups();
    process.exit(1);
  },
);
