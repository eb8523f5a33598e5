/**
 * What the simulator played, per customer call and per queue, in the format of `calls[]` and
 * `queues{}` of test/fixtures/ami/*.truth.json, so tests can hold Belofte's figures against it.
 *
 * Differences from the capture truths, which come from queue_log (whole seconds):
 * times are ISO with milliseconds and waitSeconds has millisecond precision, both on the
 * simulated clock. A caller whose wait ended by the queue timeout gets outcome `timedOut`
 * (queue_log's EXITWITHTIMEOUT): counted in `timedOut`, not in `abandoned`, although AMI reports
 * it with QueueCallerAbandon too.
 */
export interface TruthCall {
  /** The customer call's Linkedid (the `;1` side's Uniqueid). */
  linkedid: string;
  /** Uniqueid of every channel that entered a queue for this call, in order, without repeats. */
  uniqueids: string[];
  /** Every queue entered, in order (a queue entered twice appears twice). */
  queues: string[];
  joinedAt: string | null;
  answeredAt: string | null;
  abandonedAt: string | null;
  /** First entry to first answer, or to the abandon / timeout; null while still waiting. */
  waitSeconds: number | null;
  /** Member name of the first answer. */
  agent: string | null;
  /** Completed transfers (BlindTransfer / AttendedTransfer). */
  transfers: number;
  outcome: 'answered' | 'abandoned' | 'timedOut' | 'unknown';
  /** Asterisk's own HoldTime of the first answer (AgentConnect). */
  firstHoldtime?: number;
  /** Asterisk's own HoldTime of the abandon (QueueCallerAbandon). */
  abandonWait?: number;
}

export interface TruthQueue {
  /** Queue entries (QueueCallerJoin / ENTERQUEUE). */
  offered: number;
  /** AgentConnect / CONNECT. */
  answered: number;
  /** Caller hung up while queued (ABANDON). */
  abandoned: number;
  /** Answered with HoldTime <= 20 s. */
  answeredWithin20: number;
  /** Left the queue by its timeout (EXITWITHTIMEOUT). */
  timedOut: number;
  /** Ended unanswered and the same channel entered another queue within 2 s (Redirect, flow-out). */
  movedOut: number;
  /** Customer calls first offered here that waited more than 300 s for their first answer, or gave up after that. */
  guaranteeBreaches: number;
  /** Customer calls first offered here with more than 2 transfers. */
  overTransferLimit: number;
}

/** The thresholds of the capture truths (queue_log rules in test/fixtures/ami/README.md). */
const MOVE_WINDOW_MS = 2000;
const GUARANTEE_SECONDS = 300;
const MAX_TRANSFERS = 2;

export interface Truth {
  calls: TruthCall[];
  queues: Record<string, TruthQueue>;
}

interface CallRecord {
  call: TruthCall;
  joinedMs: number;
  /** End of the call's last unanswered visit (abandon or timeout). */
  lastEndMs: number | null;
}

/** A channel's last visit that ended unanswered: a move if it joins another queue soon after. */
interface UnansweredEnd {
  queue: string;
  atMs: number;
  timedOut: boolean;
}

const iso = (ms: number) => new Date(Math.floor(ms)).toISOString();
const seconds = (ms: number) => Math.round(ms) / 1000;

export class TruthRecorder {
  private readonly calls = new Map<string, CallRecord>();
  private readonly queues: Record<string, TruthQueue> = {};
  private readonly lastEnds = new Map<string, UnansweredEnd>();

  constructor(queueNames: Iterable<string>) {
    for (const q of queueNames) this.ensureQueue(q);
  }

  ensureQueue(name: string): TruthQueue {
    let q = this.queues[name];
    if (!q) {
      q = { offered: 0, answered: 0, abandoned: 0, answeredWithin20: 0, timedOut: 0, movedOut: 0, guaranteeBreaches: 0, overTransferLimit: 0 };
      this.queues[name] = q;
    }
    return q;
  }

