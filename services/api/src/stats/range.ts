/**
 * Figures for a range of local days: per queue (and the total as their sum), one set of
 * counts per local day — the building block of the month, quarter and year reports. A day is
 * counted exactly as the weekly statistics count it (`weekly.ts`: entries by their join time,
 * customer calls and breaches by their first entry, on its queue), so a month is the sum of
 * its days and a run of whole weeks is the sum of those weeks.
 *
 * Besides the weekly figures each day carries the charter's bookkeeping of its breaches:
 * complaints and whether their deadlines were met, and the compensation ledger by kind.
 */
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Thresholds } from '@belofte/shared/figures';
import { localToUtc } from '@belofte/shared/time';
import { DEADLINE_STEPS, type DeadlineStep } from '../complaints/deadlines.ts';
import { COMPENSATIONS, type Compensation, type FollowUp } from '../schemas/breaches.ts';
import { summary } from '../breaches/register.ts';
import { dedupeRecords, firstQueue, isBreach, PeriodAcc } from './weekly.ts';

/** Local days from `dates[0]` to the last, with the instant each starts and the one after the last. */
export interface DayRange {
  dates: string[];
  /** dates.length + 1 instants: each day's local midnight, then the end of the range. */
  starts: number[];
}

/** The local days from `first` up to and including `last` (YYYY-MM-DD), in timeZone. */
export function dayRange(first: string, last: string, timeZone: string): DayRange {
  const dates: string[] = [];
  const starts: number[] = [];
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  for (let i = 0; ; i++) {
    const day = new Date(Date.UTC(y, m - 1, d + i));
    const date = day.toISOString().slice(0, 10);
    starts.push(localToUtc(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0, timeZone));
    if (date > last) break;
    dates.push(date);
  }
  return { dates, starts };
}

/** Which day of the range (0-based) an instant falls in, or -1 outside it. */
export function dayOf(range: DayRange, ms: number): number {
  const s = range.starts;
  if (ms < s[0]! || ms >= s[s.length - 1]!) return -1;
  let lo = 0;
  let hi = s.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s[mid]! <= ms) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The charter's bookkeeping of the breaches of one scope and stretch of time. */
export class CharterAcc {
  complaints = 0;
  readonly deadlines: Record<DeadlineStep, { met: number; missed: number; open: number }> = {
    callback: { met: 0, missed: 0, open: 0 },
    progressMessage: { met: 0, missed: 0, open: 0 },
    settled: { met: 0, missed: 0, open: 0 },
  };
  readonly compensations = Object.fromEntries(COMPENSATIONS.map((k) => [k, { count: 0, cents: 0 }])) as Record<Compensation, { count: number; cents: number }>;

  addFollowUp(f: FollowUp): void {
    if (f.complaintReceived) this.complaints++;
    if (f.complaint) {
      for (const step of DEADLINE_STEPS) {
        const d = f.complaint.deadlines[step];
        const c = this.deadlines[step];
        if (d.state === 'met') c.met++;
        else if (d.state === 'missed') c.missed++;
        else if (d.state !== 'notNeeded') c.open++;
      }
    }
    for (const e of f.compensation) {
      const c = this.compensations[e.kind];
      c.count++;
      c.cents += e.amount === null ? 0 : Math.round(e.amount * 100);
    }
  }

  add(o: CharterAcc): void {
    this.complaints += o.complaints;
    for (const step of DEADLINE_STEPS) for (const k of ['met', 'missed', 'open'] as const) this.deadlines[step][k] += o.deadlines[step][k];
    for (const kind of COMPENSATIONS) {
      this.compensations[kind].count += o.compensations[kind].count;
      this.compensations[kind].cents += o.compensations[kind].cents;
    }
  }
}

/** One scope's counts on one day. */
export class DayAcc {
  readonly figures = new PeriodAcc();
  readonly charter = new CharterAcc();

  add(o: DayAcc): void {
    this.figures.add(o.figures);
    this.charter.add(o.charter);
  }
}

export interface RangeInput {
  range: DayRange;
  thresholds: Thresholds;
  /** Only this queue; null or undefined for every queue. */
  queue?: string | null;
  /** Finished calls whose first entry may fall in the range (a margin before it is fine). */
  records: Iterable<CallRecord>;
  /** The breaches' follow-ups (deadlines placed on today). */
  followUps: Map<string, FollowUp>;
}

/** Per queue, one DayAcc per day of the range. Pure: records in, counts out. */
export function tallyRange(input: RangeInput, into = new Map<string, DayAcc[]>()): Map<string, DayAcc[]> {
  const { range, thresholds: th } = input;
  const queueFilter = input.queue ?? null;
  const days = (queue: string) => {
    let d = into.get(queue);
    if (!d) {
      d = range.dates.map(() => new DayAcc());
      into.set(queue, d);
    }
    return d;
  };
  if (queueFilter) days(queueFilter);
  for (const r of dedupeRecords([...input.records])) {
    for (const v of r.visits) {
      if (queueFilter && v.queue !== queueFilter) continue;
      const d = dayOf(range, v.joinedAt);
      if (d >= 0) days(v.queue)[d]!.figures.addVisit(v, th);
    }
    const q = firstQueue(r);
    if (q === null || (queueFilter && q !== queueFilter)) continue;
    const d = dayOf(range, r.firstJoinedAt);
    if (d < 0) continue;
    const acc = days(q)[d]!;
    const followUp = isBreach(r) ? input.followUps.get(r.linkedid) : undefined;
    acc.figures.addCall(r, followUp ? summary(followUp) : undefined);
    if (followUp) acc.charter.addFollowUp(followUp);
  }
  return into;
}



/** The sum of some days of a scope. */
export function sumDays(days: DayAcc[], from = 0, to = days.length): DayAcc {
  const out = new DayAcc();
  for (let i = from; i < to; i++) out.add(days[i]!);
  return out;
}
