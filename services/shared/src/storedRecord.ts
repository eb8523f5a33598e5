/**
 * How a finished call is stored: a compact positional JSON array, the value of its Linkedid in
 * the hash of its first queue entry's hour (see Keys.recordBucket). A national centre keeps a
 * year of these, so every byte counts, but nothing of the record is given up: names are kept
 * exactly as the switch sent them (JSON escapes them), times to the microsecond (the
 * resolution of Asterisk's Timestamp header), and what can be derived (the Linkedid, which is
 * the hash field; visit and transfer ids that follow the collector's own pattern) is left out.
 *
 *   [2, rules, callerIdNum, firstJoinedAt, flags, outcome, names, visits, transfers,
 *    answeredAt, agent, abandonedAt, endedAt, aliases?]
 *
 * - `rules`: the stamp of the rollup rules the call was counted with (rollup.ts), so a
 *   rewritten record takes out exactly what it once added;
 * - `firstJoinedAt`: epoch ms; every other time is ms after it (may be negative), null kept;
 * - `flags`: 1 breached, 2 over the transfer limit; `outcome` and visit statuses: STATUS_CODE;
 * - `names`: every queue and agent name once; visits, transfers and the call refer to them by
 *   position;
 * - a visit: [queue, uniqueid ('' = the Linkedid), id, status, joinedAt, answeredAt,
 *   holdSeconds, agent, endedAt, talkSeconds, endReason]; `id` is 0 when it is
 *   `<uniqueid>/<join in whole seconds>`, 1 when `<uniqueid>/<join with 6 decimals>` (the
 *   Timestamp as Asterisk prints it), otherwise the text after `<uniqueid>/`, or [the whole id];
 * - a transfer: [id (null = `<Linkedid>/t<n>`), at, kind, agent].
 * Trailing nulls of a visit, transfer or the call are left off.
 *
 * The collector computes a call's rollup share from the decoded record, never from what it had
 * in memory, so the share added and the share a rewrite takes back are the same numbers.
 */
import type { CallRecord, RecordedTransfer, RecordedVisit, VisitStatus } from './callRecord.ts';

export const RECORD_FORMAT = 2;

/** One letter per status, stable forever: a new status gets a new letter. */
const STATUS_CODE: Record<VisitStatus, string> = {
  waiting: 'w',
  answered: 'a',
  completed: 'c',
  abandoned: 'x',
  shortAbandoned: 's',
  timedOut: 't',
  movedOut: 'm',
  unknown: 'u',
};
const STATUS_OF = new Map(Object.entries(STATUS_CODE).map(([s, c]) => [c, s as VisitStatus]));

/** A stored value that is not a record: this call turned out to be part of another ("~<into>"). */
export const isMergedMarker = (text: string): boolean => text.startsWith('~');
export const mergedMarker = (into: string): string => `~${into}`;

/** Microseconds, the resolution kept. */
const us = (ms: number): number => Math.round(ms * 1000);

function trimmed<T extends unknown[]>(a: T): T {
  let n = a.length;
  while (n > 0 && a[n - 1] === null) n--;
  a.length = n;
  return a;
}

export function encodeRecord(r: CallRecord, rules: string): string {
  const names: string[] = [];
  const index = new Map<string, number>();
  const name = (s: string | null): number | null => {
    if (s === null) return null;
    let i = index.get(s);
    if (i === undefined) {
      index.set(s, (i = names.length));
      names.push(s);
    }
    return i;
  };
  const base = us(r.firstJoinedAt);
  const first = base / 1000;
  const off = (t: number | null): number | null => (t === null ? null : (us(t) - base) / 1000);
  const visits = r.visits.map((v) => {
    const joined = us(v.joinedAt) / 1000; // as it will read back
    const prefix = `${v.uniqueid}/`;
    const rest = v.id.startsWith(prefix) ? v.id.slice(prefix.length) : null;
    const id = rest === null ? [v.id] : rest === String(Math.floor(joined / 1000)) ? 0 : rest === (joined / 1000).toFixed(6) ? 1 : rest;
    return trimmed([
      name(v.queue),
      v.uniqueid === r.linkedid ? '' : v.uniqueid,
      id,
      STATUS_CODE[v.status],
      off(v.joinedAt),
      off(v.answeredAt),
      v.holdSeconds,
      name(v.agent),
      off(v.endedAt),
      v.talkSeconds,
      v.endReason,
    ]);
  });
  const transfers = r.transfers.map((t, i) => trimmed([t.id === `${r.linkedid}/t${i + 1}` ? null : t.id, off(t.at), t.kind, name(t.agent)]));
  const out: unknown[] = [
    RECORD_FORMAT,
    rules,
    r.callerIdNum,
    first,
    (r.breached ? 1 : 0) | (r.overTransferLimit ? 2 : 0),
    STATUS_CODE[r.outcome],
    names,
    visits,
    transfers,
    off(r.answeredAt),
    name(r.agent),
    off(r.abandonedAt),
    off(r.endedAt),
    r.aliases?.length ? r.aliases : null,
  ];
  return JSON.stringify(trimmed(out));
}

