/**
 * The callback list, pure: the day's call records in, the callers to call back out.
 *
 * An entry is a customer call (one Linkedid) whose last queue visit ended without anyone
 * answering — the caller hung up while waiting (abandoned) or was sent out of the queue (timed
 * out, exit key, empty queue) — on that local day. That includes a caller who was helped, then
 * transferred, and gave up waiting in the second queue: they still wait for an answer. It is "called again" when the same number (digits
 * only, so +31 58 233 8899 and 0582338899 differ but formatting does not) was answered in a
 * later call that day; that needs nobody to mark it. What supervisors record comes in beside.
 */
import type { CallRecord } from '@belofte/shared/callRecord';
import { maskCaller } from '../breaches/register.ts';
import { isBreach, visitWaitSeconds } from '../stats/weekly.ts';
import type { Callback, CallbackEntry, CallbackList } from '../schemas/callbacks.ts';

export const NO_CALLBACK: Callback = { calledBack: false, reached: null, calledBackAt: null, calledBackBy: null, note: '', version: 0, updatedAt: null, updatedBy: null };

const digits = (n: string | null | undefined) => (n ?? '').replace(/\D/g, '');

/** When the caller left the last queue unanswered, or null when that is not how the call ended. */
export function leftAt(r: CallRecord): number | null {
  const last = r.visits.at(-1);
  if (!last || last.endedAt === null || last.answeredAt !== null) return null;
  return last.status === 'abandoned' || last.status === 'shortAbandoned' || last.status === 'timedOut' ? last.endedAt : null;
}

export function isCallbackEntry(r: CallRecord): boolean {
  return leftAt(r) !== null;
}

export interface BuildOptions {
  /** The day: [from, to). */
  from: number;
  to: number;
  /** Show numbers in full (supervisors, managers) or masked (the wallboard). */
  fullNumbers: boolean;
  callbacks: Map<string, Callback>;
}

/** One entry; `answered` are the day's answered calls (finished or in progress) to find a later call by number. */
export function entryOf(r: CallRecord, callback: Callback, answered: CallRecord[], o: Pick<BuildOptions, 'fullNumbers' | 'to'>): CallbackEntry {
  const left = leftAt(r)!;
  const number = digits(r.callerIdNum);
  const again = number
    ? answered
        .filter((a) => a.linkedid !== r.linkedid && a.answeredAt !== null && a.answeredAt > left && a.answeredAt < o.to && digits(a.callerIdNum) === number)
        .sort((a, b) => a.answeredAt! - b.answeredAt!)[0]
    : undefined;
  const queues: string[] = [];
  for (const v of r.visits) if (queues.at(-1) !== v.queue) queues.push(v.queue);
  const calledBackAt = callback.calledBack && callback.calledBackAt ? Date.parse(callback.calledBackAt) : null;
  return {
    id: r.linkedid,
    leftAt: new Date(left).toISOString(),
    joinedAt: new Date(r.firstJoinedAt).toISOString(),
    queue: r.visits.at(-1)?.queue ?? '',
    queues,
    outcome: r.visits.at(-1)!.status === 'timedOut' ? 'timedOut' : 'abandoned',
    waitSeconds: r.visits.reduce((sum, v) => sum + (visitWaitSeconds(v) ?? 0), 0),
    caller: number ? (o.fullNumbers ? r.callerIdNum.trim() : maskCaller(r.callerIdNum)) : null,
    breach: isBreach(r) ? `/api/breaches/${encodeURIComponent(r.linkedid)}` : null,
    calledAgain: again ? { id: again.linkedid, at: new Date(again.answeredAt!).toISOString() } : null,
    callback,
    minutesToCallback: calledBackAt === null ? null : Math.max(0, Math.round((calledBackAt - left) / 60_000)),
    state: callback.calledBack ? 'calledBack' : again ? 'calledAgain' : 'open',
  };
}

/** The day's entries, oldest first, and the day's summary. */
export function buildList(records: CallRecord[], inProgress: CallRecord[], o: BuildOptions): { entries: CallbackEntry[]; summary: CallbackList['summary'] } {
  const answered = [...records, ...inProgress].filter((r) => r.answeredAt !== null);
  const entries = records
    .filter((r) => {
      const left = leftAt(r);
      return left !== null && left >= o.from && left < o.to;
    })
    .map((r) => entryOf(r, o.callbacks.get(r.linkedid) ?? NO_CALLBACK, answered, o))
    .sort((a, b) => a.leftAt.localeCompare(b.leftAt) || a.id.localeCompare(b.id));
  const calledBack = entries.filter((e) => e.state === 'calledBack');
  const withinDay = calledBack.filter((e) => Date.parse(e.callback.calledBackAt!) < o.to);
  const again = entries.filter((e) => e.state === 'calledAgain').length;
  const minutes = calledBack.map((e) => e.minutesToCallback!).sort((a, b) => a - b);
  const n = entries.length;
  const median = minutes.length === 0 ? null : minutes.length % 2 ? minutes[(minutes.length - 1) / 2]! : (minutes[minutes.length / 2 - 1]! + minutes[minutes.length / 2]!) / 2;
  return {
    entries,
    summary: {
      callers: n,
      calledBack: calledBack.length,
      calledBackWithinDay: withinDay.length,
      calledAgain: again,
      open: n - calledBack.length - again,
      shareCalledBackWithinDay: n ? withinDay.length / n : null,
      shareHandled: n ? (calledBack.length + again) / n : null,
      medianMinutesToCallback: median,
    },
  };
}
