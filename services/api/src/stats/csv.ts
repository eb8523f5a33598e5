/**
 * Weekly statistics as CSV that opens cleanly in Excel as Dutch municipalities use it:
 * UTF-8 with a byte-order mark (so Excel reads "ë" right), `;` between cells and a decimal
 * comma (what Excel expects in the nl-NL locale), CRLF line ends, one header row, one table
 * per file. `decimal=point` gives `,` and a decimal point for English-locale spreadsheets.
 *
 * Every cell is a plain value: counts as whole numbers, averages and the service level
 * (a fraction, 0,8533 = 85,33%) with their decimals, an empty cell for "none". Text that
 * Excel would take for a formula (=, +, -, @ first) is prefixed with an apostrophe.
 */
import { CALL_METRICS, VISIT_METRICS, WINDOW_METRICS } from '@belofte/shared/catalogue';
import type { CharterFigures, PeriodReport, PeriodSeries } from '../schemas/period.ts';
import type { AgentFigures, PeriodFigures, WeeklyStats } from '../schemas/stats.ts';

export type CsvLang = 'nl' | 'en';
export type CsvDecimal = 'comma' | 'point';

export interface Column<K extends string> {
  key: K;
  nl: string;
  en: string;
}

const catalogued = (m: keyof typeof WINDOW_METRICS): Column<keyof PeriodFigures> => ({ key: m, ...WINDOW_METRICS[m].column });

/** The figure columns, in order; `key` is the field of PeriodFigures. The counted ones come from the catalogue. */
export const FIGURE_COLUMNS: Array<Column<keyof PeriodFigures>> = [
  ...VISIT_METRICS.map(catalogued),
  { key: 'serviceLevel', nl: 'servicelevel', en: 'service level' },
  { key: 'answeredWithinGuarantee', nl: 'beantwoord binnen garantie', en: 'answered within guarantee' },
  { key: 'averageWaitSeconds', nl: 'gem. wachttijd (s)', en: 'average wait (s)' },
  { key: 'longestWaitSeconds', nl: 'langste wachttijd (s)', en: 'longest wait (s)' },
  { key: 'averageTalkSeconds', nl: 'gem. gesprekstijd (s)', en: 'average talk (s)' },
  { key: 'calls', nl: 'gesprekken', en: 'calls' },
  ...CALL_METRICS.map(catalogued),
  { key: 'breaches', nl: 'inbreuken', en: 'breaches' },
  { key: 'breachesOpen', nl: 'inbreuken open', en: 'breaches open' },
  { key: 'breachesClosed', nl: 'inbreuken afgehandeld', en: 'breaches closed' },
  { key: 'breachesWithComplaint', nl: 'inbreuken met klacht', en: 'breaches with complaint' },
  { key: 'breachesCompensated', nl: 'inbreuken gecompenseerd', en: 'breaches compensated' },
  { key: 'callsTransferred0', nl: '0x doorverbonden', en: 'transferred 0x' },
  { key: 'callsTransferred1', nl: '1x doorverbonden', en: 'transferred 1x' },
  { key: 'callsTransferred2', nl: '2x doorverbonden', en: 'transferred 2x' },
  { key: 'callsTransferredMore', nl: 'meer dan 2x doorverbonden', en: 'transferred more than 2x' },
];

export const AGENT_COLUMNS: Array<Column<keyof AgentFigures>> = [
  { key: 'answered', nl: 'beantwoord', en: 'answered' },
  { key: 'talkSeconds', nl: 'gesprekstijd (s)', en: 'talk time (s)' },
  { key: 'averageTalkSeconds', nl: 'gem. gesprekstijd (s)', en: 'average talk (s)' },
  { key: 'transfersMade', nl: 'doorverbonden', en: 'transfers made' },
  { key: 'answeredAtTransferLimit', nl: 'aangenomen na 2x doorverbinden', en: 'taken after 2 transfers' },
];

