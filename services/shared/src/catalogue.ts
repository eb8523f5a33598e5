/**
 * The catalogue of counted figures: every sliding-window metric of a queue and of an agent,
 * declared once. Everything else is derived from here — the Redis key of each window
 * (`keys.ts`), the metric names the Lua scripts receive in ARGV (no script names one), what
 * `readFigures` returns, `emptyFigures` / `addFigures`, the service level, the live and weekly
 * schemas, the CSV columns and the wallboard's tiles and table.
 *
 * Adding a counted figure: an entry here, the domain change that counts it, its words in
 * `web/src/i18n.ts` (the compiler asks for them) and its definition in the README.
 *
 * Browser-safe: the wallboard imports this file, so it imports nothing.
 */

/** How the wallboard shows a figure; `fig` is the cell's `data-fig` (stable: tests and styles use it). */
export interface BoardPlace {
  fig: string;
  /** Also a tile above the table (the table shows every board figure). */
  tile: boolean;
  /** Drawn as an alarm when not 0. */
  alarm: boolean;
  /** The tile's longer label, an i18n key; the table uses `label`. */
  tileLabel?: string;
}

export interface WindowMetricDef {
  /**
   * The name inside its Redis key, `w:<redis>:<queue>`. Kept as it was first stored:
   * renaming it would orphan every window already in Redis.
   */
  redis: string;
  /**
   * `visit`: one per queue entry, at its own time. `call`: one per customer call (Linkedid),
   * booked on the queue of its first entry; moved to the kept call when two turn out one.
   */
  per: 'visit' | 'call';
  /** A way a visit ends unanswered: the `outcome` of a `visitEnded` change and a visit's status. */
  endsVisit: boolean;
  /** Its part in the service level: answeredWithinTarget ÷ (the denominator metrics). */
  serviceLevel: 'numerator' | 'denominator' | null;
  /** Also kept in the per-queue-hour rollups written with each call record (rollup.ts; the compiler checks they are there). */
  rolledUp: boolean;
  /** Its label, an i18n key of the wallboard and report. */
  label: string;
  /** Its CSV column header (weekly statistics). */
  column: { nl: string; en: string };
  /** Where the wallboard shows it; null: only in the API. */
  board: BoardPlace | null;
  /** What it counts (the API documentation). */
  description: string;
}

// Every queue metric so far is also kept in the rollups (services/shared/src/rollup.ts).
const visit = { per: 'visit', endsVisit: false, serviceLevel: null, rolledUp: true, board: null } as const;
const ending = { ...visit, endsVisit: true } as const;

/** Queue window metrics, in the order every view lists them. */
export const WINDOW_METRICS = {
  offered: {
    ...visit,
    redis: 'offered',
    label: 'offered',
    column: { nl: 'aangeboden', en: 'offered' },
    board: { fig: 'offered', tile: true, alarm: false },
    description: 'Queue entries (QueueCallerJoin). A call transferred into a second queue is offered to both.',
  },
  answered: {
    ...visit,
    redis: 'answered',
    serviceLevel: 'denominator',
    label: 'answered',
    column: { nl: 'beantwoord', en: 'answered' },
    board: { fig: 'answered', tile: true, alarm: false },
    description: 'Entries answered by an agent (AgentConnect).',
  },
  abandoned: {
    ...ending,
    redis: 'abandoned',
    serviceLevel: 'denominator',
    label: 'abandoned',
    column: { nl: 'opgehangen', en: 'abandoned' },
    board: { fig: 'abandoned', tile: true, alarm: false },
    description: 'Entries where the caller hung up while waiting (after the short-abandon grace).',
  },
  shortAbandoned: {
    ...ending,
    redis: 'shortAbandoned',
    label: 'shortAbandoned',
    column: { nl: 'kort opgehangen', en: 'short abandoned' },
    description: 'Hung up within SHORT_ABANDON_SECONDS: not in the service level.',
  },
  timedOut: {
    ...ending,
    redis: 'timedOut',
    serviceLevel: 'denominator',
    label: 'timedOut',
    column: { nl: 'zonder antwoord verlaten', en: 'left unanswered' },
    description: 'Entries that left the queue unanswered without hanging up and not into another queue: timeout, empty queue, exit key.',
  },
  movedOut: {
    ...ending,
    redis: 'movedOut',
    serviceLevel: 'denominator',
    label: 'movedOut',
    column: { nl: 'naar andere wachtrij', en: 'moved to another queue' },
    board: { fig: 'moved-out', tile: false, alarm: false },
    description:
      'Waiting callers moved into another queue (an AMI Redirect, or a dialplan flow-out after the queue timeout): neither abandoned nor timed out. In the service level of the queue they left.',
  },
  unknown: {
    ...ending,
    redis: 'unknown',
    label: 'unknown',
    column: { nl: 'afloop onbekend', en: 'end unknown' },
    description: 'Entries whose end was not seen (the collector was disconnected): never guessed.',
  },
  answeredWithinTarget: {
    ...visit,
    redis: 'within',
    serviceLevel: 'numerator',
    label: 'answeredWithinTarget',
    column: { nl: 'beantwoord binnen streeftijd', en: 'answered within target' },
    description: 'Answered with Asterisk HoldTime <= TARGET_SECONDS.',
  },
  guaranteeBreaches: {
    ...visit,
    per: 'call',
    redis: 'breach',
    label: 'breaches',
    column: { nl: 'garantie gebroken', en: 'guarantee breaches' },
    board: { fig: 'breaches', tile: true, alarm: true, tileLabel: 'breachesLong' },
    description: 'Customer calls that reached no person within GUARANTEE_SECONDS of their first queue entry (answered late, or never).',
  },
  overTransferLimit: {
    ...visit,
    per: 'call',
    redis: 'overLimit',
    label: 'overTransfer',
    column: { nl: 'te vaak doorverbonden', en: 'over transfer limit' },
    board: { fig: 'over-transfer', tile: true, alarm: true, tileLabel: 'overTransferLong' },
    description: 'Customer calls transferred more than MAX_TRANSFERS times.',
  },
} as const satisfies Record<string, WindowMetricDef>;

