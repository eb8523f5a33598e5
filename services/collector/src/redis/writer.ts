/**
 * Applies the domain's changes to Redis: one MULTI per AMI event (every window and state
 * update of that event lands together or not at all), many events per round trip.
 *
 * The AMI reader never waits on this: Asterisk drops a manager session it cannot write to
 * within `writetimeout` (100 ms by default), so changes are queued here and written behind
 * the reader. While Redis is away the queue holds them (bounded, size exposed) and they are
 * written when it is back. Every command is idempotent (ZADD NX, HSET, HDEL), so a batch
 * that failed half-way is simply sent again.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { CALL_METRICS } from '@belofte/shared/catalogue';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import type { Keys } from '@belofte/shared/keys';
import { assertNever } from '@belofte/shared/never';
import { rollupRules, type RollupRules } from '@belofte/shared/rollup';
import { firstError, type ScriptArgs } from '@belofte/shared/scripts';
import type { Change } from '../domain/types.ts';
import { RecordWrites } from './recordWrites.ts';
import { scripts } from './scripts.ts';

const callScript = scripts.queue.bind(scripts);

export interface WriterOptions {
  keys: Keys;
  retentionDays: number;
  /** Thresholds and time zone the rollups are kept with (default: the README's defaults). */
  rollups?: RollupRules;
  /** Events held at most while Redis is unreachable; beyond that new ones are dropped (and counted). */
  maxBuffered: number;
  /** Events per round trip. */
  batchSize?: number;
  onError?: (error: Error, attempt: number) => void;
  onDrop?: (events: number) => void;
}

export interface WriterStats {
  batches: number;
  events: number;
  errors: number;
  dropped: number;
  /** Times the script cache was found empty (SCRIPT FLUSH, failover) and the scripts loaded again. */
  scriptReloads: number;
}

export class RedisWriter {
  readonly stats: WriterStats = { batches: 0, events: 0, errors: 0, dropped: 0, scriptReloads: 0 };
  private queue: Change[][] = [];
  private head = 0;
  private running = false;
  private lastEventAt = 0;
  private idle: Array<() => void> = [];
  private stopped = false;
  private wake: (() => void) | null = null;
  /** Switch clock minus our clock (ms), from the newest event: lets readers run the switch's clocks. */
  clockOffsetMs = 0;

