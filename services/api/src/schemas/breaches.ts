/** The breach register: request parameters, the follow-up a manager records, and what is served. */
import { z } from 'zod';
import { parseLocalDate } from '@belofte/shared/time';
import { instant, inputs, outputs } from './registry.ts';
import { isoWeekParam, queueParam, siteParam } from './stats.ts';

/** What a caller may be given when the guarantee was broken (the charter's "belofte maakt schuld"). */
export const COMPENSATIONS = ['apology', 'coffee', 'parking', 'travel', 'other'] as const;
export type Compensation = (typeof COMPENSATIONS)[number];

export const dateOrInstant = (which: 'from' | 'to') =>
  z
    .string()
    .refine(
      (s) => parseLocalDate(s) !== null || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s))),
      'must be a local date (2026-11-16) or an ISO 8601 instant with zone (2026-11-16T08:00:00Z)',
    )
    .describe(
      which === 'from'
        ? 'Start: a local date (from its midnight) or an instant. Inclusive.'
        : 'End: a local date (up to the end of that day, inclusive) or an instant (exclusive). Default: now.',
    );

export const BreachesQuery = z
  .object({
    site: siteParam.optional(),
    from: dateOrInstant('from').optional(),
    to: dateOrInstant('to').optional(),
    week: isoWeekParam.optional().describe('Instead of from/to: one ISO week, e.g. 2026-W47.'),
    queue: queueParam.optional().describe('Only breaches of calls that entered this queue.'),
    state: z.enum(['open', 'closed', 'all']).default('all').describe('Follow-up state: open (not closed), closed, or all.'),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.week !== undefined && (q.from !== undefined || q.to !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['week'], message: 'give either week or from/to, not both' });
    } else if (q.week === undefined && q.from === undefined) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'is required (or give week=2026-W47)' });
    }
  })
  .register(inputs, { id: 'BreachesQuery' });

export const BreachIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'must be a breach id (the call\'s Linkedid, e.g. 1763280000.42)').describe("The breach id: the call's Linkedid.") })
  .strict();

export const FollowUp = z
  .object({
    complaintReceived: z.boolean().describe('The caller complained about this breach.'),
    compensation: z.array(z.enum(COMPENSATIONS)).describe('What the caller was given: apology (spoken or written), coffee, parking costs refunded, travel costs refunded, other (say what in the note).'),
    note: z.string().describe('Free text: what happened, what was learned.'),
    closed: z.boolean().describe('Follow-up finished.'),
    version: z.number().int().min(0).describe('0 until the first follow-up; +1 with every change.'),
    updatedAt: instant().nullable(),
    updatedBy: z.string().nullable().describe('Who made the last change: the name given with the manager token (MANAGER_TOKENS name=token), or manager#<token fingerprint>.'),
  })
  .register(outputs, { id: 'FollowUp', description: "A breach's follow-up as recorded by managers." });

export const FollowUpPatch = z
  .object({
    complaintReceived: z.boolean().optional(),
    compensation: z
      .array(z.enum(COMPENSATIONS))
      .max(COMPENSATIONS.length)
      .optional()
      .describe('The complete list of compensation given (replaces the previous list); [] for none.'),
    note: z.string().max(2000, 'must be at most 2000 characters').optional(),
    closed: z.boolean().optional(),
    expectedVersion: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The follow-up version you last saw; a change made meanwhile by someone else gives 409 instead of being overwritten.'),
  })
  .strict()
  .refine((p) => p.complaintReceived !== undefined || p.compensation !== undefined || p.note !== undefined || p.closed !== undefined, {
    message: 'give at least one of complaintReceived, compensation, note, closed',
  })
  .register(inputs, { id: 'FollowUpPatch', description: 'A change to the follow-up: only the fields given change.' });

export const AuditEntry = z
  .object({
    at: instant(),
    by: z.string(),
    version: z.number().int(),
    changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })).describe('Field → its value before and after.'),
  })
  .register(outputs, { id: 'AuditEntry', description: 'One change to a follow-up.' });

export const Breach = z
  .object({
    id: z.string().describe("The call's Linkedid: stable, the key for PATCH."),
    at: instant().describe('When the caller first joined a queue.'),
    endedAt: instant().nullable(),
    queues: z.array(z.string()).describe('Every queue the call entered, in order (repeats removed).'),
    firstQueue: z.string().describe('The queue the breach is booked on in the statistics.'),
    reasons: z.array(z.enum(['guarantee', 'transfers'])).describe('guarantee: no person within GUARANTEE_SECONDS; transfers: transferred more than MAX_TRANSFERS times.'),
    outcome: z.string().describe('How the call ended: answered, abandoned, timedOut, movedOut (its last entry was moved into another queue), unknown; waiting while in progress.'),
    waitSeconds: z.number().int().min(0).describe('From the first queue entry until a person answered, or until the caller gave up.'),
    queueWaitSeconds: z.number().int().min(0).describe('All waits in queues together, including those after transfers.'),
    transfers: z.number().int().min(0),
    agents: z.array(z.string()).describe('Agents who answered or transferred the call, in order.'),
    caller: z.string().nullable().describe('Caller number masked to its last 4 digits (****5678); null when unknown.'),
    state: z.enum(['open', 'closed']),
    followUp: FollowUp,
    calledBack: z
      .object({ at: instant().nullable(), by: z.string().nullable(), reached: z.boolean().nullable() })
      .nullable()
      .describe('From the callback list (GET /api/callbacks/<id>): the caller was called back, when, by whom, reached or not; null when not (yet).'),
  })
  .register(outputs, { id: 'Breach', description: 'A call that broke the guarantee or the transfer limit.' });

export const BreachDetail = Breach.extend({ audit: z.array(AuditEntry).describe('Every change to the follow-up, oldest first.') }).register(outputs, {
  id: 'BreachDetail',
});

export const BreachList = z
  .object({
    from: instant(),
    to: instant(),
    queue: z.string().nullable(),
    state: z.enum(['open', 'closed', 'all']),
    count: z.number().int(),
    breaches: z.array(Breach).describe('Oldest first.'),
  })
  .register(outputs, { id: 'BreachList' });

export type FollowUp = z.infer<typeof FollowUp>;
export type FollowUpPatch = z.infer<typeof FollowUpPatch>;
export type Breach = z.infer<typeof Breach>;
export type BreachDetail = z.infer<typeof BreachDetail>;
export type BreachList = z.infer<typeof BreachList>;
export type AuditEntry = z.infer<typeof AuditEntry>;