/** The leading columns that say which row is which. */
export const ROW_COLUMNS = {
  week: { nl: 'week', en: 'week' },
  scope: { nl: 'niveau', en: 'scope' },
  queue: { nl: 'wachtrij', en: 'queue' },
  agent: { nl: 'medewerker', en: 'agent' },
  period: { nl: 'periode', en: 'period' },
  date: { nl: 'datum', en: 'date' },
  hour: { nl: 'uur', en: 'hour' },
} as const;

export const WORDS = {
  total: { nl: 'totaal', en: 'total' },
  queue: { nl: 'wachtrij', en: 'queue' },
  week: { nl: 'week', en: 'week' },
  day: { nl: 'dag', en: 'day' },
  hour: { nl: 'uur', en: 'hour' },
} as const;

export const BOM = '\uFEFF';

interface Format {
  sep: string;
  decimal: CsvDecimal;
}

export function cell(value: string | number | null, f: Format): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    const text = String(value);
    return f.decimal === 'comma' ? text.replace('.', ',') : text;
  }
  let text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  if (text.includes(f.sep) || /["\r\n]/.test(text) || (f.decimal === 'comma' && /^\d+,\d+$/.test(text))) text = `"${text.replace(/"/g, '""')}"`;
  return text;
}

export function table(header: string[], rows: Array<Array<string | number | null>>, f: Format): string {
  return BOM + [header.map((h) => cell(h, f)), ...rows.map((r) => r.map((v) => cell(v, f)))].map((r) => r.join(f.sep)).join('\r\n') + '\r\n';
}

export const formatOf = (decimal: CsvDecimal): Format => ({ sep: decimal === 'comma' ? ';' : ',', decimal });

/** The figures table: the total and every queue, each for the week, its 7 days and 24 hours. */
export function figuresCsv(s: WeeklyStats, lang: CsvLang, decimal: CsvDecimal): string {
  const header: string[] = [ROW_COLUMNS.week, ROW_COLUMNS.scope, ROW_COLUMNS.queue, ROW_COLUMNS.period, ROW_COLUMNS.date, ROW_COLUMNS.hour].map((c) => c[lang]);
  header.push(...FIGURE_COLUMNS.map((c) => c[lang]));
  const rows: Array<Array<string | number | null>> = [];
  const scopes: Array<[string, string, WeeklyStats['total']]> = [[WORDS.total[lang], '', s.total], ...Object.entries(s.queues).map(([q, f]) => [WORDS.queue[lang], q, f] as [string, string, WeeklyStats['total']])];
  for (const [scope, queue, f] of scopes) {
    const figures = (p: PeriodFigures) => FIGURE_COLUMNS.map((c) => p[c.key]);
    rows.push([s.week, scope, queue, WORDS.week[lang], null, null, ...figures(f.week)]);
    for (const d of f.days) rows.push([s.week, scope, queue, WORDS.day[lang], d.date, null, ...figures(d)]);
    for (const h of f.hours) rows.push([s.week, scope, queue, WORDS.hour[lang], null, h.hour, ...figures(h)]);
  }
  return table(header, rows, formatOf(decimal));
}

/** The agents table: every agent for the week and each day. */
export function agentsCsv(s: WeeklyStats, lang: CsvLang, decimal: CsvDecimal): string {
  const header: string[] = [ROW_COLUMNS.week, ROW_COLUMNS.agent, ROW_COLUMNS.period, ROW_COLUMNS.date].map((c) => c[lang]);
  header.push(...AGENT_COLUMNS.map((c) => c[lang]));
  const rows: Array<Array<string | number | null>> = [];
  for (const a of s.agents) {
    const figures = (p: AgentFigures) => AGENT_COLUMNS.map((c) => p[c.key]);
    rows.push([s.week, a.agent, WORDS.week[lang], null, ...figures(a.week)]);
    for (const d of a.days) rows.push([s.week, a.agent, WORDS.day[lang], d.date, ...figures(d)]);
  }
  return table(header, rows, formatOf(decimal));
}

/** The charter's columns after the weekly ones; `key` is the field of CharterFigures. */
export const CHARTER_COLUMNS: Array<Column<Exclude<keyof CharterFigures, keyof PeriodFigures>>> = [
  { key: 'guaranteeKeptShare', nl: 'aandeel binnen garantie', en: 'share within guarantee' },
  { key: 'withinTransferLimitShare', nl: 'aandeel hooguit 2x doorverbonden', en: 'share transferred at most 2x' },
  { key: 'complaints', nl: 'klachten', en: 'complaints' },
  { key: 'callbackMet', nl: 'teruggebeld op tijd', en: 'called back in time' },
  { key: 'callbackMissed', nl: 'teruggebeld te laat', en: 'callback late' },
  { key: 'callbackOpen', nl: 'terugbellen open', en: 'callback open' },
  { key: 'progressMessageMet', nl: 'tussenbericht op tijd', en: 'progress message in time' },
  { key: 'progressMessageMissed', nl: 'tussenbericht te laat', en: 'progress message late' },
  { key: 'progressMessageOpen', nl: 'tussenbericht open', en: 'progress message open' },
  { key: 'settledMet', nl: 'afgehandeld binnen 10 weken', en: 'settled within 10 weeks' },
  { key: 'settledMissed', nl: 'afgehandeld te laat', en: 'settled late' },
  { key: 'settledOpen', nl: 'afhandeling open', en: 'settlement open' },
  { key: 'compensationApology', nl: 'excuses', en: 'apologies' },
  { key: 'compensationCoffee', nl: 'koffie', en: 'coffees' },
  { key: 'compensationParking', nl: 'parkeergeld vergoed', en: 'parking refunded' },
  { key: 'compensationTravel', nl: 'reiskosten vergoed', en: 'travel refunded' },
  { key: 'compensationOther', nl: 'andere compensatie', en: 'other compensation' },
  { key: 'compensationParkingAmount', nl: 'parkeergeld (EUR)', en: 'parking (EUR)' },
  { key: 'compensationTravelAmount', nl: 'reiskosten (EUR)', en: 'travel (EUR)' },
  { key: 'compensationOtherAmount', nl: 'andere compensatie (EUR)', en: 'other compensation (EUR)' },
  { key: 'compensationAmount', nl: 'compensatie totaal (EUR)', en: 'compensation total (EUR)' },
];

const PERIOD_WORDS = {
  series: { nl: 'reeks', en: 'series' },
  asked: { nl: 'periode', en: 'period' },
  yearEarlier: { nl: 'jaar eerder', en: 'year earlier' },
  month: { nl: 'maand', en: 'month' },
  whole: { nl: 'hele periode', en: 'whole period' },
} as const;

/**
 * The period report as one table: a row per series (the period, a year earlier) × scope
 * (total, each queue) × month, and one for the whole period; the weekly figure columns, then
 * the charter's.
 */
export function periodCsv(r: PeriodReport, lang: CsvLang, decimal: CsvDecimal): string {
  const header: string[] = [PERIOD_WORDS.series[lang], ROW_COLUMNS.scope[lang], ROW_COLUMNS.queue[lang], ROW_COLUMNS.period[lang], PERIOD_WORDS.month[lang]];
  header.push(...FIGURE_COLUMNS.map((c) => c[lang]), ...CHARTER_COLUMNS.map((c) => c[lang]));
  const figures = (f: CharterFigures) => [...FIGURE_COLUMNS.map((c) => f[c.key]), ...CHARTER_COLUMNS.map((c) => f[c.key])];
  const rows: Array<Array<string | number | null>> = [];
  const series = (label: string, s: PeriodSeries) => {
    const scopes: Array<[string, string, PeriodSeries['total']]> = [[WORDS.total[lang], '', s.total], ...Object.entries(s.queues).map(([q, f]) => [WORDS.queue[lang], q, f] as [string, string, PeriodSeries['total']])];
    for (const [scope, queue, f] of scopes) {
      rows.push([label, scope, queue, PERIOD_WORDS.whole[lang], `${s.from} – ${s.to}`, ...figures(f.period)]);
      for (const m of f.months) rows.push([label, scope, queue, PERIOD_WORDS.month[lang], m.month, ...figures(m)]);
    }
  };
  series(PERIOD_WORDS.asked[lang], r);
  series(PERIOD_WORDS.yearEarlier[lang], r.yearEarlier);
  return table(header, rows, formatOf(decimal));
}
