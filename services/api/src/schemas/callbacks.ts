/** The callback list (terugbellijst): parameters, the change a supervisor records, what is served. */
import { z } from 'zod';
import { parseLocalDate } from '@belofte/shared/time';
import { AuditEntry } from './breaches.ts';
import { instant, inputs, outputs } from './registry.ts';
import { queueParam, siteParam } from './stats.ts';

export const CallbacksQuery = z
  .object({
    date: z
      .string()
      .refine((s) => parseLocalDate(s) !== null, 'must be a local date that exists, such as 2026-11-16')
      .optional()
      .describe('The local day (BELOFTE_TIMEZONE), YYYY-MM-DD. Default: today.'),
    queue: queueParam.optional().describe('Only callers who left this queue.'),
    state: z.enum(['open', 'all']).default('all').describe('open: neither called back nor called again; all (default).'),
    site: siteParam.optional(),
  })
  .strict()
  .register(inputs, { id: 'CallbacksQuery' });

export const CallbackIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/, "must be an entry id (the call's Linkedid, e.g. 1763280000.42)").describe("The entry id: the call's Linkedid.") })
  .strict();

export const Callback = z
  .object({
    calledBack: z.boolean().describe('A supervisor called this caller back.'),
    reached: z.boolean().nullable().describe('Whether the caller was reached; null when not said (or not called back).'),
    calledBackAt: instant().nullable().describe('When they were called back (by default: when it was marked).'),
    calledBackBy: z.string().nullable().describe('Who called back: the name given with the supervisor or manager token.'),
    note: z.string(),
    version: z.number().int().min(0).describe('0 until the first change; +1 with every change.'),
    updatedAt: instant().nullable(),
    updatedBy: z.string().nullable(),
  })
  .register(outputs, { id: 'Callback', description: 'What supervisors recorded about calling a caller back.' });

export const CallbackPatch = z
  .object({
    calledBack: z.boolean().optional().describe('true: called back now (or at calledBackAt), by you; false: undo.'),
    reached: z.boolean().nullable().optional().describe('Whether the caller was reached.'),
    calledBackAt: z
      .string()
      .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 instant with zone (2026-11-16T10:15:00+01:00)')
      .optional()
      .describe('When the call back was made, if not now. Not in the future, not before the caller left.'),
    note: z.string().max(2000, 'must be at most 2000 characters').optional(),
    expectedVersion: z.number().int().min(0).optional().describe('The version you last saw; a change made meanwhile gives 409 instead of being overwritten.'),
  })
  .strict()
  .refine((p) => p.calledBack !== undefined || p.reached !== undefined || p.note !== undefined || p.calledBackAt !== undefined, { message: 'give at least one of calledBack, reached, calledBackAt, note' })
  .register(inputs, { id: 'CallbackPatch', description: 'A change to a callback-list entry: only the fields given change.' });

export const CallbackEntry = z
  .object({
    id: z.string().describe("The call's Linkedid: the key for PATCH, and the breach id when it is a breach."),
    leftAt: instant().describe('When the caller hung up or was sent out of the queue.'),
    joinedAt: instant().describe('When they first joined a queue.'),
    queue: z.string().describe('The queue they left from.'),
    queues: z.array(z.string()).describe('Every queue the call entered, in order.'),
    outcome: z.enum(['abandoned', 'timedOut']).describe('abandoned: hung up while waiting; timedOut: left the queue unanswered (timeout, exit key, empty queue).'),
    waitSeconds: z.number().int().min(0).describe('Time spent waiting in queues, all visits together (after a transfer too).'),
    caller: z.string().nullable().describe('The caller number: in full for supervisors and managers, the last 4 digits (****5678) for the wallboard; null when withheld.'),
    breach: z.string().nullable().describe('The breach register entry (GET /api/breaches/<id>) when this call broke the guarantee; null otherwise.'),
    calledAgain: z
      .object({ id: z.string(), at: instant().describe('When the later call was answered.') })
      .nullable()
      .describe('The same number called again later that day and was answered: marked automatically.'),
    callback: Callback,
    minutesToCallback: z.number().int().min(0).nullable().describe('From leaving to being called back, in minutes (rounded).'),
    state: z.enum(['open', 'calledBack', 'calledAgain']).describe('calledBack wins over calledAgain.'),
  })
  .register(outputs, { id: 'CallbackEntry', description: 'A caller who abandoned or left without being answered.' });

export const CallbackDetail = CallbackEntry.extend({ audit: z.array(AuditEntry).describe('Every change, oldest first.') }).register(outputs, { id: 'CallbackDetail' });

export const CallbackList = z
  .object({
    date: z.string().describe('The local day listed (the one asked for, or today on the switch\'s clock).'),
    timeZone: z.string().describe('BELOFTE_TIMEZONE: the zone of the day and of the times the page shows.'),
    from: instant(),
    to: instant(),
    queue: z.string().nullable(),
    state: z.enum(['open', 'all']),
    summary: z.object({
      callers: z.number().int().describe('Entries of the day (all of them, whatever state= filters).'),
      calledBack: z.number().int(),
      calledBackWithinDay: z.number().int().describe('Called back on the same local day.'),
      calledAgain: z.number().int().describe('Not called back, but called again and answered.'),
      open: z.number().int(),
      shareCalledBackWithinDay: z.number().nullable().describe('calledBackWithinDay ÷ callers; null when there are none.'),
      shareHandled: z.number().nullable().describe('(calledBack + calledAgain) ÷ callers.'),
      medianMinutesToCallback: z.number().nullable().describe('Median time from leaving to being called back, minutes.'),
    }),
    count: z.number().int(),
    entries: z.array(CallbackEntry).describe('By leaving time, oldest first.'),
  })
  .register(outputs, { id: 'CallbackList' });

export type Callback = z.infer<typeof Callback>;
export type CallbackPatch = z.infer<typeof CallbackPatch>;
export type CallbackEntry = z.infer<typeof CallbackEntry>;
export type CallbackList = z.infer<typeof CallbackList>;
export type CallbackDetail = z.infer<typeof CallbackDetail>;
