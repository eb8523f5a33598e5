/**
 * The charter's month, quarter and year report: every month counted day by day by
 * `range.ts` (as the weekly statistics count), months summed into the period, queues summed
 * into the total, and the same months a year earlier beside them.
 *
 * Records are read a month at a time (with the usual margin for calls begun the day before),
 * and each month is counted over its own days only, so a call is never counted twice and a
 * year of records is never held in memory at once.
 */
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Thresholds } from '@belofte/shared/figures';
import type { FollowUp } from '../schemas/breaches.ts';
import type { CharterFigures, PeriodScope, PeriodSeries } from '../schemas/period.ts';
import { dayRange, DayAcc, sumDays, tallyRange } from './range.ts';
import { formatMonth, monthDates, type Period, type YearMonth } from './periods.ts';
import { isBreach } from './weekly.ts';

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const euros = (cents: number) => Math.round(cents) / 100;

export function charterFigures(acc: DayAcc): CharterFigures {
  const f = acc.figures.figures();
  const c = acc.charter;
  const den = f.answered + f.abandoned + f.timedOut;
  const comp = c.compensations;
  return {
    ...f,
    guaranteeKeptShare: den === 0 ? null : round4(f.answeredWithinGuarantee / den),
    withinTransferLimitShare: f.calls === 0 ? null : round4((f.calls - f.overTransferLimit) / f.calls),
    complaints: c.complaints,
    callbackMet: c.deadlines.callback.met,
    callbackMissed: c.deadlines.callback.missed,
    callbackOpen: c.deadlines.callback.open,
    progressMessageMet: c.deadlines.progressMessage.met,
    progressMessageMissed: c.deadlines.progressMessage.missed,
    progressMessageOpen: c.deadlines.progressMessage.open,
    settledMet: c.deadlines.settled.met,
    settledMissed: c.deadlines.settled.missed,
    settledOpen: c.deadlines.settled.open,
    compensationApology: comp.apology.count,
    compensationCoffee: comp.coffee.count,
    compensationParking: comp.parking.count,
    compensationTravel: comp.travel.count,
    compensationOther: comp.other.count,
    compensationParkingAmount: euros(comp.parking.cents),
    compensationTravelAmount: euros(comp.travel.cents),
    compensationOtherAmount: euros(comp.other.cents),
    compensationAmount: euros(Object.values(comp).reduce((sum, k) => sum + k.cents, 0)),
  };
}

/** Where the report reads from: the records of a stretch of time and their breaches' follow-ups. */
export interface PeriodSource {
  timeZone: string;
  thresholds: Thresholds;
  /** Finished calls whose first entry is in [from − margin, to). */
  records(from: number, to: number): Promise<CallRecord[]>;
  followUps(ids: string[]): Promise<Map<string, FollowUp>>;
}

/** One month, per queue, as one DayAcc. */
async function month(src: PeriodSource, ym: YearMonth, queue: string | null): Promise<{ range: ReturnType<typeof dayRange>; queues: Map<string, DayAcc> }> {
  const { first, last } = monthDates(ym);
  const range = dayRange(first, last, src.timeZone);
  const records = await src.records(range.starts[0]!, range.starts.at(-1)!);
  const followUps = await src.followUps(records.filter(isBreach).map((r) => r.linkedid));
  const days = tallyRange({ range, thresholds: src.thresholds, queue, records, followUps });
  return { range, queues: new Map([...days].map(([q, d]) => [q, sumDays(d)])) };
}

const boundText = (p: Period, ym: YearMonth) => (p.kind === 'month' ? formatMonth(ym) : p.kind === 'quarter' ? `${ym.year}-Q${Math.ceil(ym.month / 3)}` : String(ym.year));

/** The figures of a period's months, per queue and in total. */
export async function periodSeries(src: PeriodSource, p: Period, queue: string | null): Promise<PeriodSeries> {
  const months: Array<Awaited<ReturnType<typeof month>>> = [];
  for (const ym of p.months) months.push(await month(src, ym, queue));
  const names = new Set<string>();
  for (const m of months) for (const q of m.queues.keys()) names.add(q);
  const scope = (accOf: (i: number) => DayAcc): PeriodScope => {
    const list = months.map((_, i) => accOf(i));
    return { period: charterFigures(sumDays(list)), months: list.map((a, i) => ({ ...charterFigures(a), month: formatMonth(p.months[i]!) })) };
  };
  const queues: Record<string, PeriodScope> = {};
  for (const q of [...names].sort((a, b) => a.localeCompare(b))) queues[q] = scope((i) => months[i]!.queues.get(q) ?? new DayAcc());
  const total = scope((i) => sumDays([...months[i]!.queues.values()]));
  return {
    from: boundText(p, p.months[0]!),
    to: boundText(p, p.months.at(-1)!),
    months: p.months.map(formatMonth),
    start: new Date(months[0]!.range.starts[0]!).toISOString(),
    end: new Date(months.at(-1)!.range.starts.at(-1)!).toISOString(),
    total,
    queues,
  };
}
