/**
 * The switch's clock minus ours: the median of the recent samples, each a `Ping` answer's
 * `Timestamp` against the middle of its round trip, or an event's `Timestamp` against its
 * receipt. A median, so one slow answer or one event stamped with any time a switch likes
 * cannot move the clock the readers run on; and no sample beyond the skew limit counts at all.
 * (Events count too because a switch clock can run faster than ours: the simulator's does.)
 */
import { MAX_CLOCK_SKEW_MS } from './ami/normalise.ts';

const SAMPLES = 15;
/** An answer that took longer than this says little about the clock. */
const MAX_ROUND_TRIP_MS = 2_000;

export class ClockOffset {
  private readonly samples: number[] = [];

  /** `maxSkewMs`: offsets beyond it are a broken clock and ignored (0: any offset). */
  constructor(private readonly maxSkewMs = MAX_CLOCK_SKEW_MS) {}

  /** Adds one Ping answer; returns whether it was usable. */
  add(switchMs: number, sentAt: number, receivedAt: number): boolean {
    if (!Number.isFinite(switchMs) || switchMs <= 0 || receivedAt - sentAt > MAX_ROUND_TRIP_MS) return false;
    const offset = switchMs - (sentAt + receivedAt) / 2;
    // A switch clock a day off is a broken clock: event times are checked against ours then.
    if (this.maxSkewMs > 0 && Math.abs(offset) > this.maxSkewMs) return false;
    this.samples.push(offset);
    if (this.samples.length > SAMPLES) this.samples.shift();
    return true;
  }

  /** Median offset (ms); 0 before any answer. */
  get ms(): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
}
