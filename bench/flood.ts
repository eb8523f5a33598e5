/**
 * Memory under a flood of joins that never end: 200,000 `QueueCallerJoin` of distinct callers,
 * none ever answered, abandoned or hung up (a broken or hostile switch), over TCP from the
 * scripted switch into the collector child (production wiring, bench/collectorChild.ts,
 * --expose-gc) writing to the real Redis under a throw-away prefix.
 *
 * Measured twice in the same run: with the default bound (MAX_CALLS_IN_MEMORY) and, as the
 * baseline of what the bound saves, with the bound lifted. Each: heap and RSS after GC before
 * the flood and after it, and how many calls the collector still holds.
 */
import { formatMicros } from './corpus.ts';
import { startSimulator } from '@belofte/simulator';
import { DEFAULT_MAX_CALLS } from '@belofte/collector/domain/tracker';
import { REDIS_URL, benchPrefix, connectRedis, log, onCleanup, round, spawnTs, waitFor, within, type Child } from './lib.ts';
import { below, fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';

const JOINS = 200_000;
/** "Flat": the flood may add at most this much heap (MB) with the bound in place. */
const TARGET_MB = 64;

function ask<T>(child: Child, cmd: string, key: string, timeoutMs = 60_000): Promise<T> {
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

interface FloodRun {
  beforeHeapMb: number;
  afterHeapMb: number;
  beforeRssMb: number;
  afterRssMb: number;
  callsHeld: number;
  seconds: number;
}

async function floodOnce(joins: number, maxCalls: number): Promise<FloodRun> {
  const redis = connectRedis();
  onCleanup(() => redis.disconnect());
  const prefix = benchPrefix('flood', redis);
  const sw = await startSimulator({ port: 0, scripted: true });
  const child = spawnTs('bench/collectorChild.ts', {
    name: `collector (flood, bound ${maxCalls})`,
    nodeArgs: ['--expose-gc'],
    ipc: true,
    env: { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port), REDIS_URL, REDIS_PREFIX: prefix, BELOFTE_SITE: 'main', LOG_LEVEL: 'warn', MAX_CALLS_IN_MEMORY: String(maxCalls) },
  });
  try {
    await waitFor(() => (sw.counters().listeners > 0 && sw.counters().resyncs >= 2 ? true : undefined), 30_000, 'the collector to log in and resync');
    const gc = () => ask<{ gc: boolean; memory: NodeJS.MemoryUsage; sizes: Record<string, number> }>(child, 'gc', 'gc');
    const before = await gc();
    if (!before.gc) throw new Error('the collector child has no gc(): was it started with --expose-gc?');
    const t0 = performance.now();
    // Now by the switch's clock: the joins are recent, so no rule of time lets them go.
    const startUs = Date.now() * 1000;
    const batch = 2_000;
    for (let i = 0; i < joins; i += batch) {
      let text = '';
      for (let j = i; j < Math.min(joins, i + batch); j++) {
        const uid = `1800000000.${j}`;
        text += `Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nTimestamp: ${formatMicros(startUs + j)}\r\nChannel: SIP/flood-${j}\r\nUniqueid: ${uid}\r\nLinkedid: ${uid}\r\nCallerIDNum: 06${j}\r\nQueue: support\r\nPosition: ${j + 1}\r\nCount: ${j + 1}\r\n\r\n`;
      }
      if (!sw.send(text, 'latin1')) await within(sw.drained(), 60_000, 'the collector to read on');
    }
    sw.send(`Event: UserEvent\r\nPrivilege: user,all\r\nTimestamp: ${formatMicros(startUs + joins)}\r\nUserEvent: BenchFloodEnd\r\n\r\n`, 'latin1');
    await waitFor(
      async () => {
        const s = await ask<{ skipped: Record<string, number>; buffered: number }>(child, 'stats', 'stats');
        return (s.skipped.UserEvent ?? 0) > 0 && s.buffered === 0 ? true : undefined;
      },
      180_000,
      'the collector to read and write the flood',
      100,
    );
    const seconds = (performance.now() - t0) / 1000;
    const after = await gc();
    return {
      beforeHeapMb: before.memory.heapUsed / 2 ** 20,
      afterHeapMb: after.memory.heapUsed / 2 ** 20,
      beforeRssMb: before.memory.rss / 2 ** 20,
      afterRssMb: after.memory.rss / 2 ** 20,
      callsHeld: after.sizes.calls ?? 0,
      seconds,
    };
  } finally {
    await child.stop();
    await sw.close();
  }
}

export async function runFlood(o: BenchOptions): Promise<BenchResult> {
  const joins = Math.max(10_000, Math.round(JOINS * o.scale));
  const bounded = await floodOnce(joins, DEFAULT_MAX_CALLS);
  log(`flood: bounded: heap ${fmt(bounded.beforeHeapMb, 1)} → ${fmt(bounded.afterHeapMb, 1)} MB, ${bounded.callsHeld} calls held, ${fmt(bounded.seconds, 1)} s`);
  const unbounded = await floodOnce(joins, 10_000_000);
  log(`flood: unbounded: heap ${fmt(unbounded.beforeHeapMb, 1)} → ${fmt(unbounded.afterHeapMb, 1)} MB, ${unbounded.callsHeld} calls held, ${fmt(unbounded.seconds, 1)} s`);
  const grew = bounded.afterHeapMb - bounded.beforeHeapMb;
  const grewUnbounded = unbounded.afterHeapMb - unbounded.beforeHeapMb;
  return {
    json: {
      floodJoins: joins,
      floodMaxCalls: DEFAULT_MAX_CALLS,
      floodHeapMbBefore: round(bounded.beforeHeapMb, 1),
      floodHeapMbAfter: round(bounded.afterHeapMb, 1),
      floodRssMbBefore: round(bounded.beforeRssMb, 1),
      floodRssMbAfter: round(bounded.afterRssMb, 1),
      floodCallsHeld: bounded.callsHeld,
      floodSeconds: round(bounded.seconds, 1),
      floodUnboundedHeapMbAfter: round(unbounded.afterHeapMb, 1),
      floodUnboundedRssMbAfter: round(unbounded.afterRssMb, 1),
      floodUnboundedCallsHeld: unbounded.callsHeld,
    },
    rows: [
      {
        figure: `collector heap growth under ${fmt(joins)} never-ending joins (after GC)`,
        value: `${fmt(grew, 1)} MB (${fmt(bounded.callsHeld)} calls held)`,
        reference: `bound lifted, same run: ${fmt(grewUnbounded, 1)} MB (${fmt(unbounded.callsHeld)} calls)`,
        ratio: ratio(grew, grewUnbounded),
        verdict: below(grew, TARGET_MB),
      },
      {
        figure: '  collector RSS before → after the flood',
        value: `${fmt(bounded.beforeRssMb, 1)} → ${fmt(bounded.afterRssMb, 1)} MB`,
        reference: `bound lifted: ${fmt(unbounded.beforeRssMb, 1)} → ${fmt(unbounded.afterRssMb, 1)} MB`,
        ratio: ratio(bounded.afterRssMb, unbounded.afterRssMb),
        verdict: '',
      },
    ],
  };
}
