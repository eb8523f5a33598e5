/**
 * When an alert fires and when it clears, pure: observations and the clock in, transitions
 * out. An alert fires once its condition has held for the rule's `for`, and clears once its
 * clear condition has held for `clearFor`; anything shorter in between resets the count. So a
 * condition that flaps gives one alert that stays until things are calm, not a stream.
 *
 * What is firing comes from the caller (the store in Redis), so a restarted or a new
 * evaluator carries on where the last one stopped; only the "holding since" clocks are
 * this process's own (losing them delays an alert by at most `for`, never doubles one).
 */
import type { Observation } from './conditions.ts';

export interface Transitions {
  fire: Observation[];
  /** Keys of firing alerts whose clear condition held long enough; the observation when there is one. */
  clear: Array<{ key: string; observation: Observation | null }>;
}

export class AlertTracker {
  private readonly holding = new Map<string, number>();
  private readonly clearing = new Map<string, number>();

  step(now: number, observations: Observation[], firing: ReadonlySet<string>, clearForMs: (key: string) => number): Transitions {
    const out: Transitions = { fire: [], clear: [] };
    const seen = new Set<string>();
    for (const o of observations) {
      seen.add(o.key);
      if (firing.has(o.key)) {
        this.holding.delete(o.key);
        if (!o.clears) {
          this.clearing.delete(o.key);
          continue;
        }
        const since = this.clearing.get(o.key) ?? now;
        this.clearing.set(o.key, since);
        if (now - since >= o.rule.clearForMs) {
          this.clearing.delete(o.key);
          out.clear.push({ key: o.key, observation: o });
        }
      } else {
        this.clearing.delete(o.key);
        if (!o.holds) {
          this.holding.delete(o.key);
          continue;
        }
        const since = this.holding.get(o.key) ?? now;
        this.holding.set(o.key, since);
        if (now - since >= o.rule.forMs) {
          this.holding.delete(o.key);
          out.fire.push(o);
        }
      }
    }
    // A firing alert with nothing to observe (its queue is gone, its rule removed): it clears
    // the same way, once calm for its clearFor.
    for (const key of firing) {
      if (seen.has(key)) continue;
      const since = this.clearing.get(key) ?? now;
      this.clearing.set(key, since);
      if (now - since >= clearForMs(key)) {
        this.clearing.delete(key);
        out.clear.push({ key, observation: null });
      }
    }
    for (const key of this.holding.keys()) if (!seen.has(key)) this.holding.delete(key);
    return out;
  }

  /** Forgets the clocks (this process stopped evaluating: another one carries on). */
  reset(): void {
    this.holding.clear();
    this.clearing.clear();
  }
}
