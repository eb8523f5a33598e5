/**
 * The charter's month, quarter and year report: request parameters and the document served.
 * The descriptions here are the definitions (they appear in /api/docs); stats/period.ts
 * computes them from stats/range.ts, day by day exactly as the weekly statistics count.
 */
import { z } from 'zod';
import { parsePeriodBound } from '../stats/periods.ts';
import { instant, inputs, outputs } from './registry.ts';
import { PeriodFigures, queueParam, ThresholdsSchema } from './stats.ts';

const count = (description: string) => z.number().int().min(0).describe(description);
const share = (description: string) => z.number().min(0).max(1).nullable().describe(`${description} A fraction, 4 decimals; null when there is nothing to divide.`);
const euros = (description: string) => z.number().min(0).describe(`${description} Euros, two decimals.`);

const bound = (which: 'from' | 'to') =>
  z
    .string()
    .refine((s) => parsePeriodBound(s) !== null, 'must be a month (2026-01), a quarter (2026-Q1) or a year (2026)')
    .describe(which === 'from' ? 'First month (2026-01), quarter (2026-Q1) or year (2026) of the period.' : 'Last month, quarter or year, of the same form as from (inclusive). Default: from. At most 12 months in all.');

export const PeriodQuery = z
  .object({
    from: bound('from'),
    to: bound('to').optional(),
    queue: queueParam.optional(),
    format: z.enum(['json', 'csv']).default('json').describe('json, or csv for Excel (see lang, decimal).'),
    lang: z.enum(['nl', 'en']).default('nl').describe('CSV only: language of the column headers.'),
    decimal: z.enum(['comma', 'point']).default('comma').describe('CSV only: comma = Dutch Excel (";" separator, decimal comma); point = ("," and decimal point).'),
  })
  .strict()
  .register(inputs, { id: 'PeriodQuery' });

export const CharterFigures = PeriodFigures.extend({
  guaranteeKeptShare: share('answeredWithinGuarantee / the service level denominator (answered + abandoned + timedOut + movedOut): the share of entries with a person on the line within GUARANTEE_SECONDS (5 minutes).'),
  withinTransferLimitShare: share('Customer calls transferred at most MAX_TRANSFERS (2) times / calls.'),
  complaints: count('Breaches with a complaint received (booked with the breach: its first queue, its first entry).'),
  callbackMet: count('Complaints called back within 5 working days (norm 8).'),
  callbackMissed: count('Complaints called back late, or not called back and past the due date.'),
  callbackOpen: count('Complaints not yet called back, not yet due.'),
  progressMessageMet: count('Complaints whose caller heard in time that handling takes longer than 5 working days (norm 9).'),
  progressMessageMissed: count('… heard it late, or not at all and past due.'),
  progressMessageOpen: count('… not yet told, not yet due.'),
  settledMet: count('Complaints settled within 10 weeks (norm 9).'),
  settledMissed: count('Complaints settled late, or not settled and past 10 weeks.'),
  settledOpen: count('Complaints not yet settled, within the 10 weeks.'),
  compensationApology: count('Apologies given (ledger entries).'),
  compensationCoffee: count('Coffees given.'),
  compensationParking: count('Parking costs refunded.'),
  compensationTravel: count('Travel costs refunded.'),
  compensationOther: count('Other compensation.'),
  compensationParkingAmount: euros('Parking costs refunded.'),
  compensationTravelAmount: euros('Travel costs refunded.'),
  compensationOtherAmount: euros('Other compensation with an amount.'),
  compensationAmount: euros('All compensation together.'),
}).register(outputs, { id: 'CharterFigures', description: "The weekly figures plus the charter's bookkeeping, over a month or a period." });

export const MonthFigures = CharterFigures.extend({ month: z.string().describe('Local calendar month, YYYY-MM.') }).register(outputs, { id: 'MonthFigures' });

export const PeriodScope = z
  .object({
    period: CharterFigures.describe('The whole period: the sum of its months.'),
    months: z.array(MonthFigures).describe('Each month, oldest first.'),
  })
  .register(outputs, { id: 'PeriodScope', description: 'One queue, or the total, over the period and per month.' });

export const PeriodSeries = z
  .object({
    from: z.string().describe('As asked (or a year earlier).'),
    to: z.string(),
    months: z.array(z.string()).describe('The months, YYYY-MM.'),
    start: instant().describe('Local midnight of the first day.'),
    end: instant().describe('Local midnight after the last day (exclusive).'),
    total: PeriodScope.describe('Sum of the queues.'),
    queues: z.record(z.string(), PeriodScope),
  })
  .register(outputs, { id: 'PeriodSeries' });

export const PeriodReport = PeriodSeries.extend({
  kind: z.enum(['month', 'quarter', 'year']),
  timeZone: z.string(),
  queue: z.string().nullable(),
  thresholds: ThresholdsSchema,
  today: z.string().describe('The local date complaint deadlines were judged on (a deadline not yet due is open).'),
  generatedAt: instant(),
  yearEarlier: PeriodSeries.describe('The same months a year earlier, counted the same way.'),
}).register(outputs, { id: 'PeriodReport', description: "The charter's report over months, a quarter or a year, with the same period a year earlier." });

export type PeriodQuery = z.infer<typeof PeriodQuery>;
export type CharterFigures = z.infer<typeof CharterFigures>;
export type MonthFigures = z.infer<typeof MonthFigures>;
export type PeriodScope = z.infer<typeof PeriodScope>;
export type PeriodSeries = z.infer<typeof PeriodSeries>;
export type PeriodReport = z.infer<typeof PeriodReport>;
