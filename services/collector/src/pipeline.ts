/**
 * What happens to every AMI frame, live or replayed: normalise → domain core → Redis writer.
 * The live collector feeds it from the socket, `npm run replay` from a capture file; both
 * go through this one path.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Keys } from '@belofte/shared/keys';
import type { Thresholds } from '@belofte/shared/figures';
import type { Fields } from './ami/frameParser.ts';
import { MalformedEvent, normalise } from './ami/normalise.ts';
import type { MemberStatus, QueueEntry } from './domain/events.ts';
import { CallTracker, type TrackerState } from './domain/tracker.ts';
import type { CustomerCall, AgentState } from './domain/types.ts';
import { RedisWriter } from './redis/writer.ts';

export interface PipelineOptions {
  redis: Redis | Cluster;
  keys: Keys;
  thresholds: Thresholds;
  /** A queue's own targets (BELOFTE_QUEUES). */
  thresholdsFor?: (queue: string) => Thresholds;
  /** Local days of the rollups (BELOFTE_TIMEZONE). */
  timeZone?: string;
  retentionDays: number;
  maxBuffered: number;
  log: Logger;
  keepFinished?: boolean;
}

export interface PipelineCounters {
  /** Frames handled by the domain, by event name. */
  eventsByType: Map<string, number>;
  /** Firehose frames skipped unparsed, by event name. */
  skippedByType: Map<string, number>;
  malformed: number;
  /** Newest event time seen (ms). */
  lastEventAt: number;
  /** Event time minus receipt time of the newest event (ms): how far behind the switch we are. */
  lagMs: number;
}

export class Pipeline {
  readonly tracker: CallTracker;
  readonly writer: RedisWriter;
  readonly counters: PipelineCounters = { eventsByType: new Map(), skippedByType: new Map(), malformed: 0, lastEventAt: 0, lagMs: 0 };
  private malformedLogged = 0;

  constructor(private readonly o: PipelineOptions) {
    this.tracker = new CallTracker({ thresholds: o.thresholds, thresholdsFor: o.thresholdsFor, keepFinished: o.keepFinished });
    this.writer = new RedisWriter(o.redis, {
      keys: o.keys,
      retentionDays: o.retentionDays,
      rollups: { thresholds: o.thresholds, thresholdsFor: o.thresholdsFor, timeZone: o.timeZone ?? 'Europe/Amsterdam' },
      maxBuffered: o.maxBuffered,
      onError: (e, attempt) => {
        if (attempt === 1 || attempt % 20 === 0) o.log.error({ err: e.message, buffered: this.writer.buffered, attempt }, 'Redis write failed; holding events and retrying');
      },
      onDrop: () => {
        if (this.writer.stats.dropped % 1000 === 1) o.log.error({ dropped: this.writer.stats.dropped }, 'event buffer full (BUFFER_MAX_EVENTS): dropping events until Redis is back');
      },
    });
  }

  /** Loads the calls in progress and agent states a previous run left in Redis. */
  async restore(): Promise<{ calls: number; agents: number }> {
    const [calls, agents] = await Promise.all([this.o.redis.hvals(this.o.keys.calls), this.o.redis.hvals(this.o.keys.agents)]);
    const state: TrackerState = {
      calls: calls.map((c) => JSON.parse(c) as CustomerCall),
      agents: agents.map((a) => JSON.parse(a) as AgentState),
    };
    this.tracker.restore(state);
    return { calls: state.calls.length, agents: state.agents.length };
  }

  /** One frame in. Never throws: bad input is counted and logged. */
  frame(fields: Fields, receivedAt: number): void {
    let ev;
    try {
      ev = normalise(fields, receivedAt);
    } catch (e) {
      if (e instanceof MalformedEvent) {
        this.malformed(JSON.stringify(fields).slice(0, 200), e.message);
        return;
      }
      throw e;
    }
    if (!ev) return;
    const name = fields.event ?? 'unknown';
    this.counters.eventsByType.set(name, (this.counters.eventsByType.get(name) ?? 0) + 1);
    if (ev.at > this.counters.lastEventAt) {
      this.counters.lastEventAt = ev.at;
      this.counters.lagMs = receivedAt - ev.at;
      if (receivedAt > 0) this.writer.clockOffsetMs = ev.at - receivedAt;
    }
    try {
      this.writer.enqueue(this.tracker.process(ev), ev.at);
    } catch (e) {
      // A bug in the domain must not take the collector down with it: say which event.
      this.o.log.error({ err: (e as Error).stack, event: name }, 'event could not be processed');
    }
  }

  skipped(name: string): void {
    this.counters.skippedByType.set(name, (this.counters.skippedByType.get(name) ?? 0) + 1);
  }

  malformed(text: string, reason: string): void {
    this.counters.malformed++;
    // A stream of garbage must not become a stream of log lines.
    if (this.malformedLogged < 20 || this.counters.malformed % 1000 === 0) {
      this.malformedLogged++;
      this.o.log.warn({ reason, frame: text, total: this.counters.malformed }, 'malformed AMI frame skipped');
    }
  }

  tick(now: number): void {
    this.writer.enqueue(this.tracker.tick(now));
  }

  resync(at: number, entries: QueueEntry[], members: MemberStatus[], linkedidOf: Map<string, string>, asked?: Set<string>): void {
    this.writer.enqueue(this.tracker.resync(at, entries, members, linkedidOf, asked));
  }

  finish(at: number): void {
    this.writer.enqueue(this.tracker.finish(at));
  }
}
