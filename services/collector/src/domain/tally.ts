/**
 * Folds a stream of changes into per-queue counts — the same arithmetic the Redis windows do,
 * kept pure so the domain can be checked against ground truth without Redis, and so tests
 * have an independent reference for what Redis should hold.
 */
import { emptyFigures, serviceLevel, type QueueFigures } from '@belofte/shared/figures';
import type { Change } from './types.ts';

export class Tally {
  readonly queues = new Map<string, QueueFigures>();
  private readonly seen = new Set<string>();
  /** Which queue each breach / over-limit was booked on, so a merge can move it. */
  private readonly booked = new Map<string, string>();

  private q(name: string): QueueFigures {
    let f = this.queues.get(name);
    if (!f) {
      f = emptyFigures();
      this.queues.set(name, f);
    }
    return f;
  }

  /** Each change is counted once, whatever number of times it is applied (as ZADD would). */
  private once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  apply(changes: Change[]): void {
    for (const c of changes) {
      switch (c.kind) {
        case 'visitJoined':
          if (this.once(`o|${c.visitId}|${c.queue}`)) {
            this.q(c.queue).offered++;
            this.q(c.queue).waiting++;
          }
          break;
        case 'visitAnswered':
          if (this.once(`a|${c.visitId}|${c.queue}`)) {
            const f = this.q(c.queue);
            f.answered++;
            f.waiting--;
            if (c.withinTarget) f.answeredWithinTarget++;
          }
          break;
        case 'visitEnded':
          if (this.once(`e|${c.visitId}|${c.queue}`)) {
            const f = this.q(c.queue);
            f[c.outcome]++;
            f.waiting--;
          }
          break;
        case 'guaranteeBreached':
          if (this.once(`b|${c.linkedid}`)) {
            this.q(c.queue).guaranteeBreaches++;
            this.booked.set(`b|${c.linkedid}`, c.queue);
          }
          break;
        case 'transferLimitExceeded':
          if (this.once(`t|${c.linkedid}`)) {
            this.q(c.queue).overTransferLimit++;
            this.booked.set(`t|${c.linkedid}`, c.queue);
          }
          break;
        case 'callMerged':
          // The merged-away call's breach is the kept call's: count it once.
          for (const k of ['b', 't'] as const) {
            const from = this.booked.get(`${k}|${c.from}`);
            if (!from) continue;
            this.booked.delete(`${k}|${c.from}`);
            if (this.seen.has(`${k}|${c.into}`)) {
              if (k === 'b') this.q(from).guaranteeBreaches--;
              else this.q(from).overTransferLimit--;
            } else {
              this.seen.add(`${k}|${c.into}`);
              this.booked.set(`${k}|${c.into}`, from);
            }
          }
          break;
        default:
          break;
      }
    }
    for (const f of this.queues.values()) f.serviceLevel = serviceLevel(f);
  }
}
