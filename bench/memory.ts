/**
 * Does the collector's memory stay flat? A simulated busy week (7 days × 2,000 calls by
 * default: 95 copies a day of the three captures, firehose included, 08:00–18:00 on a
 * simulated clock) is fed as fast as the collector reads it, over TCP from the fake switch,
 * into a collector child process (bench/collectorChild.ts: production wiring plus a GC hook,
 * run with --expose-gc) writing to the real Redis under a throw-away prefix.
 *
 * After each simulated day: wait until the collector has read the day (a marker event it
 * counts as skipped) and written it (writer empty, flushed), collect garbage twice, sample
 * RSS and heap. The collector forgets a finished call an hour after it ends (event time), so
 * day 2 onwards should look like day 1. Reported: growth per simulated day after the first
 * day (least-squares slope over days 1..N), RSS and heap.
 */
import { formatMicros } from './corpus.ts';
import { startSimulator, type Simulator } from '@belofte/simulator';
import { busyCopies, callsPerCopy } from './load.ts';
import { interleave } from './corpus.ts';
import { REDIS_URL, benchPrefix, connectRedis, log, onCleanup, round, slope, spawnTs, waitFor, within, type Child } from './lib.ts';
import { below, fmt, type BenchOptions, type BenchResult } from './result.ts';

/** "Flat": less than this per simulated day (MB), i.e. under ~0.4 GB a year of busy days. */
const TARGET_MB_PER_DAY = 1;
const DAY_US = 86_400e6;
/** Monday 2026-11-30 00:00 UTC: the simulated week. */
const WEEK_START_US = Date.UTC(2026, 10, 30) * 1000;

interface Sample {
  day: number;
  rssMb: number;
  heapMb: number;
  sizes: Record<string, number>;
}

function ask<T>(child: Child, cmd: string, key: string, timeoutMs = 30_000): Promise<T> {
  return within(
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (m[key] === undefined) return;
        child.proc.off('message', on);
        resolve(m as T);
      };
      child.proc.on('message', on);
      child.proc.send({ cmd });
    }),
    timeoutMs,
    `the collector child to answer ${cmd}`,
  );
}

