/**
 * What supervisors record on the callback list, in Redis: one hash per entry (`callback:<id>`)
 * and its audit list, changed only through the same versioned script as the breach follow-up
 * (fields, version and audit entry together; a stale expectedVersion is refused).
 */
import type { Cluster, Redis } from 'ioredis';
import type { Keys } from '@belofte/shared/keys';
import { readAuditList, recordVersioned, type RecordResult } from '../breaches/register.ts';
import type { AuditEntry } from '../schemas/breaches.ts';
import type { Callback, CallbackPatch } from '../schemas/callbacks.ts';
import { NO_CALLBACK } from './list.ts';

function callbackOf(h: Record<string, string>): Callback {
  if (!h.version) return { ...NO_CALLBACK };
  const iso = (ms: string | undefined) => (ms ? new Date(Number(ms)).toISOString() : null);
  return {
    calledBack: h.calledBack === '1',
    reached: h.reached === '1' ? true : h.reached === '0' ? false : null,
    calledBackAt: h.calledBack === '1' ? iso(h.calledBackAt) : null,
    calledBackBy: h.calledBack === '1' ? (h.calledBackBy || null) : null,
    note: h.note ?? '',
    version: Number(h.version),
    updatedAt: iso(h.updatedAt),
    updatedBy: h.updatedBy ?? null,
  };
}

export async function readCallbacks(redis: Redis | Cluster, keys: Keys, ids: string[]): Promise<Map<string, Callback>> {
  const out = new Map<string, Callback>();
  if (ids.length === 0) return out;
  const p = redis.pipeline();
  for (const id of ids) p.hgetall(keys.callback(id));
  const res = (await p.exec()) ?? [];
  res.forEach(([err, hash], i) => {
    if (err) throw err;
    out.set(ids[i]!, callbackOf(hash as Record<string, string>));
  });
  return out;
}

function decode(field: string, value: string | null): unknown {
  if (value === null || value === '') return field === 'note' ? value : null;
  if (field === 'calledBack') return value === '1';
  if (field === 'reached') return value === '1';
  if (field === 'calledBackAt') return new Date(Number(value)).toISOString();
  return value;
}

export function readCallbackAudit(redis: Redis | Cluster, keys: Keys, id: string): Promise<AuditEntry[]> {
  return readAuditList(redis, keys.callbackAudit(id), decode);
}

/**
 * Applies a supervisor's change. Marking "called back" records who and when (now, or the
 * calledBackAt given); undoing it clears both.
 */
export function recordCallback(
  redis: Redis | Cluster,
  keys: Keys,
  o: { id: string; patch: CallbackPatch; current: Callback; by: string; at: number; keepSeconds: number },
): Promise<RecordResult> {
  const p = o.patch;
  const fields: Record<string, string> = {};
  if (p.calledBack === true) {
    fields.calledBack = '1';
    // Marking again keeps the first who/when unless a time is given.
    if (!o.current.calledBack || p.calledBackAt !== undefined) {
      fields.calledBackAt = String(p.calledBackAt !== undefined ? Date.parse(p.calledBackAt) : o.at);
      fields.calledBackBy = o.by;
    }
  } else if (p.calledBack === false) {
    fields.calledBack = '0';
    fields.calledBackAt = '';
    fields.calledBackBy = '';
  } else if (p.calledBackAt !== undefined) {
    fields.calledBackAt = String(Date.parse(p.calledBackAt));
  }
  if (p.reached !== undefined) fields.reached = p.reached === null ? '' : p.reached ? '1' : '0';
  if (p.note !== undefined) fields.note = p.note;
  return recordVersioned(redis, { hash: keys.callback(o.id), audit: keys.callbackAudit(o.id), fields, by: o.by, at: o.at, keepSeconds: o.keepSeconds, expectedVersion: p.expectedVersion });
}
