/**
 * The breach register: every call that broke the guarantee (no person within
 * GUARANTEE_SECONDS) or the transfer limit (more than MAX_TRANSFERS transfers) is a breach,
 * found in the collector's call records; its id is the call's Linkedid. What managers record
 * about it — complaint, compensation, note, closed — lives in a hash of its own, changed only
 * through followUpRecorded.lua together with an audit entry of who changed what, when.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Keys } from '@belofte/shared/keys';
import { Scripts } from '@belofte/shared/scripts';
import { maskCaller } from '@belofte/shared/rollup';
import { complaintDeadlines } from '../complaints/deadlines.ts';
import { indexFollowUp } from './followUpIndex.ts';
import { COMPENSATIONS, type AuditEntry, type Breach, type Compensation, type CompensationEntry, type Complaint, type FollowUp, type FollowUpPatch } from '../schemas/breaches.ts';
import { firstQueue, isBreach, visitWaitSeconds, type FollowUpSummary } from '../stats/weekly.ts';

const scripts = new Scripts(new URL('.', import.meta.url), { followUpRecorded: 2 });

export { maskCaller };

export const NO_FOLLOW_UP: FollowUp = {
  complaintReceived: false,
  complaint: null,
  compensation: [],
  compensationAmount: 0,
  note: '',
  closed: false,
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

/** The hash fields of a complaint's dates (stored as YYYY-MM-DD, '' when cleared). */
export const COMPLAINT_FIELDS = {
  receivedOn: 'complaintReceivedOn',
  phoneKnown: 'complaintPhoneKnown',
  calledBackOn: 'complaintCalledBackOn',
  progressMessageOn: 'complaintProgressMessageOn',
  settledOn: 'complaintSettledOn',
} as const;

/** A stored ledger entry: amounts in whole cents. Older follow-ups stored bare kinds. */
export interface StoredCompensation {
  kind: Compensation;
  amountCents: number | null;
}

const isKind = (c: unknown): c is Compensation => (COMPENSATIONS as readonly unknown[]).includes(c);

function storedLedger(text: string | undefined): StoredCompensation[] {
  if (!text) return [];
  try {
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) return [];
    const out: StoredCompensation[] = [];
    for (const e of list) {
      if (isKind(e)) out.push({ kind: e, amountCents: null });
      else if (e && typeof e === 'object' && isKind((e as StoredCompensation).kind)) {
        const cents = (e as StoredCompensation).amountCents;
        out.push({ kind: (e as StoredCompensation).kind, amountCents: Number.isInteger(cents) && cents! >= 0 ? cents : null });
      }
    }
    return out;
  } catch {
    return [];
  }
}

/**
 * One order for a ledger, so the same compensation given in another order is no change: by
 * kind (as COMPENSATIONS lists them), then amount. What costs nothing counts once per kind;
 * refunds with an amount each stay (parking may be refunded for two visits).
 */
export function normalLedger(entries: StoredCompensation[]): StoredCompensation[] {
  const sorted = [...entries].sort((a, b) => COMPENSATIONS.indexOf(a.kind) - COMPENSATIONS.indexOf(b.kind) || (a.amountCents ?? -1) - (b.amountCents ?? -1));
  return sorted
    .filter((e, i) => !(e.amountCents === null && sorted.findIndex((o) => o.kind === e.kind && o.amountCents === null) !== i))
    .map((e) => ({ kind: e.kind, amountCents: e.amountCents }));
}

const euros = (cents: number) => Math.round(cents) / 100;

function ledgerOf(text: string | undefined): CompensationEntry[] {
  return storedLedger(text).map((e) => ({ kind: e.kind, amount: e.amountCents === null ? null : euros(e.amountCents) }));
}

/** The complaint as recorded, with its deadlines on `today` (a local date). */
function complaintOf(hash: Record<string, string>, today: string): Complaint | null {
  const receivedOn = hash[COMPLAINT_FIELDS.receivedOn];
  if (!receivedOn) return null;
  const date = (field: string) => hash[field] || null;
  const dates = {
    receivedOn,
    phoneKnown: hash[COMPLAINT_FIELDS.phoneKnown] === '1',
    calledBackOn: date(COMPLAINT_FIELDS.calledBackOn),
    progressMessageOn: date(COMPLAINT_FIELDS.progressMessageOn),
    settledOn: date(COMPLAINT_FIELDS.settledOn),
  };
  return { ...dates, deadlines: complaintDeadlines(dates, today) };
}

/** A follow-up as served; `today` (local date) places the complaint's deadlines. */
export function followUpOf(hash: Record<string, string>, today: string): FollowUp {
  if (!hash.version) return { ...NO_FOLLOW_UP };
  const compensation = ledgerOf(hash.compensation);
  return {
    complaintReceived: hash.complaintReceived === '1',
    complaint: complaintOf(hash, today),
    compensation,
    compensationAmount: euros(storedLedger(hash.compensation).reduce((sum, e) => sum + (e.amountCents ?? 0), 0)),
    note: hash.note ?? '',
    closed: hash.closed === '1',
    version: Number(hash.version),
    updatedAt: hash.updatedAt ? new Date(Number(hash.updatedAt)).toISOString() : null,
    updatedBy: hash.updatedBy ?? null,
  };
}