  /** Finished calls' records and rollups. */
  readonly records: RecordWrites;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly options: WriterOptions,
  ) {
    scripts.define(redis);
    const rules = options.rollups ?? rollupRules(DEFAULT_THRESHOLDS, 'Europe/Amsterdam');
    this.records = new RecordWrites(redis, options.keys, rules, options.retentionDays, () => this.stats.scriptReloads++);
  }

  /** Events waiting to be written. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** Queues the changes of one event. Never blocks, never throws. */
  enqueue(changes: Change[], eventAt?: number): void {
    if (eventAt !== undefined && eventAt > this.lastEventAt) this.lastEventAt = eventAt;
    if (changes.length === 0) return;
    if (this.buffered >= this.options.maxBuffered) {
      // Only reached after Redis has been away for a long time: say so loudly, keep running.
      this.stats.dropped++;
      this.options.onDrop?.(1);
      return;
    }
    this.queue.push(changes);
    if (!this.running) void this.pump();
  }

  /** Resolves once everything queued so far is in Redis. */
  flush(): Promise<void> {
    if (this.buffered === 0 && !this.running) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Stops retrying (shutdown); what is not written stays unwritten. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async pump(): Promise<void> {
    this.running = true;
    let attempt = 0;
    while (this.buffered > 0 && !this.stopped) {
      const size = Math.min(this.buffered, this.options.batchSize ?? 512);
      const batch = this.queue.slice(this.head, this.head + size);
      try {
        await this.write(batch);
        this.head += size;
        if (this.head > 4096 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head);
          this.head = 0;
        }
        this.stats.batches++;
        this.stats.events += size;
        attempt = 0;
      } catch (e) {
        this.stats.errors++;
        attempt++;
        this.options.onError?.(e as Error, attempt);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(attempt, 6)));
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
    this.running = false;
    if (this.buffered === 0 || this.stopped) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  private async write(batch: Change[][]): Promise<void> {
    // Records first, one pipeline per shard (their own cluster slots): a finished call leaves
    // the calls in progress only once its record and rollups are in. Both halves are
    // idempotent, so a batch that failed anywhere is simply sent again.
    const finished = batch.flatMap((changes) => changes.flatMap((c) => (c.kind === 'callFinished' ? [c.call] : [])));
    if (finished.length > 0) await this.records.write(finished);
    const results = await scripts.exec(
      this.redis,
      (p) => {
        // MULTI/EXEC inside a pipeline: each event atomic, the whole batch one round trip.
        const tx = p as unknown as { multi(): void; exec(): void };
        for (const changes of batch) {
          tx.multi();
          for (const c of changes) this.add(p, c);
          tx.exec();
        }
        // The rules the records of this batch were counted with (their own slot, so here).
        if (finished.length > 0) this.records.register(p);
        p.hset(this.options.keys.health, 'lastEventAt', String(Math.round(this.lastEventAt)), 'lastWriteAt', String(Date.now()), 'clockOffsetMs', String(Math.round(this.clockOffsetMs)));
        p.publish(this.options.keys.changes, JSON.stringify({ at: Math.round(this.lastEventAt) }));
      },
      () => this.stats.scriptReloads++,
    );
    for (const [err, reply] of results) {
      // An EXEC reply holds each command's own result: a failed script shows up only there.
      const inner = err ?? firstError(reply);
      if (inner) throw inner;
    }
  }

  private add(p: ChainableCommander, c: Change): void {
    const k = this.options.keys;
    switch (c.kind) {
      case 'visitJoined':
        callScript(p, 'visitJoined', [k.queues, k.window('offered', c.queue), k.waiting(c.queue)], [c.queue, c.visitId, Math.round(c.at)]);
        break;
      case 'visitAnswered':
        callScript(
          p,
          'visitAnswered',
          [k.window('answered', c.queue), k.window('answeredWithinTarget', c.queue), k.waiting(c.queue), k.agentWindow('answered', c.agent), k.agentNames],
          [c.visitId, Math.round(c.at), c.withinTarget ? '1' : '0', c.agent],
        );
        break;
      case 'visitEnded':
        callScript(p, 'visitEnded', [k.window(c.outcome, c.queue), k.waiting(c.queue)], [c.visitId, Math.round(c.at)]);
        break;
      case 'guaranteeBreached':
        callScript(p, 'callMarked', [k.window('guaranteeBreaches', c.queue), k.queues], [c.linkedid, Math.round(c.at), c.queue]);
        break;
      case 'transferLimitExceeded':
        callScript(p, 'callMarked', [k.window('overTransferLimit', c.queue), k.queues], [c.linkedid, Math.round(c.at), c.queue]);
        break;
      case 'transferred':
        if (c.agent) callScript(p, 'callTransferred', [k.agentWindow('transfersMade', c.agent), k.agentNames], [c.transferId, Math.round(c.at), c.agent]);
        break;
      case 'callChanged':
        callScript(p, 'callSaved', [k.calls], [c.call.linkedid, JSON.stringify(c.call)]);
        break;
      case 'callFinished':
        // Its record went first (write); here only its live state goes.
        p.hdel(k.calls, c.call.linkedid);
        break;
      case 'callMerged':
        callScript(p, 'callMerged', [k.calls, k.queues], [c.from, c.into, ...CALL_METRICS.map((m) => k.windowPrefix(m))]);
        break;
      case 'agentChanged':
        callScript(p, 'agentSaved', [k.agents, k.agentNames], [c.agent.name, JSON.stringify(c.agent)]);
        break;
      default:
        assertNever(c);
    }
  }
}
