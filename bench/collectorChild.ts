/**
 * The collector as production wires it (`services/collector/src/main.ts`: config from the
 * environment, one Redis connection, `Collector`), plus an IPC hook for the memory benchmark:
 * `{ cmd: 'stats' }` → counters; `{ cmd: 'gc' }` → flush, two full collections, then
 * `process.memoryUsage()` and the sizes of the tracker's maps. Run with `--expose-gc`.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { Redis } from 'ioredis';
import { loadConfig } from '@belofte/shared/config';
import { createLogger } from '@belofte/shared/log';
import { Collector } from '@belofte/collector/collector';

const config = loadConfig();
const log = createLogger('bench-collector', config.LOG_LEVEL);
const redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
redis.on('error', (e) => log.warn({ err: e.message }, 'Redis connection error'));
await redis.connect();
const collector = new Collector(config, redis, log);
await collector.start();

function sizes(): Record<string, number> {
  const t = collector.pipeline.tracker as unknown as Record<string, { size?: number; length?: number }>;
  const out: Record<string, number> = {};
  for (const k of ['calls', 'agents', 'alias', 'hungUp', 'pendingEnds', 'lastActivity']) {
    const v = t[k];
    if (v) out[k] = v.size ?? v.length ?? 0;
  }
  return out;
}

process.on('message', (m: { cmd: string }) => {
  void (async () => {
    const p = collector.pipeline;
    if (m.cmd === 'stats') {
      process.send?.({
        stats: true,
        skipped: Object.fromEntries(p.counters.skippedByType),
        buffered: p.writer.buffered,
        written: p.writer.stats.events,
        errors: p.writer.stats.errors,
        dropped: p.writer.stats.dropped,
      });
    } else if (m.cmd === 'heapSnapshot') {
      // For diagnosis: `BENCH_HEAP_SNAPSHOT=1` makes the memory benchmark take one at the end.
      const file = writeHeapSnapshot(path.join(tmpdir(), `belofte-collector-${process.pid}.heapsnapshot`));
      process.send?.({ heapSnapshot: file });
    } else if (m.cmd === 'gc') {
      await p.writer.flush();
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      process.send?.({ gc: Boolean(gc), memory: process.memoryUsage(), sizes: sizes() });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
process.once('SIGTERM', () => {
  void collector.stop().finally(() => {
    redis.disconnect();
    process.exit(0);
  });
});
process.send?.({ ready: true });
