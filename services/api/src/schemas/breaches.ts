/** The breach register: request parameters, the follow-up a manager records, and what is served. */
import { z } from 'zod';
import { parseLocalDate } from '@belofte/shared/time';
import { DEADLINE_STATES } from '../complaints/deadlines.ts';
import { instant, inputs, outputs } from './registry.ts';
import { isoWeekParam, queueParam, siteParam } from './stats.ts';

/** What a caller may be given when the guarantee was broken (the charter's "belofte maakt schuld"). */
export const COMPENSATIONS = ['apology', 'coffee', 'parking', 'travel', 'other'] as const;
export type Compensation = (typeof COMPENSATIONS)[number];
/** The kinds that cost money: an amount in euros is required for them. */
export const COMPENSATIONS_WITH_AMOUNT: readonly Compensation[] = ['parking', 'travel'];
/** The kinds that never carry an amount. */
export const COMPENSATIONS_WITHOUT_AMOUNT: readonly Compensation[] = ['apology', 'coffee'];
export const MAX_COMPENSATION_EUROS = 10_000;
export const MAX_COMPENSATION_ENTRIES = 20;

/** A local calendar date that exists, YYYY-MM-DD. */
export const localDateParam = z.string().refine((s) => parseLocalDate(s) !== null, 'must be a local date that exists, YYYY-MM-DD (e.g. 2026-11-16)');

/**
 * An amount in euros: a number or text with at most two decimals (12.5, 12.50, "12,50"),
 * from 0.01 to MAX_COMPENSATION_EUROS. Parsed to whole cents, so totals never drift.
 */
export const euroAmount = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim().replace(',', '.');
    if (/^-/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must not be negative' });
      return z.NEVER;
    }
    const m = /^(\d{1,6})(?:\.(\d{1,2}))?$/.exec(text);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: 'must be an amount in euros with at most two decimals, e.g. 12.50' });
      return z.NEVER;
    }
    const cents = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
    if (cents < 1 || cents > MAX_COMPENSATION_EUROS * 100) {
      ctx.addIssue({ code: 'custom', message: `must be from 0.01 to ${MAX_COMPENSATION_EUROS} euros` });
      return z.NEVER;
    }
    return cents;
  })
  .describe('Euros, at most two decimals (a number, or text with a decimal point or comma: 12.50, "12,50").');

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

export const BreachSiteQuery = z.object({ site: siteParam.optional() }).strict().register(inputs, { id: 'BreachSiteQuery' });

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

export const CompensationEntry = z
  .object({
    kind: z.enum(COMPENSATIONS).describe('apology (spoken or written), coffee, parking costs refunded, travel costs refunded, other (say what in the note).'),
    amount: z.number().min(0).nullable().describe('Euros, two decimals; null for what costs no money (apology, coffee) or an "other" without an amount.'),
  })
  .register(outputs, { id: 'CompensationEntry', description: 'One compensation given, in the ledger of a breach.' });

export const Deadline = z
  .object({
    due: z.string().nullable().describe('Local date the step is due (YYYY-MM-DD); null when the step is not needed.'),
    doneOn: z.string().nullable().describe('Local date the step was done, as recorded.'),
    state: z.enum(DEADLINE_STATES).describe('met (done by the due date), missed (done late, or past due and not done), dueSoon (not done, due today or the next working day), pending, notNeeded.'),
    overdue: z.boolean().describe('Not done and past the due date.'),
  })
  .register(outputs, { id: 'Deadline' });

export const Complaint = z
  .object({
    receivedOn: z.string().describe('Local date the complaint was received.'),
    phoneKnown: z.boolean().describe('A number is known on which the caller can be reached during the day (norm 8: only then a callback is owed). The number itself is not stored here.'),
    calledBackOn: z.string().nullable(),
    progressMessageOn: z.string().nullable().describe('When the caller was told that handling takes longer than 5 working days.'),
    settledOn: z.string().nullable().describe('When the complaint was settled (and the caller told how).'),
    deadlines: z
      .object({
        callback: Deadline.describe('Called back within 5 working days (norm 8).'),
        progressMessage: Deadline.describe('A message when handling takes longer than 5 working days (norm 9).'),
        settled: Deadline.describe('Settled within 10 weeks (norm 9).'),
      })
      .describe('Working days skip weekends and Dutch public holidays; dates in BELOFTE_TIMEZONE.'),
  })
  .register(outputs, { id: 'Complaint', description: 'A complaint about the breach and its charter deadlines.' });

