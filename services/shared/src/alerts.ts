/**
 * An alert as Belofte stores, serves, pushes and posts it: one per time a rule's condition
 * started (for a queue, or the whole site), closed when it cleared. The wallboard draws the
 * active ones from the `alerts` list of every live frame.
 */
import type { RuleKind } from './alertRules.ts';

export interface Alert {
  /** Stable for the alert's whole life: `<fired at, ms>-<rule>-<queue or *>`. */
  id: string;
  rule: RuleKind;
  /** The queue it is about; null for the whole site (disconnected, redisDown). */
  queue: string | null;
  /** The figure watched, as the live document names it (longestWaitSeconds, serviceLevel, …). */
  figure: string;
  /** The figure when it fired (serviceLevel a fraction; null when not known). */
  value: number | null;
  /** The rule's threshold: seconds for longWait, a count for breach, a fraction for serviceLevel, 0 otherwise. */
  threshold: number;
  /** The window the figure covers, minutes (breach, serviceLevel); null otherwise. */
  windowMinutes: number | null;
  firedAt: string;
  /** Null while it is active. */
  clearedAt: string | null;
  /** The figure when it cleared. */
  clearedValue: number | null;
  /** The wallboard, for the people the alert is sent to. */
  link: string;
}
