/**
 * Weekly statistics: request parameters and the document served. The descriptions here are
 * the definitions (they appear in /api/docs); services/api/src/stats/weekly.ts computes them.
 */
import { z } from 'zod';
import { CALL_METRICS, perMetric, VISIT_METRICS, WINDOW_METRICS } from '@belofte/shared/catalogue';
import { parseIsoWeek } from '@belofte/shared/time';
import { instant, inputs, outputs } from './registry.ts';

const count = (description: string) => z.number().int().min(0).describe(description);
const seconds = (description: string) => z.number().min(0).nullable().describe(`${description} Seconds, one decimal; null when there is nothing to average.`);

export const isoWeekParam = z
  .string()
  .regex(/^\d{4}-W\d{2}$/, 'must be an ISO week like 2026-W47')
  .refine((s) => parseIsoWeek(s) !== null, 'must be an ISO week that exists, like 2026-W47 (weeks run Monday to Sunday, local time)')
  .describe('ISO week, e.g. 2026-W47. Default: the current week.');

export const queueParam = z
  .string()
  .regex(/^[^\s]{1,128}$/, 'must be a queue name (1 to 128 characters, no spaces)')
  .describe('Only this queue (its name as in queues.conf).');

export const PeriodFigures = z
  .object({
    // Entry figures (queue entries that started in the period), from the catalogue.
    ...perMetric(VISIT_METRICS, (m) => count(WINDOW_METRICS[m].description)),
    serviceLevel: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('answeredWithinTarget / (answered + abandoned + timedOut + movedOut), 4 decimals; null when that is 0. The same definition as /api/live.'),
    answeredWithinGuarantee: count('Answered with HoldTime <= GUARANTEE_SECONDS (5 minutes), per queue entry.'),
    averageWaitSeconds: seconds('Mean wait of the entries that ended: HoldTime when answered, else from joining to leaving the queue.'),
    longestWaitSeconds: z.number().int().min(0).describe('Longest such wait, whole seconds (0 when none).'),
    averageTalkSeconds: seconds('Mean talk time (AgentComplete TalkTime) of the answered entries whose talk ended.'),
    calls: count('Customer calls (one Linkedid, however often transferred) whose first queue entry is in the period, booked on that first queue.'),
    // Call figures of those calls, from the catalogue.
    ...perMetric(CALL_METRICS, (m) => count(WINDOW_METRICS[m].description)),
    breaches: count('Calls in the breach register: a guarantee breach, over the transfer limit, or both.'),
    breachesOpen: count('Breaches whose follow-up is not closed.'),
    breachesClosed: count('Breaches a manager closed (followed up and learned from).'),
    breachesWithComplaint: count('Breaches where a complaint was received.'),
    breachesCompensated: count('Breaches where some compensation was given.'),
    callsTransferred0: count('Calls never transferred.'),
    callsTransferred1: count('Calls transferred once.'),
    callsTransferred2: count('Calls transferred twice.'),
    callsTransferredMore: count('Calls transferred more than twice.'),
  })
  .register(outputs, { id: 'PeriodFigures', description: 'The figures of one queue (or all) over one period.' });

export const DayFigures = PeriodFigures.extend({
  date: z.string().describe('Local date, YYYY-MM-DD.'),
  weekday: z.number().int().min(1).max(7).describe('1 = Monday … 7 = Sunday.'),
}).register(outputs, { id: 'DayFigures', description: 'One local calendar day (23 or 25 hours on the daylight-saving Sundays).' });

export const HourFigures = PeriodFigures.extend({
  hour: z.number().int().min(0).max(23).describe('Local hour of the day, 0–23.'),
}).register(outputs, {
  id: 'HourFigures',
  description:
    'One local hour of the day, summed over the seven days. On the autumn Sunday hour 2 holds two real hours; on the spring Sunday hour 2 does not exist.',
});

export const ScopeFigures = z
  .object({
    week: PeriodFigures,
    days: z.array(DayFigures).length(7).describe('Monday to Sunday.'),
    hours: z.array(HourFigures).length(24).describe('Hour 0 to 23.'),
  })
  .register(outputs, { id: 'ScopeFigures', description: 'One queue, or the total, over the week, per day and per hour of the day.' });

export const AgentFigures = z
  .object({
    answered: count('Queue entries this agent answered (by answer time).'),
    talkSeconds: z.number().int().min(0).describe('Sum of their talk time (TalkTime of the entries they answered), whole seconds.'),
    averageTalkSeconds: seconds('talkSeconds / the answered entries whose talk ended.'),
    transfersMade: count('Transfers this agent made (by transfer time).'),
    answeredAtTransferLimit: count('Entries they answered where the call had already been transferred MAX_TRANSFERS (2) times or more before that answer.'),
  })
  .register(outputs, { id: 'AgentFigures', description: "One agent's work in a period." });

export const AgentDay = AgentFigures.extend({ date: z.string().describe('Local date, YYYY-MM-DD.') }).register(outputs, { id: 'AgentDay' });