export const FollowUp = z
  .object({
    complaintReceived: z.boolean().describe('The caller complained about this breach.'),
    complaint: Complaint.nullable().describe('The complaint with its dates and deadlines; null when no received date was recorded.'),
    compensation: z.array(CompensationEntry).describe('The compensation ledger: what the caller was given, in the order recorded.'),
    compensationAmount: z.number().min(0).describe('Sum of the ledger\'s amounts, euros.'),
    note: z.string().describe('Free text: what happened, what was learned.'),
    closed: z.boolean().describe('Follow-up finished.'),
    version: z.number().int().min(0).describe('0 until the first follow-up; +1 with every change.'),
    updatedAt: instant().nullable(),
    updatedBy: z.string().nullable().describe('Who made the last change: the name given with the manager token (MANAGER_TOKENS name=token), or manager#<token fingerprint>.'),
  })
  .register(outputs, { id: 'FollowUp', description: "A breach's follow-up as recorded by managers." });

/** One ledger entry as sent: { kind, amount } or, for what costs nothing, just the kind. */
const CompensationInput = z
  .preprocess(
    (e) => (typeof e === 'string' ? { kind: e } : e),
    z
      .object({ kind: z.enum(COMPENSATIONS), amount: euroAmount.nullable().optional() })
      .strict()
      .superRefine((e, ctx) => {
        if (COMPENSATIONS_WITH_AMOUNT.includes(e.kind) && (e.amount === undefined || e.amount === null)) {
          ctx.addIssue({ code: 'custom', path: ['amount'], message: `is required for ${e.kind}: the costs refunded, in euros, e.g. { "kind": "${e.kind}", "amount": 12.50 }` });
        }
        if (COMPENSATIONS_WITHOUT_AMOUNT.includes(e.kind) && e.amount !== undefined && e.amount !== null) {
          ctx.addIssue({ code: 'custom', path: ['amount'], message: `${e.kind} costs no money: give no amount (use other, with a note, for anything else)` });
        }
      }),
  )
  .transform((e) => ({ kind: e.kind, amountCents: e.amount ?? null }));

const ComplaintPatch = z
  .object({
    receivedOn: localDateParam.optional().describe('Local date the complaint was received: not in the future, not before the breach.'),
    phoneKnown: z.boolean().optional().describe('A daytime number is known (norm 8). Give the number itself nowhere here.'),
    calledBackOn: localDateParam.nullable().optional().describe('Local date of the callback; null to clear.'),
    progressMessageOn: localDateParam.nullable().optional().describe('Local date the caller was told handling takes longer; null to clear.'),
    settledOn: localDateParam.nullable().optional().describe('Local date the complaint was settled; null to clear.'),
  })
  .strict()
  .describe('Only the fields given change. Every date lies between receivedOn and today (BELOFTE_TIMEZONE).');

export const FollowUpPatch = z
  .object({
    complaintReceived: z.boolean().optional().describe('false also clears the complaint\'s dates.'),
    complaint: ComplaintPatch.optional(),
    compensation: z
      .array(CompensationInput)
      .max(MAX_COMPENSATION_ENTRIES)
      .optional()
      .describe('The complete compensation ledger (replaces the previous one); [] for none. Each entry is { kind, amount } (amount in euros, required for parking and travel, refused for apology and coffee) or, for what costs nothing, just the kind.'),
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
  .refine((p) => p.complaintReceived !== undefined || p.complaint !== undefined || p.compensation !== undefined || p.note !== undefined || p.closed !== undefined, {
    message: 'give at least one of complaintReceived, complaint, compensation, note, closed',
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
export type CompensationEntry = z.infer<typeof CompensationEntry>;
export type Complaint = z.infer<typeof Complaint>;
export type Deadline = z.infer<typeof Deadline>;
export type FollowUpPatch = z.infer<typeof FollowUpPatch>;
export type Breach = z.infer<typeof Breach>;
export type BreachDetail = z.infer<typeof BreachDetail>;
export type BreachList = z.infer<typeof BreachList>;
export type AuditEntry = z.infer<typeof AuditEntry>;

export const ComplaintsQuery = z
  .object({
    state: z.enum(['open', 'all']).default('open').describe('open: not yet settled (default); all: every complaint still in the records.'),
    queue: queueParam.optional().describe('Only complaints about calls that entered this queue.'),
  })
  .strict()
  .register(inputs, { id: 'ComplaintsQuery' });

export const ComplaintList = z
  .object({
    today: z.string().describe('The local date the deadlines were judged on.'),
    state: z.enum(['open', 'all']),
    queue: z.string().nullable(),
    count: z.number().int(),
    overdue: z.number().int().describe('Complaints with a step not done and past its due date.'),
    dueSoon: z.number().int().describe('Complaints with a step due today or on the next working day (and none overdue).'),
    breaches: z.array(Breach).describe('The breaches with a complaint, the most urgent first: overdue, then by the nearest due date of a step not done.'),
  })
  .register(outputs, { id: 'ComplaintList', description: 'Complaints across every period, with their deadlines.' });
export type ComplaintList = z.infer<typeof ComplaintList>;
