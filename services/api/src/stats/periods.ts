/**
 * The periods of the charter's reports: a month (2026-01), a quarter (2026-Q1) or a year
 * (2026), or a run of them (from=2026-01&to=2026-06), at most a year long. Months are local
 * calendar months in BELOFTE_TIMEZONE.
 */

export type PeriodKind = 'month' | 'quarter' | 'year';

export interface YearMonth {
  year: number;
  month: number;
}

export interface PeriodBound {
  kind: PeriodKind;
  first: YearMonth;
  last: YearMonth;
}

export const MAX_PERIOD_MONTHS = 12;

/** Parses 2026-01, 2026-Q1 or 2026; null when malformed. */
export function parsePeriodBound(text: string): PeriodBound | null {
  let m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m) {
    const [year, month] = [Number(m[1]), Number(m[2])];
    if (month < 1 || month > 12) return null;
    return { kind: 'month', first: { year, month }, last: { year, month } };
  }
  m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (m) {
    const [year, q] = [Number(m[1]), Number(m[2])];
    return { kind: 'quarter', first: { year, month: 3 * q - 2 }, last: { year, month: 3 * q } };
  }
  m = /^(\d{4})$/.exec(text);
  if (m) return { kind: 'year', first: { year: Number(m[1]), month: 1 }, last: { year: Number(m[1]), month: 12 } };
  return null;
}

const index = (ym: YearMonth) => ym.year * 12 + ym.month - 1;
const ofIndex = (i: number): YearMonth => ({ year: Math.floor(i / 12), month: (i % 12) + 1 });

export const formatMonth = (ym: YearMonth) => `${ym.year}-${String(ym.month).padStart(2, '0')}`;

export interface Period {
  kind: PeriodKind;
  months: YearMonth[];
}

export type PeriodProblem = { parameter: 'from' | 'to'; message: string };

const FORMS = 'a month (2026-01), a quarter (2026-Q1) or a year (2026)';

/** The months from `from` through `to` (default: from alone), or why not. */
export function periodOf(fromText: string, toText?: string): Period | PeriodProblem {
  const from = parsePeriodBound(fromText);
  if (!from) return { parameter: 'from', message: `from: must be ${FORMS}, not ${JSON.stringify(fromText)}` };
  const to = toText === undefined ? from : parsePeriodBound(toText);
  if (!to) return { parameter: 'to', message: `to: must be ${FORMS}, not ${JSON.stringify(toText)}` };
  if (to.kind !== from.kind) return { parameter: 'to', message: `to: must be of the same form as from (${from.kind}): ${FORMS}` };
  const first = index(from.first);
  const last = index(to.last);
  if (last < first) return { parameter: 'to', message: `to: ${toText} is before from ${fromText}` };
  if (last - first + 1 > MAX_PERIOD_MONTHS) return { parameter: 'to', message: `to: the period may be at most ${MAX_PERIOD_MONTHS} months (a year); ${fromText} to ${toText} is ${last - first + 1}` };
  return { kind: from.kind, months: Array.from({ length: last - first + 1 }, (_, i) => ofIndex(first + i)) };
}

/** The same months a year earlier. */
export function yearEarlier(p: Period): Period {
  return { kind: p.kind, months: p.months.map((m) => ({ year: m.year - 1, month: m.month })) };
}

/** The first and last local date of a month (YYYY-MM-DD). */
export function monthDates(ym: YearMonth): { first: string; last: string } {
  const last = new Date(Date.UTC(ym.year, ym.month, 0)).getUTCDate();
  return { first: `${formatMonth(ym)}-01`, last: `${formatMonth(ym)}-${String(last).padStart(2, '0')}` };
}
