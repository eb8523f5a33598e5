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
import { COMPENSATIONS, type AuditEntry, type Breach, type Compensation, type FollowUp, type FollowUpPatch } from '../schemas/breaches.ts';
import { maskCaller } from '@belofte/shared/rollup';
import { firstQueue, isBreach, visitWaitSeconds, type FollowUpSummary } from '../stats/weekly.ts';

const scripts = new Scripts(new URL('.', import.meta.url), { followUpRecorded: 2 });

export { maskCaller };

export const NO_FOLLOW_UP: FollowUp = { complaintReceived: false, compensation: [], note: '', closed: false, version: 0, updatedAt: null, updatedBy: null };

function compensationList(text: string | undefined): Compensation[] {
  if (!text) return [];
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) ? list.filter((c): c is Compensation => (COMPENSATIONS as readonly string[]).includes(c)) : [];
  } catch {
    return [];
  }
}

function followUpOf(hash: Record<string, string>): FollowUp {
  if (!hash.version) return { ...NO_FOLLOW_UP };
  return {
    complaintReceived: hash.complaintReceived === '1',
    compensation: compensationList(hash.compensation),
    note: hash.note ?? '',
    closed: hash.closed === '1',
    version: Number(hash.version),
    updatedAt: hash.updatedAt ? new Date(Number(hash.updatedAt)).toISOString() : null,
    updatedBy: hash.updatedBy ?? null,
  };
}

export function summary(f: FollowUp): FollowUpSummary {
  return { closed: f.closed, complaintReceived: f.complaintReceived, compensated: f.compensation.length > 0 };
}

/** The follow-ups of these breach ids, in one round trip. */
export async function readFollowUps(redis: Redis | Cluster, keys: Keys, ids: string[]): Promise<Map<string, FollowUp>> {
  const out = new Map<string, FollowUp>();
  if (ids.length === 0) return out;
  const p = redis.pipeline();
  for (const id of ids) p.hgetall(keys.breachFollowUp(id));
  const res = (await p.exec()) ?? [];
  res.forEach(([err, hash], i) => {
    if (err) throw err;
    out.set(ids[i]!, followUpOf(hash as Record<string, string>));
  });
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
  if (field === 'complaintReceived' || field === 'closed') return value === '1';
  if (field === 'compensation') return compensationList(value);
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
  o: { id: string; patch: FollowUpPatch; by: string; at: number; keepSeconds: number },
): Promise<RecordResult> {
  const fields: Record<string, string> = {};
  const p = o.patch;
  if (p.complaintReceived !== undefined) fields.complaintReceived = p.complaintReceived ? '1' : '0';
  if (p.closed !== undefined) fields.closed = p.closed ? '1' : '0';
  if (p.note !== undefined) fields.note = p.note;
  // One order, no repeats: the same set given twice is no change.
  if (p.compensation !== undefined) fields.compensation = JSON.stringify(COMPENSATIONS.filter((c) => p.compensation!.includes(c)));
  return recordVersioned(redis, { hash: keys.breachFollowUp(o.id), audit: keys.breachAudit(o.id), fields, by: o.by, at: o.at, keepSeconds: o.keepSeconds, expectedVersion: p.expectedVersion });
}