/** What the weekly figures need of a follow-up. */
export function summary(f: FollowUp): FollowUpSummary {
  return { closed: f.closed, complaintReceived: f.complaintReceived, compensated: f.compensation.length > 0 };
}

/** The stored fields of these breaches' follow-ups, in one round trip. */
export async function readFollowUpHashes(redis: Redis | Cluster, keys: Keys, ids: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (ids.length === 0) return out;
  const p = redis.pipeline();
  for (const id of ids) p.hgetall(keys.breachFollowUp(id));
  const res = (await p.exec()) ?? [];
  res.forEach(([err, hash], i) => {
    if (err) throw err;
    out.set(ids[i]!, hash as Record<string, string>);
  });
  return out;
}

/** Follow-up hashes read in one pipeline by readFollowUps. */
const FOLLOW_UPS_AT_ONCE = 100;

/** The follow-ups of these breach ids, a pipeline per FOLLOW_UPS_AT_ONCE; `today` (local date) places complaint deadlines. */
export async function readFollowUps(redis: Redis | Cluster, keys: Keys, ids: string[], today: string): Promise<Map<string, FollowUp>> {
  const out = new Map<string, FollowUp>();
  // A pipeline per slice of ids: a period's follow-ups in one pipeline are one long stretch of
  // replies parsed on the event loop, with the live reads waiting behind it.
  for (let start = 0; start < ids.length; start += FOLLOW_UPS_AT_ONCE) {
    const slice = ids.slice(start, start + FOLLOW_UPS_AT_ONCE);
    const p = redis.pipeline();
    for (const id of slice) p.hgetall(keys.breachFollowUp(id));
    const res = (await p.exec()) ?? [];
    res.forEach(([err, hash], i) => {
      if (err) throw err;
      out.set(slice[i]!, followUpOf(hash as Record<string, string>, today));
    });
  }
  return out;
}

export async function readAudit(redis: Redis | Cluster, keys: Keys, id: string): Promise<AuditEntry[]> {
  return readAuditList(redis, keys.breachAudit(id), decodeField);
}

/** An audit list (as recordVersioned writes it), each stored value decoded for the API. */
export async function readAuditList(redis: Redis | Cluster, key: string, decode: (field: string, value: string | null) => unknown): Promise<AuditEntry[]> {
  const texts = await redis.lrange(key, 0, -1);
  return texts.map((t) => {
    const e = JSON.parse(t) as { at: number; by: string; version: number; changes: Record<string, { from: string | null; to: string }> };
    const changes: AuditEntry['changes'] = {};
    for (const [field, c] of Object.entries(e.changes)) changes[field] = { from: decode(field, c.from), to: decode(field, c.to) };
    return { at: new Date(e.at).toISOString(), by: e.by, version: e.version, changes };
  });
}

/** Stored strings back to the values the API speaks. */
function decodeField(field: string, value: string | null): unknown {
  if (value === null) return null;
  if (field === 'complaintReceived' || field === 'closed' || field === COMPLAINT_FIELDS.phoneKnown) return value === '1';
  if (field === 'compensation') return ledgerOf(value);
  if (field.startsWith('complaint') && value === '') return null;
  return value;
}

/** A breach as served, from its call record and follow-up. */
export function breachOf(r: CallRecord, followUp: FollowUp, calledBack: Breach['calledBack'] = null): Breach {
  const queues: string[] = [];
  for (const v of r.visits) if (queues.at(-1) !== v.queue) queues.push(v.queue);
  const agents: string[] = [];
  const events: Array<{ at: number; agent: string | null }> = [
    ...r.visits.map((v) => ({ at: v.answeredAt ?? Infinity, agent: v.agent })),
    ...r.transfers.map((t) => ({ at: t.at, agent: t.agent })),
  ].sort((a, b) => a.at - b.at);
  for (const e of events) if (e.agent && !agents.includes(e.agent)) agents.push(e.agent);
  const reachedOrLeft = r.answeredAt ?? r.abandonedAt ?? r.endedAt ?? r.firstJoinedAt;
  const reasons: Breach['reasons'] = [];
  if (r.breached) reasons.push('guarantee');
  if (r.overTransferLimit) reasons.push('transfers');
  return {
    id: r.linkedid,
    at: new Date(r.firstJoinedAt).toISOString(),
    endedAt: r.endedAt === null ? null : new Date(r.endedAt).toISOString(),
    queues,
    firstQueue: firstQueue(r) ?? '',
    reasons,
    outcome: r.outcome,
    waitSeconds: Math.max(0, Math.round((reachedOrLeft - r.firstJoinedAt) / 1000)),
    queueWaitSeconds: r.visits.reduce((sum, v) => sum + (visitWaitSeconds(v) ?? 0), 0),
    transfers: r.transfers.length,
    agents,
    caller: maskCaller(r.callerIdNum),
    state: followUp.closed ? 'closed' : 'open',
    followUp,
    calledBack,
  };
}

