/**
 * A week of a municipal contact centre, as a calendar the demo traffic follows: opening hours
 * (Monday to Friday 08:30–17:00 local, closed evenings and weekends), calls per hour by weekday
 * and hour (a busy Monday morning, a lunch dip, a quiet Friday afternoon), who works in which
 * queue, and the trouble of a bad Tuesday (two agents off sick, one in training, a phone down,
 * long conversations and a wave of calls after a letter about the municipal tax).
 *
 * Only data and calendar arithmetic: DemoTraffic does the logging in, the breaks and the calls.
 * Times are local wall-clock times turned into instants day by day, so a week with a
 * daylight-saving change opens at 08:30 on every day all the same.
 */
import { formatIsoWeek, isoWeekOfInstant, isoWeekSpan, localParts, localToUtc, parseIsoWeek, shiftIsoWeek } from '@belofte/shared/time';
import type { Rng } from './rng.ts';

/** Trouble on one weekday; every time is local `HH:MM`. */
export interface DayTrouble {
  /** What went wrong, for the README and the logs. */
  description: string;
  /** Agents who do not come in (off sick). */
  absent?: string[];
  /** Agents who log in late (a training in the morning). */
  lateUntil?: Record<string, string>;
  /** Conversations take this many times longer (every question is a hard one). */
  talkFactor?: number;
  /** Extra callers into one queue within `minutes` (a letter just landed on every doormat). */
  waves?: Array<{ at: string; queue: string; calls: number; minutes: number }>;
  /** A phone off the network (device Status 5) for a while. */
  phoneDown?: Array<{ agent: string; from: string; to: string }>;
}

export interface WeekProfile {
  /** The contact centre's time zone: opening hours and days are local. */
  timeZone: string;
  /** Opening hours of Monday to Friday, local `HH:MM`; Saturday and Sunday are closed. */
  opens: string;
  closes: string;
  /**
   * Customer calls per hour, one row per weekday (Monday first; missing rows: closed), column
   * `i` the local hour `fromHour + i`. Only the open part of an hour rings (08:30–09:00 of 08).
   */
  callsPerHour: { fromHour: number; weekdays: number[][] };
  /** Who works in which queue: dynamic members who log in each morning and out each evening. */
  roster: Record<string, string[]>;
  /** Trouble by weekday (0 = Monday). */
  trouble: Partial<Record<number, DayTrouble>>;
  /** Share of calls passed around: transferred three times (over the limit of two). */
  transferChainShare: number;
  /** Talk time factor on every day (before trouble's). */
  talkFactor: number;
}

/** Nine agents in the demo's two queues; agent1–5 sit where the live demo has them. */
export const WEEK_QUEUES: Record<string, string[]> = {
  support: ['agent1', 'agent2', 'agent3', 'agent6', 'agent7', 'agent8'],
  vergunningen: ['agent4', 'agent5', 'agent9'],
};

export const WEEK_PROFILE: WeekProfile = {
  timeZone: 'Europe/Amsterdam',
  opens: '08:30',
  closes: '17:00',
  callsPerHour: {
    fromHour: 8,
    weekdays: [
      //08  09   10   11  12  13  14  15  16
      [120, 130, 115, 90, 42, 62, 55, 50, 35], // Monday: the weekend's questions, all at once
      [95, 100, 95, 80, 38, 58, 52, 45, 32], // Tuesday (plus its waves)
      [80, 85, 80, 70, 33, 52, 48, 42, 30], // Wednesday
      [80, 85, 78, 70, 33, 52, 50, 45, 32], // Thursday
      [75, 80, 72, 60, 28, 40, 32, 25, 18], // Friday: quiet after lunch
    ],
  },
  roster: WEEK_QUEUES,
  trouble: {
    1: {
      description:
        'a bad Tuesday: agent6 and agent7 off sick, agent9 in training until 11:00, agent2\'s phone down 10:20–11:05, ' +
        'long conversations (the permit portal is down) and a wave of callers after the municipal tax letter',
      absent: ['agent6', 'agent7'],
      lateUntil: { agent9: '11:00' },
      talkFactor: 1.5,
      waves: [
        { at: '09:40', queue: 'support', calls: 45, minutes: 12 },
        { at: '10:35', queue: 'support', calls: 20, minutes: 10 },
        { at: '14:10', queue: 'vergunningen', calls: 16, minutes: 10 },
      ],
      phoneDown: [{ agent: 'agent2', from: '10:20', to: '11:05' }],
    },
    3: { description: 'agent8\'s headset fails after lunch for a quarter of an hour', phoneDown: [{ agent: 'agent8', from: '14:05', to: '14:20' }] },
  },
  transferChainShare: 0.003,
  talkFactor: 1,
};

/** One day of the played week, its local times resolved to instants. */
export interface WorkDay {
  /** 0 = Monday. */
  index: number;
  /** Local date YYYY-MM-DD. */
  date: string;
  /** Local midnight that starts the day (epoch ms). */
  start: number;
  /** Opening and closing (epoch ms); null on a closed day. */
  open: number | null;
  close: number | null;
  trouble: DayTrouble | null;
  /** The instant of a local `HH:MM` on this day. */
  at(hhmm: string): number;
}

function hhmm(text: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!m) throw new Error(`week profile: a time must be HH:MM, got ${JSON.stringify(text)}`);
  return [Number(m[1]), Number(m[2])];
}

/** Epoch ms of the local Monday 00:00 that starts ISO week `text` ('2026-W47'). */
export function weekStartOf(text: string, timeZone: string): number {
  const w = parseIsoWeek(text);
  if (!w) throw new Error(`week must be an ISO week such as 2026-W47, got ${JSON.stringify(text)}`);
  return isoWeekSpan(w, timeZone).from;
}

