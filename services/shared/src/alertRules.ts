/**
 * Alert rules: what a supervisor wants to be told before (and when) a promise breaks.
 *
 * Written by people, so a plain text a supervisor can edit: one rule a line (or `;` between
 * rules in the variable itself), the rule's name and then any options as `key=value`, `#`
 * starts a comment. A rule left out is switched off; an option left out takes its default.
 *
 *   # rule        options
 *   longWait      at=4m clearFor=10s
 *   breach        window=15m
 *   serviceLevel  window=60m below=80% clearAt=85% minCalls=20 for=1m clearFor=2m
 *   noAgent       for=30s
 *   disconnected  for=30s
 *   redisDown     for=30s
 *
 * Every rule takes `for=` (the condition must hold this long before the alert fires) and
 * `clearFor=` (the clear condition must hold this long before it clears): a condition that
 * flaps faster than that gives one alert, not a stream of them. Queue rules also take
 * `queues=Afval,Parkeren` (default: every queue). Durations: `30s`, `4m`, `1h`, `4:00`;
 * fractions: `80%` or `0.8`. Parsed once at start (config.ts); a mistake names the line.
 */

export const RULE_KINDS = ['longWait', 'breach', 'serviceLevel', 'noAgent', 'disconnected', 'redisDown'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** The figure each rule watches, as the live document names it. */
export const RULE_FIGURE: Record<RuleKind, string> = {
  longWait: 'longestWaitSeconds',
  breach: 'guaranteeBreaches',
  serviceLevel: 'serviceLevel',
  noAgent: 'agentsStaffed',
  disconnected: 'collectorConnected',
  redisDown: 'redisAvailable',
};

/** Rules about one queue (evaluated per queue) rather than the whole site. */
export const QUEUE_RULES: ReadonlySet<RuleKind> = new Set(['longWait', 'breach', 'serviceLevel', 'noAgent']);

export interface AlertRule {
  kind: RuleKind;
  /** Condition must hold this long before firing (ms). */
  forMs: number;
  /** Clear condition must hold this long before clearing (ms). */
  clearForMs: number;
  /** Only these queues; null: every queue. */
  queues: string[] | null;
  /** longWait: seconds a caller has waited. breach: breaches in the window. serviceLevel: fraction below which it fires. */
  threshold: number;
  /** serviceLevel: fraction at or above which it clears (hysteresis). */
  clearAt: number | null;
  /** breach, serviceLevel: the rolling window, minutes. */
  windowMinutes: number | null;
  /** serviceLevel: calls (answered + abandoned + timed out) in the window needed to judge. */
  minCalls: number;
}

export interface RuleContext {
  guaranteeSeconds: number;
  serviceLevelTarget: number;
}

/** The rules in force when ALERT_RULES is not set: every rule with its defaults. */
export const DEFAULT_RULES_TEXT = RULE_KINDS.join('\n');

const OPTIONS: Record<RuleKind, readonly string[]> = {
  longWait: ['at', 'for', 'clearFor', 'queues'],
  breach: ['window', 'min', 'for', 'clearFor', 'queues'],
  serviceLevel: ['window', 'below', 'clearAt', 'minCalls', 'for', 'clearFor', 'queues'],
  noAgent: ['for', 'clearFor', 'queues'],
  disconnected: ['for', 'clearFor'],
  redisDown: ['for', 'clearFor'],
};

export class RuleError extends Error {}

/** `30s`, `4m`, `1h`, `90` (seconds) or `4:00` → ms; null when it is none of these. */
export function parseDuration(text: string): number | null {
  let m = /^(\d{1,6})(ms|s|m|h)?$/.exec(text);
  if (m) {
    const n = Number(m[1]);
    return n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] as number);
  }
  m = /^(\d{1,4}):([0-5]\d)$/.exec(text);
  return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : null;
}

/** `80%`, `0.8` → 0.8; null when not a fraction from 0 to 1. */
export function parseFraction(text: string): number | null {
  const m = /^(\d{1,3}(?:[.,]\d+)?)(%)?$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]!.replace(',', '.')) / (m[2] ? 100 : 1);
  return n >= 0 && n <= 1 ? n : null;
}

/**
 * Parses rules text. `undefined` (the variable unset) gives every rule with its defaults;
 * `off` or `none` gives no rules. Throws RuleError naming the line and what is wrong.
 */
