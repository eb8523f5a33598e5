/**
 * Staffing advice per queue for the live figures: reads the last hour's visits (finished calls
 * and calls in progress) and the queue members' wrap-up times, and keeps the advice for a few
 * seconds — the wallboards' frames come many times a second, the advice moves by the minute.
 */
import type { Cluster, Redis } from 'ioredis';
import type { RecordedVisit } from '@belofte/shared/callRecord';
import type { QueueFigures } from '@belofte/shared/figures';
import type { Keys } from '@belofte/shared/keys';
import { HANDLE_WINDOW_MS, sampleQueues, staffingAdvice, type QueueSample, type Staffing } from '@belofte/shared/staffing/advice';
import type { CallRecords } from '../records/reader.ts';

/** How long one read of the last hour serves. */
export const ADVICE_REFRESH_MS = 10_000;
/** A call whose first entry is older than this cannot have a visit in the last hour that matters. */
const CALL_MARGIN_MS = 2 * 3_600_000;

export interface QueueTargets {
  targetSeconds: number;
  serviceLevelTarget: number;
  /** Wrap-up per conversation; null: what the queue's members report (Asterisk's Wrapuptime). */
  wrapupSeconds: number | null;
}

interface Read {
  at: number;
  samples: Map<string, QueueSample>;
  wrapup: Map<string, number>;
}

export class StaffingAdvisor {
  private last: Read | null = null;
  private pending: Promise<Read> | null = null;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
    private readonly records: CallRecords,
    private readonly targetsOf: (queue: string) => QueueTargets,
    private readonly refreshMs = ADVICE_REFRESH_MS,
  ) {}

  /** The advice for every queue of a snapshot, at `switchNow` (the switch's clock). */
  async advise(queues: Record<string, QueueFigures>, switchNow: number): Promise<Map<string, Staffing>> {
    const read = await this.read(switchNow);
    const out = new Map<string, Staffing>();
    for (const [queue, f] of Object.entries(queues)) {
      const t = this.targetsOf(queue);
      out.set(
        queue,
        staffingAdvice({
          sample: read.samples.get(queue),
          wrapupSeconds: t.wrapupSeconds ?? read.wrapup.get(queue) ?? 0,
          agentsAvailable: f.agents.available + f.agents.ringing + f.agents.oncall + f.agents.wrapup,
          targetSeconds: t.targetSeconds,
          serviceLevelTarget: t.serviceLevelTarget,
        }),
      );
    }
    return out;
  }

  private read(now: number): Promise<Read> {
    if (this.last && now - this.last.at < this.refreshMs && now >= this.last.at) return Promise.resolve(this.last);
    this.pending ??= this.fetch(now).finally(() => (this.pending = null));
    return this.pending;
  }

  private async fetch(now: number): Promise<Read> {
    const [finished, inProgress, agents] = await Promise.all([
      this.records.finished(now - HANDLE_WINDOW_MS, now + 1, now, CALL_MARGIN_MS),
      this.records.inProgress(),
      this.redis.hvals(this.keys.agents),
    ]);
    // A call that just finished may still be in the in-progress hash: each visit once.
    const visits = new Map<string, RecordedVisit>();
    for (const r of [...inProgress, ...finished]) for (const v of r.visits) visits.set(v.id, v);
    const wrapup = new Map<string, number>();
    for (const text of agents) {
      try {
        const a = JSON.parse(text) as { queues?: string[]; wrapupSeconds?: number };
        for (const q of a.queues ?? []) wrapup.set(q, Math.max(wrapup.get(q) ?? 0, Number(a.wrapupSeconds) || 0));
      } catch {
        // An unreadable agent entry says nothing about wrap-up; the live figures report it.
      }
    }
    this.last = { at: now, samples: sampleQueues(visits.values(), now), wrapup };
    return this.last;
  }
}