export async function runMemory(o: BenchOptions & { days: number; callsPerDay: number; budgetSeconds: number }): Promise<BenchResult> {
  const redis = connectRedis();
  onCleanup(() => redis.disconnect());
  const prefix = benchPrefix('memory', redis);
  const sw = await startSimulator({ port: 0, scripted: true });
  onCleanup(() => sw.close());
  const child = spawnTs('bench/collectorChild.ts', {
    name: 'collector (memory)',
    nodeArgs: ['--expose-gc'],
    ipc: true,
    env: { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port), REDIS_URL, REDIS_PREFIX: prefix, BELOFTE_SITE: 'main', LOG_LEVEL: 'warn' },
  });
  try {
    await waitFor(() => (sw.counters().listeners > 0 && sw.counters().resyncs >= 2 ? true : undefined), 30_000, 'the collector to log in and resync').catch((e: Error) => {
      throw new Error(`${e.message}\n${child.tail()}`);
    });
    const perCycle = callsPerCopy();
    const cycles = Math.max(1, Math.round(o.callsPerDay / perCycle));
    log(`memory: ${o.days} simulated days × ${cycles * perCycle} calls (${cycles} copies of the captures a day), collector pid ${child.pid}`);
    const samples: Sample[] = [];
    const t0 = performance.now();
    let bytes = 0;
    let serial = 0;
    // The whole `npm run bench` should stay near 3 minutes on a shared 2-core machine: past
    // the budget the week ends early (never before 4 days: 3 points for the slope), and the
    // JSON says how many days were simulated.
    const budgetMs = o.budgetSeconds * 1000;
    for (let day = 0; day < o.days; day++) {
      const elapsed = performance.now() - t0;
      if (day >= 4 && elapsed + elapsed / day > budgetMs) {
        log(`memory: stopping after ${day} simulated days (time budget ${o.budgetSeconds} s)`);
        break;
      }
      const open = WEEK_START_US + day * DAY_US + 8 * 3_600e6;
      const spacing = (10 * 3_600e6) / cycles;
      for (let c = 0; c < cycles; c++) {
        const parts: string[] = [];
        for (const f of interleave(busyCopies({ copies: 1, startUs: open + c * spacing, spacingUs: 0, agentGroups: 15, queueGroups: 3 }, serial))) parts.push(f.text);
        serial++;
        const text = parts.join('');
        bytes += text.length;
        if (!sw.send(text, 'latin1')) await within(sw.drained(), 60_000, 'the collector to read on');
      }
      // A marker the collector counts (as a skipped UserEvent: invented names share the label
      // `other`) once it has read the whole day.
      sw.send(`Event: UserEvent\r\nPrivilege: user,all\r\nTimestamp: ${formatMicros(open + 10 * 3_600e6)}\r\nUserEvent: BenchDayEnd\r\nDay: ${day}\r\n\r\n`, 'latin1');
      await waitFor(
        async () => {
          const s = await ask<{ skipped: Record<string, number>; buffered: number }>(child, 'stats', 'stats');
          return (s.skipped.UserEvent ?? 0) > day && s.buffered === 0 ? true : undefined;
        },
        120_000,
        `the collector to read and write simulated day ${day + 1}`,
        50,
      );
      const g = await ask<{ gc: boolean; memory: NodeJS.MemoryUsage; sizes: Record<string, number> }>(child, 'gc', 'gc');
      if (!g.gc) throw new Error('the collector child has no gc(): was it started with --expose-gc?');
      samples.push({ day: day + 1, rssMb: g.memory.rss / 2 ** 20, heapMb: g.memory.heapUsed / 2 ** 20, sizes: g.sizes });
      log(`memory: day ${day + 1}: RSS ${fmt(g.memory.rss / 2 ** 20, 1)} MB, heap ${fmt(g.memory.heapUsed / 2 ** 20, 1)} MB, ${JSON.stringify(g.sizes)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    if (process.env.BENCH_HEAP_SNAPSHOT) log(`memory: heap snapshot ${(await ask<{ heapSnapshot: string }>(child, 'heapSnapshot', 'heapSnapshot', 120_000)).heapSnapshot}`);
    const stats = await ask<{ written: number; errors: number; dropped: number }>(child, 'stats', 'stats');
    const after = samples.slice(1);
    const rssSlope = after.length >= 2 ? slope(after.map((s) => s.day), after.map((s) => s.rssMb)) : NaN;
    const heapSlope = after.length >= 2 ? slope(after.map((s) => s.day), after.map((s) => s.heapMb)) : NaN;
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const sizeGrowth: Record<string, number> = {};
    for (const k of Object.keys(last.sizes)) sizeGrowth[k] = after.length >= 2 ? round(slope(after.map((s) => s.day), after.map((s) => s.sizes[k] ?? 0)), 1) : NaN;
    const json = {
      rssGrowthMbPerSimulatedDay: round(rssSlope, 2),
      heapGrowthMbPerSimulatedDay: round(heapSlope, 2),
      memoryTargetMbPerDay: TARGET_MB_PER_DAY,
      memoryDays: samples.length,
      memoryDaysPlanned: o.days,
      memoryCallsPerDay: cycles * perCycle,
      memoryRssMbByDay: samples.map((s) => round(s.rssMb, 1)),
      memoryHeapMbByDay: samples.map((s) => round(s.heapMb, 1)),
      memoryTrackerSizesLastDay: last.sizes,
      memoryTrackerEntriesGrowthPerDay: sizeGrowth,
      memoryFedMb: round(bytes / 1e6),
      memoryFeedSeconds: round(seconds, 1),
      memoryFeedEventsWritten: stats.written,
      memoryWriteErrors: stats.errors,
    };
    return {
      json,
      rows: [
        {
          figure: `collector RSS growth per simulated day (days 2–${samples.length}, after GC)`,
          value: `${fmt(rssSlope, 2)} MB/day`,
          reference: `target < ${TARGET_MB_PER_DAY} MB/day; day 1: ${fmt(first.rssMb, 1)} MB`,
          ratio: `${fmt((100 * rssSlope) / first.rssMb, 1)}% of day 1 per day`,
          verdict: below(rssSlope, TARGET_MB_PER_DAY),
        },
        {
          figure: '  heap used growth per simulated day',
          value: `${fmt(heapSlope, 2)} MB/day`,
          reference: `day 1: ${fmt(first.heapMb, 1)} MB, day ${samples.length}: ${fmt(last.heapMb, 1)} MB`,
          ratio: `${fmt((100 * heapSlope) / first.heapMb, 1)}% of day 1 per day`,
          verdict: below(heapSlope, TARGET_MB_PER_DAY),
        },
        {
          figure: '  simulated week fed',
          value: `${fmt(bytes / 1e6)} MB in ${fmt(seconds, 1)} s`,
          reference: `${fmt(samples.length * cycles * perCycle)} calls`,
          ratio: `${fmt((samples.length * 86_400) / seconds)}× real time`,
          verdict: '',
        },
      ],
    };
  } finally {
    await child.stop();
    await sw.close();
  }
}