export type WindowMetric = keyof typeof WINDOW_METRICS;
export const WINDOW_METRIC_NAMES = Object.keys(WINDOW_METRICS) as WindowMetric[];

type WhereMetric<P> = { [K in WindowMetric]: (typeof WINDOW_METRICS)[K] extends P ? K : never }[WindowMetric];

/** How a visit can end unanswered: abandoned, shortAbandoned, timedOut, movedOut, unknown. */
export type VisitEnd = WhereMetric<{ endsVisit: true }>;
export const VISIT_ENDS = WINDOW_METRIC_NAMES.filter((m): m is VisitEnd => WINDOW_METRICS[m].endsVisit);
export const isVisitEnd = (s: string): s is VisitEnd => (VISIT_ENDS as string[]).includes(s);

export type VisitMetric = WhereMetric<{ per: 'visit' }>;
export type CallMetric = WhereMetric<{ per: 'call' }>;
export const VISIT_METRICS = WINDOW_METRIC_NAMES.filter((m): m is VisitMetric => WINDOW_METRICS[m].per === 'visit');
export const CALL_METRICS = WINDOW_METRIC_NAMES.filter((m): m is CallMetric => WINDOW_METRICS[m].per === 'call');

/** Every queue window metric as a count. */
export type WindowCounts = Record<WindowMetric, number>;

export function emptyCounts(): WindowCounts {
  return Object.fromEntries(WINDOW_METRIC_NAMES.map((m) => [m, 0])) as WindowCounts;
}

/** The metrics the service level is computed from. */
export type ServiceLevelMetric = WhereMetric<{ serviceLevel: 'numerator' | 'denominator' }>;
export const SERVICE_LEVEL_METRICS = WINDOW_METRIC_NAMES.filter((m): m is ServiceLevelMetric => WINDOW_METRICS[m].serviceLevel !== null);
const numerator = SERVICE_LEVEL_METRICS.filter((m) => WINDOW_METRICS[m].serviceLevel === 'numerator');
const denominator = SERVICE_LEVEL_METRICS.filter((m) => WINDOW_METRICS[m].serviceLevel === 'denominator');

/**
 * The service level, the one formula (README "Figure definitions"): answered within target ÷
 * (answered + abandoned + timed out + moved out); null while the denominator is 0.
 */
export function serviceLevel(c: Pick<WindowCounts, ServiceLevelMetric>): number | null {
  let den = 0;
  for (const m of denominator) den += c[m];
  if (den === 0) return null;
  let num = 0;
  for (const m of numerator) num += c[m];
  return num / den;
}

/** The service level's denominator metrics, for shares on the same base (e.g. within the guarantee). */
export function serviceLevelDenominator(c: Pick<WindowCounts, ServiceLevelMetric>): number {
  let den = 0;
  for (const m of denominator) den += c[m];
  return den;
}

/** The metrics the wallboard shows, in order: the table shows all, the tiles those with `tile`. */
export const BOARD_METRICS = WINDOW_METRIC_NAMES.filter((m) => WINDOW_METRICS[m].board !== null);

export interface AgentMetricDef {
  /** The name inside its Redis key, `aw:<redis>:<agent>` (kept as first stored). */
  redis: string;
  rolledUp: boolean;
  label: string;
  description: string;
}

/** Agent window metrics; each is a field of the live `AgentView`, counted since local midnight. */
export const AGENT_METRICS = {
  answered: { redis: 'answered', rolledUp: true, label: 'answeredShort', description: 'Calls answered since local midnight.' },
  transfersMade: { redis: 'transfers', rolledUp: true, label: 'transfersShort', description: 'Transfers made since local midnight.' },
} as const satisfies Record<string, AgentMetricDef>;

export type AgentMetric = keyof typeof AGENT_METRICS;
export const AGENT_METRIC_NAMES = Object.keys(AGENT_METRICS) as AgentMetric[];
export type AgentCountsByMetric = Record<AgentMetric, number>;

/** An object with one value per metric, typed by metric (for schemas and tables built from the catalogue). */
export function perMetric<M extends string, V>(names: readonly M[], value: (m: M) => V): Record<M, V> {
  return Object.fromEntries(names.map((m) => [m, value(m)])) as Record<M, V>;
}
