/**
 * The charter's month, quarter and year report: every month counted day by day by
 * `range.ts` (as the weekly statistics count), months summed into the period, queues summed
 * into the total, and the same months a year earlier beside them.
 *
 * The API reads the rollups (per day, queue × hour sums kept at write time) and the breach
 * index with the breaches' follow-ups: a year costs O(days × queues + breaches), never
 * O(calls). The same report from every call record (`recordsPeriodSource`, a month of records
 * at a time, each month counted over its own days only) is the reference the tests hold it to.
 */
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Thresholds } from '@belofte/shared/figures';
import { serviceLevelDenominator } from '@belofte/shared/catalogue';
import { SUB } from '@belofte/shared/rollup';
import { summary } from '../breaches/register.ts';
import type { FollowUp } from '../schemas/breaches.ts';
import type { CharterFigures, PeriodScope, PeriodSeries } from '../schemas/period.ts';
import { dayOf, dayRange, DayAcc, sumDays, tallyRange, type DayRange } from './range.ts';
import type { BreachEntry, RollupReader } from './rollups.ts';
import { formatMonth, monthDates, type Period, type YearMonth } from './periods.ts';
import { isBreach } from './weekly.ts';

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const euros = (cents: number) => Math.round(cents) / 100;

export function charterFigures(acc: DayAcc): CharterFigures {
  const f = acc.figures.figures();
  const c = acc.charter;
  const den = serviceLevelDenominator(f);
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

/**
 * Where the report reads from: per queue, one DayAcc per day of a range. Two sources count the
 * same: the rollups (what the API serves; cost O(days × queues + breaches)) and every call
 * record (the reference, as the weekly statistics' oracle).
 */
export interface PeriodSource {
  timeZone: string;
  days(range: DayRange, queue: string | null): Promise<Map<string, DayAcc[]>>;
}

/** From every call record: the reference. */
export function recordsPeriodSource(o: {
  timeZone: string;
  thresholds: Thresholds;
  /** Finished calls whose first entry is in [from − margin, to). */
  records(from: number, to: number): Promise<CallRecord[]>;
  followUps(ids: string[]): Promise<Map<string, FollowUp>>;
}): PeriodSource {
  return {
    timeZone: o.timeZone,
    async days(range, queue) {
      const records = await o.records(range.starts[0]!, range.starts.at(-1)!);
      const followUps = await o.followUps(records.filter(isBreach).map((r) => r.linkedid));
      return tallyRange({ range, thresholds: o.thresholds, queue, records, followUps });
    },
  };
}

/** From the rollups (queue × hour sums per day) and the breach index with the follow-ups. */
export function rollupPeriodSource(o: {
  timeZone: string;
  rollups: RollupReader;
  /** The breaches booked in [from, to) that may have a follow-up (FollowedUpBreaches). */
  followedUp(from: number, to: number, timeZone: string): Promise<BreachEntry[]>;
  followUps(ids: string[]): Promise<Map<string, FollowUp>>;
}): PeriodSource {
  return {
    timeZone: o.timeZone,
    async days(range, queue) {
      const out = new Map<string, DayAcc[]>();
      const days = (q: string) => {
        let d = out.get(q);
        if (!d) out.set(q, (d = range.dates.map(() => new DayAcc())));
        return d;
      };
      if (queue) days(queue);
      const [queueDays, breaches] = await Promise.all([o.rollups.queueDays(range.dates), o.followedUp(range.starts[0]!, range.starts.at(-1)!, o.timeZone)]);
      queueDays.forEach((fields, day) => {
        for (const [field, v] of fields) {
          // A bucket whose calls were all taken back out (merged into another) holds only zeros.
          if (v.offered === 0 && v.calls === 0) continue;
          const [q = ''] = field.split(SUB);
          if (queue && q !== queue) continue;
          days(q)[day]!.figures.addRollup(v);
        }
      });
      const booked = breaches.filter((b) => !queue || b.firstQueue === queue);
      const followUps = await o.followUps(booked.map((b) => b.id));
      for (const b of booked) {
        const day = dayOf(range, b.at);
        const f = followUps.get(b.id);
        if (day < 0 || !f) continue;
        const acc = days(b.firstQueue)[day]!;
        acc.figures.addFollowUp(summary(f));
        acc.charter.addFollowUp(f);
      }
      return out;
    },
  };
}

/** One month, per queue, as one DayAcc. */
async function month(src: PeriodSource, ym: YearMonth, queue: string | null): Promise<{ range: DayRange; queues: Map<string, DayAcc> }> {
  const { first, last } = monthDates(ym);
  const range = dayRange(first, last, src.timeZone);
  const days = await src.days(range, queue);
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
  const queues: Record<string, PeriodScope> = Object.create(null); // queue names are data
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
