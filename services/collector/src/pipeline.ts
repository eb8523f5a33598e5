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
import { CALL_CLASS_EVENTS, eventLabel } from './ami/eventNames.ts';
import { ClockOffset } from './clockOffset.ts';
import { MalformedEvent, normalise, type NormaliseNotes } from './ami/normalise.ts';
import type { MemberStatus, QueueEntry } from './domain/events.ts';
import { CallTracker, type TrackerState } from './domain/tracker.ts';
import type { CustomerCall, AgentState } from './domain/types.ts';
import { RedisWriter } from './redis/writer.ts';
import type { RollupRules } from '@belofte/shared/rollup';

export interface PipelineOptions {
  redis: Redis | Cluster;
  keys: Keys;
  thresholds: Thresholds;
  /** A queue's own targets (BELOFTE_QUEUES). */
  thresholdsFor?: (queue: string) => Thresholds;
  /** Local days of the rollups (BELOFTE_TIMEZONE), without `rollups`. */
  timeZone?: string;
  /** What the rollups are counted with (rollupRulesOf(config)); needed with `thresholdsFor`. */
  rollups?: RollupRules;
  retentionDays: number;
  maxBuffered: number;
  log: Logger;
  keepFinished?: boolean;
  /** See TrackerOptions. */
  maxWaitMs?: number;
  maxCalls?: number;
  /** See AMI_MAX_CLOCK_SKEW_SECONDS (0: trust the switch's Timestamps). */
  maxClockSkewMs?: number;
}

export interface PipelineCounters {
  /** Frames handled by the domain, by event name. */
  eventsByType: Map<string, number>;
  /** Firehose frames skipped unparsed, by event name (names Asterisk does not have: `other`). */
  skippedByType: Map<string, number>;
  malformed: number;
  /** Events whose Timestamp was implausible (garbage, or more than a day from the receipt time) and was replaced. */
  suspectTimes: number;
  /** Newest event time seen (ms). */
  lastEventAt: number;
  /** Event time minus receipt time of the newest event (ms): how far behind the switch we are. */
  lagMs: number;
}

export class Pipeline {
  readonly tracker: CallTracker;
  readonly writer: RedisWriter;
  /** The switch's clock minus ours (Ping answers and events, median). */
  readonly clock: ClockOffset;
  readonly counters: PipelineCounters = { eventsByType: new Map(), skippedByType: new Map(), malformed: 0, suspectTimes: 0, lastEventAt: 0, lagMs: 0 };
  /**
   * Whether this session delivers `call` class events (hang-ups): null until known. Known
   * present at the first such event; known absent when calls are answered with none at all.
   */
  callEvents: 'present' | 'absent' | null = null;
  private connectsWithoutCallEvents = 0;
  private malformedLogged = 0;
  private readonly notes: NormaliseNotes;

  constructor(private readonly o: PipelineOptions) {
    this.notes = { suspectTime: false, maxSkewMs: o.maxClockSkewMs };
    this.clock = new ClockOffset(o.maxClockSkewMs);
    this.tracker = new CallTracker({ thresholds: o.thresholds, thresholdsFor: o.thresholdsFor, keepFinished: o.keepFinished, maxWaitMs: o.maxWaitMs, maxCalls: o.maxCalls });
    this.writer = new RedisWriter(o.redis, {
      keys: o.keys,
      retentionDays: o.retentionDays,
      rollups: o.rollups ?? { thresholds: o.thresholds, thresholdsFor: o.thresholdsFor, timeZone: o.timeZone ?? 'Europe/Amsterdam' },
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
    const name = fields.event ?? '';
    this.observe(name);
    try {
      // A replay has no receipt times: the previous event's time is the reference then.
      ev = normalise(fields, receivedAt > 0 ? receivedAt : this.counters.lastEventAt, this.notes);
    } catch (e) {
      if (e instanceof MalformedEvent) {
        this.malformed(JSON.stringify(fields).slice(0, 200), e.message);
        return;
      }
      throw e;
    }
    if (!ev) return;
    if (this.notes.suspectTime) this.counters.suspectTimes++;
    const label = eventLabel(name);
    this.counters.eventsByType.set(label, (this.counters.eventsByType.get(label) ?? 0) + 1);
    if (ev.at > this.counters.lastEventAt) {
      this.counters.lastEventAt = ev.at;
      if (receivedAt > 0) this.counters.lagMs = receivedAt - ev.at;
    }
    if (receivedAt > 0 && !this.notes.suspectTime) this.clockSample(ev.at, receivedAt, receivedAt);
    if (ev.type === 'AgentConnect' && this.callEvents === null && ++this.connectsWithoutCallEvents >= 2) {
      // Two calls answered and not one channel event: manager.conf does not give the `call` class.
      this.callEvents = 'absent';
      this.tracker.setHangupsAbsent(true);
      this.o.log.warn(
        'this AMI session receives no `call` class events (no hang-ups): abandons cannot be told from queue timeouts, and every unmoved QueueCallerAbandon counts as abandoned; add `call` to the `read =` line of the manager.conf user (see README)',
      );
    }
    try {
      this.writer.enqueue(this.tracker.process(ev), ev.at);
    } catch (e) {
      // A bug in the domain must not take the collector down with it: say which event.
      this.o.log.error({ err: (e as Error).stack, event: name }, 'event could not be processed');
    }
  }

  /** One sample of the switch's clock (an event, or a Ping answer between send and receipt). */
  clockSample(switchMs: number, sentAt: number, receivedAt: number): void {
    if (this.clock.add(switchMs, sentAt, receivedAt)) this.writer.clockOffsetMs = this.clock.ms;
  }

  skipped(name: string): void {
    this.observe(name);
    const label = eventLabel(name);
    this.counters.skippedByType.set(label, (this.counters.skippedByType.get(label) ?? 0) + 1);
  }

  /** A `call` class event shows hang-ups are visible in this session. */
  private observe(name: string): void {
    if (this.callEvents === 'present' || !CALL_CLASS_EVENTS.has(name)) return;
    if (this.callEvents === 'absent') this.o.log.info('`call` class events arrive again: abandons are told from timeouts by the hang-up');
    this.callEvents = 'present';
    this.tracker.setHangupsAbsent(false);
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

  /** Writes the whole live state again (Redis came back empty). */
  rewriteLiveState(): void {
    this.writer.enqueue(this.tracker.liveState());
  }
}
