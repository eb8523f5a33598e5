/**
 * What each rule sees in the live figures, pure: rules and snapshots in, one observation per
 * rule and queue out — whether the alert's condition holds, and whether its clear condition
 * does. The two differ where a rule has hysteresis (the service level fires below `below` and
 * clears only at `clearAt`); elsewhere one is the other's negation and `clearFor` does the work.
 */
import { QUEUE_RULES, type AlertRule, type RuleKind } from '@belofte/shared/alertRules';
import { serviceLevelDenominator } from '@belofte/shared/catalogue';
import { assertNever } from '@belofte/shared/never';
import type { LiveSnapshot, QueueFigures } from '@belofte/shared/figures';

export interface Observation {
  /** `<rule>:<queue>` or `<rule>:*`: one alert at a time per key. */
  key: string;
  rule: AlertRule;
  queue: string | null;
  holds: boolean;
  clears: boolean;
  value: number | null;
}

export const alertKey = (rule: RuleKind, queue: string | null) => `${rule}:${queue ?? '*'}`;

/** The windows (minutes) the rules need read, besides today's figures. */
export function windowsNeeded(rules: AlertRule[]): number[] {
  return [...new Set(rules.flatMap((r) => (r.windowMinutes === null ? [] : [r.windowMinutes])))].sort((a, b) => a - b);
}

export interface Seen {
  /** Since local midnight: who waits, agents, health. */
  today: LiveSnapshot;
  /** Rolling windows by minutes. */
  windows: Map<number, LiveSnapshot>;
}

/** People who can take a call: logged in and not paused, free or busy. */
export function staffed(f: QueueFigures): number {
  return f.agents.available + f.agents.ringing + f.agents.oncall + f.agents.wrapup;
}

function one(rule: AlertRule, queue: string, f: QueueFigures): Pick<Observation, 'holds' | 'clears' | 'value'> {
  switch (rule.kind) {
    case 'longWait': {
      const holds = f.waiting > 0 && f.longestWaitSeconds >= rule.threshold;
      return { holds, clears: !holds, value: f.longestWaitSeconds };
    }
    case 'breach': {
      const holds = f.guaranteeBreaches >= rule.threshold;
      return { holds, clears: !holds, value: f.guaranteeBreaches };
    }
    case 'serviceLevel': {
      const calls = serviceLevelDenominator(f);
      const sl = f.serviceLevel;
      // Too few calls to judge: it does not fire, and an active alert may clear.
      if (sl === null || calls < rule.minCalls) return { holds: false, clears: true, value: sl };
      return { holds: sl < rule.threshold, clears: sl >= rule.clearAt!, value: sl };
    }
    case 'noAgent': {
      const n = staffed(f);
      const holds = f.waiting > 0 && n === 0;
      return { holds, clears: !holds, value: n };
    }
    case 'disconnected':
    case 'redisDown':
      throw new Error(`${rule.kind} is not a queue rule (${queue})`);
    default:
      return assertNever(rule.kind, 'alert rule');
  }
}

/** Every observation of the rules in these figures; `redisOk` is whether the figures could be read. */
export function observe(rules: AlertRule[], seen: Seen): Observation[] {
  const out: Observation[] = [];
  for (const rule of rules) {
    if (rule.kind === 'redisDown') continue; // judged by whether Redis answers at all: see the evaluator
    if (rule.kind === 'disconnected') {
      const connected = seen.today.health.collectorConnected;
      out.push({ key: alertKey(rule.kind, null), rule, queue: null, holds: !connected, clears: connected, value: connected ? 1 : 0 });
      continue;
    }
    if (!QUEUE_RULES.has(rule.kind)) continue;
    const snap = rule.windowMinutes === null ? seen.today : seen.windows.get(rule.windowMinutes);
    if (!snap) throw new Error(`no figures read for the ${rule.windowMinutes}-minute window of ${rule.kind}`);
    const queues = new Set([...Object.keys(seen.today.queues), ...Object.keys(snap.queues)]);
    for (const queue of [...queues].sort()) {
      if (rule.queues && !rule.queues.includes(queue)) continue;
      // Who waits and who is logged in are the same in every window; take them from today's.
      const live = seen.today.queues[queue];
      const windowed = snap.queues[queue];
      if (!live && !windowed) continue;
      const f: QueueFigures = { ...(windowed ?? live)!, waiting: live?.waiting ?? 0, longestWaitSeconds: live?.longestWaitSeconds ?? 0, agents: (live ?? windowed)!.agents };
      out.push({ key: alertKey(rule.kind, queue), rule, queue, ...one(rule, queue, f) });
    }
  }
  return out;
}