export { isBreach };

export type RecordResult = { status: 'ok' | 'unchanged'; version: number } | { status: 'conflict'; version: number };

/**
 * One versioned change with its audit entry, atomically (followUpRecorded.lua): the breach
 * follow-up and the callback list both keep their state this way. `fields` are the stored
 * strings that may change; an unchanged value is no change.
 */
export async function recordVersioned(
  redis: Redis | Cluster,
  o: { hash: string; audit: string; fields: Record<string, string>; by: string; at: number; keepSeconds: number; expectedVersion?: number },
): Promise<RecordResult> {
  const [status, version] = (await scripts.run(
    redis,
    'followUpRecorded',
    [o.hash, o.audit],
    [JSON.stringify(o.fields), o.by, o.at, o.keepSeconds, o.expectedVersion === undefined ? '' : String(o.expectedVersion)],
  )) as [string, string];
  return { status: status as RecordResult['status'], version: Number(version) };
}

/** Applies a manager's change to a follow-up, atomically with its audit entry. */
export async function recordFollowUp(
  redis: Redis | Cluster,
  keys: Keys,
  o: { id: string; firstJoinedAt: number; patch: FollowUpPatch; by: string; at: number; keepSeconds: number; expectedVersion?: number },
): Promise<RecordResult> {
  await indexFollowUp(redis, keys, { id: o.id, firstJoinedAt: o.firstJoinedAt, keepFromMs: o.at - o.keepSeconds * 1000 });
  const fields: Record<string, string> = {};
  const p = o.patch;
  if (p.complaintReceived !== undefined) fields.complaintReceived = p.complaintReceived ? '1' : '0';
  if (p.closed !== undefined) fields.closed = p.closed ? '1' : '0';
  if (p.note !== undefined) fields.note = p.note;
  if (p.compensation !== undefined) fields.compensation = JSON.stringify(normalLedger(p.compensation));
  if (p.complaintReceived === false) for (const f of Object.values(COMPLAINT_FIELDS)) fields[f] = '';
  if (p.complaint) {
    const c = p.complaint;
    // A complaint with a received date is a complaint received.
    if (c.receivedOn !== undefined) fields.complaintReceived = '1';
    if (c.receivedOn !== undefined) fields[COMPLAINT_FIELDS.receivedOn] = c.receivedOn;
    if (c.phoneKnown !== undefined) fields[COMPLAINT_FIELDS.phoneKnown] = c.phoneKnown ? '1' : '0';
    for (const k of ['calledBackOn', 'progressMessageOn', 'settledOn'] as const) if (c[k] !== undefined) fields[COMPLAINT_FIELDS[k]] = c[k] ?? '';
  }
  return recordVersioned(redis, { hash: keys.breachFollowUp(o.id), audit: keys.breachAudit(o.id), fields, by: o.by, at: o.at, keepSeconds: o.keepSeconds, expectedVersion: o.expectedVersion });
}

/**
 * A complaint's dates after the patch must make sense together: a received date before any
 * step, none in the future, none before the breach itself (all local dates). Returns the
 * refused field and why, or null.
 */
export function complaintPatchProblem(current: Record<string, string>, patch: FollowUpPatch, o: { today: string; breachDate: string }): { parameter: string; message: string } | null {
  const c = patch.complaint;
  if (!c) return null;
  if (patch.complaintReceived === false) return { parameter: 'complaint', message: 'complaint: cannot be given together with complaintReceived: false' };
  const after = (k: keyof typeof COMPLAINT_FIELDS): string | null => {
    const given = (c as Record<string, unknown>)[k];
    if (given !== undefined) return (given as string | null) ?? null;
    return current[COMPLAINT_FIELDS[k]] || null;
  };
  const receivedOn = after('receivedOn');
  if (receivedOn === null) return { parameter: 'complaint.receivedOn', message: 'complaint.receivedOn: is required: record when the complaint was received before its steps' };
  if (receivedOn > o.today) return { parameter: 'complaint.receivedOn', message: `complaint.receivedOn: ${receivedOn} is in the future (today is ${o.today})` };
  if (receivedOn < o.breachDate) return { parameter: 'complaint.receivedOn', message: `complaint.receivedOn: ${receivedOn} is before the breach itself (${o.breachDate})` };
  for (const k of ['calledBackOn', 'progressMessageOn', 'settledOn'] as const) {
    const d = after(k);
    if (d === null) continue;
    if (d < receivedOn) return { parameter: `complaint.${k}`, message: `complaint.${k}: ${d} is before the complaint was received (${receivedOn})` };
    if (d > o.today) return { parameter: `complaint.${k}`, message: `complaint.${k}: ${d} is in the future (today is ${o.today})` };
  }
  return null;
}