export function parseRules(text: string | undefined, c: RuleContext): AlertRule[] {
  const source = text === undefined ? DEFAULT_RULES_TEXT : text;
  if (/^\s*(off|none)\s*$/i.test(source)) return [];
  const lines = source.split(/\r?\n|;/);
  const rules: AlertRule[] = [];
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = lines.length > 1 ? `rule ${i + 1} (${JSON.stringify(line)})` : JSON.stringify(line);
    try {
      rules.push(parseRule(line, c));
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
  });
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.kind)) problems.push(`${r.kind} is given twice; give each rule once`);
    seen.add(r.kind);
  }
  if (problems.length) throw new RuleError(problems.join('; '));
  return rules;
}

function parseRule(line: string, c: RuleContext): AlertRule {
  const [name, ...parts] = line.split(/\s+/);
  const kind = RULE_KINDS.find((k) => k.toLowerCase() === name!.toLowerCase());
  if (!kind) throw new RuleError(`unknown rule ${JSON.stringify(name)}; the rules are ${RULE_KINDS.join(', ')}`);
  const opts = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf('=');
    const key = eq > 0 ? p.slice(0, eq) : p;
    if (eq <= 0 || eq === p.length - 1) throw new RuleError(`${JSON.stringify(p)} must be key=value`);
    const known = OPTIONS[kind].find((o) => o.toLowerCase() === key.toLowerCase());
    if (!known) throw new RuleError(`${kind} has no option ${JSON.stringify(key)}; it takes ${OPTIONS[kind].join(', ')}`);
    if (opts.has(known)) throw new RuleError(`${known} is given twice`);
    opts.set(known, p.slice(eq + 1));
  }
  const duration = (key: string, def: number, max = 24 * 3_600_000): number => {
    const v = opts.get(key);
    if (v === undefined) return def;
    const ms = parseDuration(v);
    if (ms === null || ms > max) throw new RuleError(`${key}=${v} must be a duration such as 30s, 4m, 1h or 4:00 (at most ${max / 60_000} minutes)`);
    return ms;
  };
  const fraction = (key: string, def: number): number => {
    const v = opts.get(key);
    if (v === undefined) return def;
    const f = parseFraction(v);
    if (f === null) throw new RuleError(`${key}=${v} must be a percentage such as 80% or a fraction such as 0.8`);
    return f;
  };
  const whole = (key: string, def: number, min: number, max: number): number => {
    const v = opts.get(key);
    if (v === undefined) return def;
    if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) throw new RuleError(`${key}=${v} must be a whole number from ${min} to ${max}`);
    return Number(v);
  };
  const window = (def: number): number => {
    const ms = duration('window', def * 60_000);
    if (ms < 60_000 || ms % 60_000 !== 0) throw new RuleError(`window must be whole minutes from 1m to 24h`);
    return ms / 60_000;
  };
  const queuesText = opts.get('queues');
  const queues = queuesText === undefined || queuesText === '*' ? null : queuesText.split(',').filter(Boolean);
  const base = { kind, queues, clearAt: null, windowMinutes: null, minCalls: 0 };
  switch (kind) {
    case 'longWait': {
      // The guarantee at risk: a minute before it breaks (or at half of a short guarantee).
      const def = Math.max(1, c.guaranteeSeconds > 120 ? c.guaranteeSeconds - 60 : Math.floor(c.guaranteeSeconds / 2));
      const at = duration('at', def * 1000) / 1000;
      if (at < 1) throw new RuleError('at must be at least 1s');
      return { ...base, threshold: Math.floor(at), forMs: duration('for', 0), clearForMs: duration('clearFor', 10_000) };
    }
    case 'breach':
      return { ...base, threshold: whole('min', 1, 1, 100_000), windowMinutes: window(15), forMs: duration('for', 0), clearForMs: duration('clearFor', 0) };
    case 'serviceLevel': {
      const below = fraction('below', c.serviceLevelTarget);
      const clearAt = fraction('clearAt', Math.min(1, Math.round((below + 0.05) * 1e6) / 1e6));
      if (clearAt < below) throw new RuleError(`clearAt (${clearAt}) must be at least below (${below}): it clears only when the service level is back above where it fired`);
      return { ...base, threshold: below, clearAt, windowMinutes: window(60), minCalls: whole('minCalls', 20, 1, 100_000), forMs: duration('for', 60_000), clearForMs: duration('clearFor', 120_000) };
    }
    case 'noAgent':
      return { ...base, threshold: 0, forMs: duration('for', 30_000), clearForMs: duration('clearFor', 30_000) };
    case 'disconnected':
    case 'redisDown':
      return { ...base, queues: null, threshold: 0, forMs: duration('for', 30_000), clearForMs: duration('clearFor', 5_000) };
  }
}