export const AgentWeek = z
  .object({
    agent: z.string().describe('Agent id: the queue member name as the phone switch reports it.'),
    week: AgentFigures,
    days: z.array(AgentDay).length(7),
  })
  .register(outputs, { id: 'AgentWeek' });

export const QueueTargetsSchema = z
  .object({
    targetSeconds: z.number().int(),
    serviceLevelTarget: z.number(),
    guaranteeSeconds: z.number().int(),
    maxTransfers: z.number().int(),
  })
  .register(outputs, { id: 'QueueTargets', description: "The targets that apply to one queue: BELOFTE_QUEUES over TARGET_SECONDS, SERVICE_LEVEL_TARGET, GUARANTEE_SECONDS, MAX_TRANSFERS." });

export const ThresholdsSchema = z
  .object({
    targetSeconds: z.number().int(),
    serviceLevelTarget: z.number(),
    guaranteeSeconds: z.number().int(),
    maxTransfers: z.number().int(),
    shortAbandonSeconds: z.number().int(),
  })
  .register(outputs, { id: 'Thresholds', description: 'The norms the figures were computed with (from the environment).' });

export const WeeklyStats = z
  .object({
    week: z.string().describe('ISO week, e.g. 2026-W47.'),
    from: instant().describe('Local Monday 00:00, as an instant.'),
    to: instant().describe('Local Monday 00:00 of the next week (exclusive).'),
    timeZone: z.string(),
    dates: z.array(z.string()).length(7).describe('The local dates Monday to Sunday.'),
    queue: z.string().nullable().describe('The queue asked for, or null for all.'),
    thresholds: ThresholdsSchema,
    generatedAt: instant(),
    total: ScopeFigures.describe('Sum of the queues: every count is the sum of the per-queue counts (entries for entry figures, calls for call figures).'),
    queues: z.record(z.string(), ScopeFigures).describe('Per queue, by name, in board order (BELOFTE_QUEUES, then alphabetically).'),
    queueProfiles: z
      .record(z.string(), z.object({ displayName: z.string(), targets: QueueTargetsSchema }))
      .describe('Per queue: its name on the board and the targets its figures were counted against.'),
    agents: z.array(AgentWeek).describe('Per agent, by name.'),
  })
  .register(outputs, { id: 'WeeklyStats', description: 'Weekly statistics from the durable call records (finished calls only).' });

export type PeriodFigures = z.infer<typeof PeriodFigures>;
export type DayFigures = z.infer<typeof DayFigures>;
export type HourFigures = z.infer<typeof HourFigures>;
export type ScopeFigures = z.infer<typeof ScopeFigures>;
export type AgentFigures = z.infer<typeof AgentFigures>;
export type AgentWeek = z.infer<typeof AgentWeek>;
export type WeeklyStats = z.infer<typeof WeeklyStats>;

export const siteParam = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'site must be a site name: letters, digits, "_", "." or "-"')
  .describe('One site (a phone switch and its collector) of those the API shows; default BELOFTE_SITE.');

export const WeeklyQuery = z
  .object({
    week: isoWeekParam.optional(),
    queue: queueParam.optional(),
    site: siteParam.optional(),
    format: z.enum(['json', 'csv']).default('json').describe('json, or csv for Excel (see part, lang, decimal).'),
    part: z.enum(['figures', 'agents']).default('figures').describe('CSV only: the figures table (one row per queue and period) or the agents table.'),
    lang: z.enum(['nl', 'en']).default('nl').describe('CSV only: language of the column headers.'),
    decimal: z
      .enum(['comma', 'point'])
      .default('comma')
      .describe('CSV only: comma = Dutch Excel (";" separator, decimal comma); point = ("," separator, decimal point) for English-locale spreadsheets.'),
  })
  .strict()
  .register(inputs, { id: 'WeeklyQuery' });

export const AbandonedQuery = z
  .object({ week: isoWeekParam.optional(), queue: queueParam.optional(), site: siteParam.optional() })
  .strict()
  .register(inputs, { id: 'AbandonedQuery' });

export const AbandonedEntry = z
  .object({
    id: z.string().describe('The call (Linkedid) the entry belongs to.'),
    at: instant().describe('When the caller joined the queue.'),
    leftAt: instant().describe('When they hung up.'),
    queue: z.string(),
    waitedSeconds: z.number().int().min(0),
    short: z.boolean().describe('Within the short-abandon grace (not in the service level).'),
    caller: z.string().nullable().describe('Caller number masked to its last 4 digits, e.g. ****5678; null when unknown.'),
  })
  .register(outputs, { id: 'AbandonedEntry' });

export const AbandonedList = z
  .object({
    week: z.string(),
    from: instant(),
    to: instant(),
    queue: z.string().nullable(),
    entries: z.array(AbandonedEntry).describe('Queue entries where the caller hung up while waiting, oldest first.'),
  })
  .register(outputs, { id: 'AbandonedList', description: 'Abandoned queue entries of one week.' });

export type AbandonedEntry = z.infer<typeof AbandonedEntry>;
export type AbandonedList = z.infer<typeof AbandonedList>;