/** The ISO week before the one that holds `now` ('2026-W47'): its weekly report is complete. */
export function previousIsoWeek(now: number, timeZone: string): string {
  return formatIsoWeek(shiftIsoWeek(isoWeekOfInstant(now, timeZone), -1));
}

/** The ISO week that starts at `weekStart` ('2026-W47'). */
export function isoWeekAt(weekStart: number, timeZone: string): string {
  return formatIsoWeek(isoWeekOfInstant(weekStart, timeZone));
}

interface Segment {
  from: number;
  to: number;
  /** Arrivals per millisecond. */
  rate: number;
}

/** The profile laid over one concrete week: which instants are open, and how busy. */
export class WeekCalendar {
  readonly days: WorkDay[];
  /** Local Monday 00:00 (epoch ms). */
  readonly start: number;
  /** The last instant played: 23:59:59.999 of the last day. */
  readonly end: number;
  readonly week: string;
  private readonly segments: Segment[] = [];

  /** `weekStart`: epoch ms of a local Monday 00:00; `dayCount`: play Monday and the next dayCount−1 days. */
  constructor(
    weekStart: number,
    readonly profile: WeekProfile = WEEK_PROFILE,
    dayCount = 7,
  ) {
    const tz = profile.timeZone;
    const p = localParts(weekStart, tz);
    const monday = new Date(Date.UTC(p.year, p.month - 1, p.day));
    if (p.hour !== 0 || p.minute !== 0 || p.second !== 0 || monday.getUTCDay() !== 1 || weekStart % 1000 !== 0) {
      throw new Error(`weekStart must be a Monday 00:00 in ${tz}, got ${new Date(weekStart).toISOString()}`);
    }
    if (!Number.isInteger(dayCount) || dayCount < 1 || dayCount > 7) throw new Error(`days must be 1 to 7, got ${dayCount}`);
    this.start = weekStart;
    this.week = isoWeekAt(weekStart, tz);
    const [oh, om] = hhmm(profile.opens);
    const [ch, cm] = hhmm(profile.closes);
    if (ch * 60 + cm <= oh * 60 + om) throw new Error(`week profile: closes (${profile.closes}) must be after opens (${profile.opens})`);
    const starts: number[] = [];
    const dates: Array<[number, number, number]> = [];
    for (let i = 0; i <= dayCount; i++) {
      const d = new Date(Date.UTC(p.year, p.month - 1, p.day + i));
      dates.push([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
      starts.push(localToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, tz));
    }
    this.end = starts[dayCount]! - 1;
    this.days = [];
    for (let i = 0; i < dayCount; i++) {
      const [y, m, d] = dates[i]!;
      const at = (t: string) => {
        const [h, mi] = hhmm(t);
        return localToUtc(y, m, d, h, mi, tz);
      };
      const rates = profile.callsPerHour.weekdays[i];
      const openDay = i < 5 && rates !== undefined;
      const day: WorkDay = {
        index: i,
        date: `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
        start: starts[i]!,
        open: openDay ? at(profile.opens) : null,
        close: openDay ? at(profile.closes) : null,
        trouble: profile.trouble[i] ?? null,
        at,
      };
      this.days.push(day);
      if (!openDay) continue;
      // One segment per local hour, clipped to the opening hours. The last second before closing
      // rings no more: the dialplan answers and queues a caller half a second after the ring.
      rates.forEach((perHour, k) => {
        const hour = profile.callsPerHour.fromHour + k;
        if (hour > 23 || !(perHour > 0)) return;
        const from = Math.max(day.open!, localToUtc(y, m, d, hour, 0, tz));
        const to = Math.min(day.close! - 1000, hour === 23 ? starts[i + 1]! : localToUtc(y, m, d, hour + 1, 0, tz));
        if (to > from) this.segments.push({ from, to, rate: perHour / 3_600_000 });
      });
    }
    this.segments.sort((a, b) => a.from - b.from);
  }

  /** The day that holds `ms`, or null outside the played days. */
  dayAt(ms: number): WorkDay | null {
    for (let i = this.days.length - 1; i >= 0; i--) if (ms >= this.days[i]!.start) return ms <= this.end ? this.days[i]! : null;
    return null;
  }

  /** True during opening hours (callers ring only then). */
  isOpen(ms: number): boolean {
    const d = this.dayAt(ms);
    return !!d && d.open !== null && ms >= d.open && ms < d.close!;
  }

  /** Calls per hour at `ms` (0 when closed), waves not included. */
  callsPerHour(ms: number): number {
    const s = this.segments.find((x) => ms >= x.from && ms < x.to);
    return s ? s.rate * 3_600_000 : 0;
  }

  /** How much longer conversations take at `ms`. */
  talkFactor(ms: number): number {
    return this.profile.talkFactor * (this.dayAt(ms)?.trouble?.talkFactor ?? 1);
  }

  /** Calls the hourly rates make in the whole played week, on average (waves not included). */
  expectedCalls(): number {
    return this.segments.reduce((n, s) => n + s.rate * (s.to - s.from), 0);
  }

  /**
   * The next customer's arrival after `fromMs`, or null when the played days hold no more:
   * a Poisson process whose rate follows the hourly table (one exponential draw, spent across
   * the segments in order, so a closed night simply has no rate to spend it on).
   */
  nextArrival(fromMs: number, rng: Rng): number | null {
    let need = rng.exp(1);
    for (const s of this.segments) {
      if (s.to <= fromMs) continue;
      const from = Math.max(s.from, fromMs);
      const mass = s.rate * (s.to - from);
      if (need <= mass) return from + need / s.rate;
      need -= mass;
    }
    return null;
  }
}