  join(linkedid: string, uniqueid: string, queue: string, atMs: number): void {
    this.ensureQueue(queue).offered++;
    const end = this.lastEnds.get(uniqueid);
    if (end && end.queue !== queue && atMs - end.atMs <= MOVE_WINDOW_MS) {
      const left = this.ensureQueue(end.queue);
      if (end.timedOut) left.timedOut--;
      else left.abandoned--;
      left.movedOut++;
    }
    this.lastEnds.delete(uniqueid);
    let rec = this.calls.get(linkedid);
    if (!rec) {
      rec = {
        joinedMs: atMs,
        lastEndMs: null,
        call: {
          linkedid,
          uniqueids: [],
          queues: [],
          joinedAt: iso(atMs),
          answeredAt: null,
          abandonedAt: null,
          waitSeconds: null,
          agent: null,
          transfers: 0,
          outcome: 'unknown',
        },
      };
      this.calls.set(linkedid, rec);
    }
    if (!rec.call.uniqueids.includes(uniqueid)) rec.call.uniqueids.push(uniqueid);
    rec.call.queues.push(queue);
  }

  answer(linkedid: string, queue: string, agent: string, holdTime: number, atMs: number): void {
    const q = this.ensureQueue(queue);
    q.answered++;
    if (holdTime <= 20) q.answeredWithin20++;
    const rec = this.calls.get(linkedid);
    if (!rec || rec.call.answeredAt !== null) return;
    rec.call.answeredAt = iso(atMs);
    rec.call.agent = agent;
    rec.call.waitSeconds = seconds(atMs - rec.joinedMs);
    rec.call.firstHoldtime = holdTime;
    rec.call.outcome = 'answered';
  }

  /** An entry ended unanswered: the caller hung up (abandon) or the queue timed it out. */
  abandon(linkedid: string, uniqueid: string, queue: string, holdTime: number, atMs: number, timedOut: boolean): void {
    const q = this.ensureQueue(queue);
    if (timedOut) q.timedOut++;
    else q.abandoned++;
    this.lastEnds.set(uniqueid, { queue, atMs, timedOut });
    const rec = this.calls.get(linkedid);
    if (rec) rec.lastEndMs = atMs;
    if (!rec || rec.call.answeredAt !== null || rec.call.abandonedAt !== null) return;
    rec.call.abandonedAt = iso(atMs);
    rec.call.waitSeconds = seconds(atMs - rec.joinedMs);
    rec.call.abandonWait = holdTime;
    rec.call.outcome = timedOut ? 'timedOut' : 'abandoned';
  }

  transfer(linkedid: string): void {
    const rec = this.calls.get(linkedid);
    if (rec) rec.call.transfers++;
  }

  /** A deep copy, calls ordered by first queue entry. */
  snapshot(): Truth {
    const calls = [...this.calls.values()]
      .sort((a, b) => a.joinedMs - b.joinedMs)
      .map((r) => ({ ...r.call, uniqueids: [...r.call.uniqueids], queues: [...r.call.queues] }));
    const queues: Record<string, TruthQueue> = {};
    for (const [name, q] of Object.entries(this.queues)) queues[name] = { ...q, guaranteeBreaches: 0, overTransferLimit: 0 };
    // Per customer call, booked on its first queue only, as the capture truths do.
    for (const r of this.calls.values()) {
      const first = r.call.queues[0];
      if (first === undefined) continue;
      const endMs = r.call.answeredAt !== null ? Date.parse(r.call.answeredAt) : r.lastEndMs;
      if (endMs !== null && (endMs - r.joinedMs) / 1000 > GUARANTEE_SECONDS) queues[first]!.guaranteeBreaches++;
      if (r.call.transfers > MAX_TRANSFERS) queues[first]!.overTransferLimit++;
    }
    return { calls, queues };
  }
}
