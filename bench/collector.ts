/**
 * The whole collector path into the real Redis: AMI bytes → FrameParser(WANTED_EVENTS) →
 * Pipeline.frame() (normalise → CallTracker → RedisWriter) → `await writer.flush()`.
 * Timed from the first byte in to the last change written, on a busy-switch load made of the
 * captures (fresh ids, overlapping calls), under a throw-away key prefix deleted afterwards.
 *
 * Same-run baselines on the same bytes: the reader alone, and reader + domain without Redis,
 * so the table shows where the time goes.
 *
 * Redis round trips are counted on the client: the writer's ioredis instance is observed at
 * `sendCommand` (every command passes there; the commands of one pipeline `exec` share one
 * stream object, so distinct streams = round trips, a command without one = its own round
 * trip). Cross-check: the writer publishes one change notice per batch, counted on a second
 * connection.
 */
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { Keys } from '@belofte/shared/keys';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { FrameParser, type FrameSink } from '@belofte/collector/ami/frameParser';
import { MalformedEvent, WANTED_EVENTS, normalise } from '@belofte/collector/ami/normalise';
import { CallTracker } from '@belofte/collector/domain/tracker';
import { Pipeline } from '@belofte/collector/pipeline';
import { chunks } from './corpus.ts';
import { busyLoad } from './load.ts';
import { benchPrefix, connectRedis, deletePrefix, log, median, onCleanup, round, sleep, within } from './lib.ts';
import { atLeast, fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';

const TARGET = 50_000;
const CHUNK = 64 * 1024;

function parserFor(sink: Pick<FrameSink, 'frame' | 'skipped'>): FrameParser {
  return new FrameParser({ ...sink, malformed: () => undefined }, { wants: (name) => WANTED_EVENTS.has(name) });
}

/** Pushes the chunks as socket reads would arrive: one per event-loop turn. */
async function feed(parser: FrameParser, parts: Buffer[]): Promise<void> {
  for (const c of parts) {
    parser.push(c);
    await new Promise((r) => setImmediate(r));
  }
}

async function readerOnly(parts: Buffer[]): Promise<number> {
  let domain = 0;
  const p = parserFor({
    frame: (f) => {
      try {
        if (normalise(f, Date.now())) domain++;
      } catch (e) {
        if (!(e instanceof MalformedEvent)) throw e;
      }
    },
  });
  const t0 = performance.now();
  await feed(p, parts);
  return performance.now() - t0 + domain * 0;
}

async function readerAndDomain(parts: Buffer[]): Promise<number> {
  const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
  let changes = 0;
  const p = parserFor({
    frame: (f) => {
      try {
        const ev = normalise(f, Date.now());
        if (ev) changes += tracker.process(ev).length;
      } catch (e) {
        if (!(e instanceof MalformedEvent)) throw e;
      }
    },
  });
  const t0 = performance.now();
  await feed(p, parts);
  return performance.now() - t0 + changes * 0;
}

interface RoundTrips {
  roundTrips: number;
  commands: number;
}

/** Observes an ioredis client's commands (see the file comment). */
function countRoundTrips(redis: Redis): RoundTrips {
  const c: RoundTrips = { roundTrips: 0, commands: 0 };
  const streams = new WeakSet<object>();
  const r = redis as unknown as { sendCommand: (command: unknown, stream?: { isPipeline?: boolean }, node?: unknown) => unknown };
  const send = r.sendCommand.bind(redis);
  r.sendCommand = (command, stream, node) => {
    c.commands++;
    if (stream?.isPipeline) {
      if (!streams.has(stream)) {
        streams.add(stream);
        c.roundTrips++;
      }
    } else {
      c.roundTrips++;
    }
    return send(command, stream, node);
  };
  return c;
}

async function wholeCollector(parts: Buffer[], redis: Redis, subscriber: Redis, prefix: string): Promise<{ ms: number; domain: number; trips: RoundTrips; notices: number; written: number; keys: number }> {
  const keys = new Keys(prefix, 'main');
  let notices = 0;
  const onMessage = (channel: string) => {
    if (channel === keys.changes) notices++;
  };
  subscriber.on('message', onMessage);
  await subscriber.subscribe(keys.changes);
  const pipeline = new Pipeline({
    redis,
    keys,
    thresholds: DEFAULT_THRESHOLDS,
    retentionDays: 1,
    maxBuffered: 10_000_000,
    log: pino({ level: 'silent' }),
  });
  await pipeline.restore();
  const trips = countRoundTrips(redis);
  let domain = 0;
  const parser = parserFor({
    frame: (f) => {
      domain++;
      pipeline.frame(f, Date.now());
    },
    skipped: (name) => pipeline.skipped(name),
  });
  const t0 = performance.now();
  await feed(parser, parts);
  await within(pipeline.writer.flush(), 120_000, 'the writer flushing to Redis');
  const ms = performance.now() - t0;
  pipeline.writer.stop();
  await sleep(50);
  await subscriber.unsubscribe(keys.changes);
  subscriber.off('message', onMessage);
  if (pipeline.writer.stats.errors) log(`collector: ${pipeline.writer.stats.errors} Redis write errors (retried)`);
  const keyCount = (await redis.eval(`return #redis.call('KEYS', ARGV[1])`, 0, `${prefix}:*`)) as number;
  return { ms, domain, trips: { ...trips }, notices, written: pipeline.writer.stats.events, keys: keyCount };
}

export async function runCollector(o: BenchOptions): Promise<BenchResult> {
  const copies = Math.max(4, Math.round(12 * o.scale));
  const load = busyLoad({ copies, startUs: (Date.now() - 3_600_000) * 1000, spacingUs: 5e6, agentGroups: 15, queueGroups: 3 });
  const parts = chunks(load.bytes, CHUNK);
  log(`collector: ${fmt(load.bytes.length / 1e6, 1)} MB, ${fmt(load.events)} events, ${fmt(load.calls)} calls (${copies} copies of the captures, 60 agents, 6 queues)`);
  const redis = connectRedis();
  const subscriber = connectRedis();
  onCleanup(() => {
    redis.disconnect();
    subscriber.disconnect();
  });
  // Warm-up: the same code paths compiled before the measured runs.
  await readerOnly(parts);
  await readerAndDomain(parts);
  const runs = Math.max(2, Math.round(3 * o.scale));
  const reader: number[] = [];
  const domain: number[] = [];
  const whole: Awaited<ReturnType<typeof wholeCollector>>[] = [];
  {
    const warm = benchPrefix('collector-warm', redis);
    await wholeCollector(parts, redis, subscriber, warm);
    await deletePrefix(redis, warm);
  }
  for (let r = 0; r < runs; r++) {
    reader.push(await readerOnly(parts));
    domain.push(await readerAndDomain(parts));
    const prefix = benchPrefix(`collector-${r}`, redis);
    whole.push(await wholeCollector(parts, redis, subscriber, prefix));
    await deletePrefix(redis, prefix);
  }
  const rate = (ms: number) => load.events / (ms / 1000);
  const wholeMs = median(whole.map((w) => w.ms));
  const pick = whole.find((w) => w.ms === wholeMs)!;
  const full = rate(wholeMs);
  const readerRate = rate(median(reader));
  const domainRate = rate(median(domain));
  const json = {
    collectorEventsPerSec: round(full),
    collectorDomainEventsPerSec: round(pick.domain / (wholeMs / 1000)),
    collectorCallsPerSec: round(load.calls / (wholeMs / 1000)),
    collectorReaderOnlyEventsPerSec: round(readerRate),
    collectorWithoutRedisEventsPerSec: round(domainRate),
    redisRoundTripsPerCall: round(pick.trips.roundTrips / load.calls, 3),
    redisCommandsPerCall: round(pick.trips.commands / load.calls, 1),
    redisChangeNoticesPerCall: round(pick.notices / load.calls, 3),
    redisRoundTripCounting: 'client side: distinct pipeline streams + standalone commands at ioredis sendCommand; cross-checked by counting PUBLISH change notices (one per writer batch)',
    collectorLoadEvents: load.events,
    collectorLoadDomainEvents: pick.domain,
    collectorLoadCalls: load.calls,
    collectorKeysWritten: pick.keys,
    collectorTarget: TARGET,
  };
  return {
    json,
    rows: [
      { figure: 'collector: AMI bytes → Redis (all events, whole path)', value: `${fmt(full)} ev/s`, reference: `target ≥ ${fmt(TARGET)} ev/s`, ratio: ratio(full, TARGET), verdict: atLeast(full, TARGET) },
      { figure: '  same bytes, reader + normalise only', value: `${fmt(readerRate)} ev/s`, reference: `whole path ${fmt(full)} ev/s`, ratio: ratio(readerRate, full), verdict: '' },
      { figure: '  same bytes, reader + domain, no Redis', value: `${fmt(domainRate)} ev/s`, reference: `whole path ${fmt(full)} ev/s`, ratio: ratio(domainRate, full), verdict: '' },
      {
        figure: 'collector: Redis round trips per customer call',
        value: fmt(pick.trips.roundTrips / load.calls, 3),
        reference: `${fmt(pick.trips.commands / load.calls, 1)} commands/call`,
        ratio: `${fmt(pick.trips.commands / Math.max(1, pick.trips.roundTrips))} cmds/trip`,
        verdict: '',
      },
    ],
  };
}