/**
 * Calls someone opens by id alone (the breach register, the callback list): breaches, and
 * calls whose last queue entry was not answered. They are indexed by id (Keys.recordWhere).
 */
export const findableById = (r: CallRecord): boolean => r.breached || r.overTransferLimit || (r.visits.length > 0 && r.visits.at(-1)!.answeredAt === null);

export interface StoredRecord {
  record: CallRecord;
  /** The stamp of the rollup rules it was counted with. */
  rules: string;
}

class BadRecord extends Error {}

/** A stored record back; null for a merged marker. Throws on text that is not a record. */
export function decodeRecord(linkedid: string, text: string): StoredRecord | null {
  if (isMergedMarker(text)) return null;
  const a = JSON.parse(text) as unknown[];
  if (!Array.isArray(a) || a[0] !== RECORD_FORMAT) throw new BadRecord(`not a stored call record (format ${JSON.stringify(Array.isArray(a) ? a[0] : typeof a)})`);
  const [, rules, callerIdNum, first, flags, outcome, names, visits, transfers, answeredAt, agent, abandonedAt, endedAt, aliases] = a;
  if (typeof rules !== 'string' || typeof callerIdNum !== 'string' || typeof first !== 'number' || typeof flags !== 'number') throw new BadRecord('a stored call record without its head');
  if (!Array.isArray(names) || !Array.isArray(visits) || !Array.isArray(transfers)) throw new BadRecord('a stored call record without its lists');
  const base = us(first);
  const time = (x: unknown): number | null => {
    if (x === null || x === undefined) return null;
    if (typeof x !== 'number') throw new BadRecord('a time that is not a number');
    return (base + us(x)) / 1000;
  };
  const nameAt = (x: unknown): string | null => {
    if (x === null || x === undefined) return null;
    const s = typeof x === 'number' ? names[x] : undefined;
    if (typeof s !== 'string') throw new BadRecord(`no name ${JSON.stringify(x)}`);
    return s;
  };
  const status = (x: unknown): VisitStatus => {
    const s = typeof x === 'string' ? STATUS_OF.get(x) : undefined;
    if (!s) throw new BadRecord(`unknown status ${JSON.stringify(x)}`);
    return s;
  };
  const num = (x: unknown): number | null => (typeof x === 'number' ? x : null);
  const str = (x: unknown): string | null => (typeof x === 'string' ? x : null);
  const record: CallRecord = {
    linkedid,
    callerIdNum,
    visits: visits.map((v: unknown[]): RecordedVisit => {
      if (!Array.isArray(v)) throw new BadRecord('a visit that is not a list');
      const uniqueid = v[1] === '' ? linkedid : String(v[1]);
      const joinedAt = time(v[4]) ?? base / 1000;
      const queue = nameAt(v[0]);
      if (queue === null) throw new BadRecord('a visit without its queue');
      const stamp = v[2] === 0 ? String(Math.floor(joinedAt / 1000)) : v[2] === 1 ? (joinedAt / 1000).toFixed(6) : String(v[2]);
      return {
        id: Array.isArray(v[2]) ? String(v[2][0]) : `${uniqueid}/${stamp}`,
        queue,
        uniqueid,
        joinedAt,
        status: status(v[3]),
        answeredAt: time(v[5]),
        holdSeconds: num(v[6]),
        agent: nameAt(v[7]),
        endedAt: time(v[8]),
        talkSeconds: num(v[9]),
        endReason: str(v[10]),
      };
    }),
    firstJoinedAt: base / 1000,
    answeredAt: time(answeredAt),
    agent: nameAt(agent),
    abandonedAt: time(abandonedAt),
    transfers: transfers.map((t: unknown[], i): RecordedTransfer => {
      if (!Array.isArray(t)) throw new BadRecord('a transfer that is not a list');
      return { id: typeof t[0] === 'string' ? t[0] : `${linkedid}/t${i + 1}`, at: time(t[1])!, kind: String(t[2]), agent: nameAt(t[3]) };
    }),
    breached: (flags & 1) !== 0,
    overTransferLimit: (flags & 2) !== 0,
    outcome: status(outcome) as CallRecord['outcome'],
    endedAt: time(endedAt),
    aliases: Array.isArray(aliases) ? aliases.map(String) : [],
  };
  return { record, rules };
}
