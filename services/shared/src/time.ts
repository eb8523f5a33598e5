/**
 * Local-time arithmetic for the contact centre's time zone (Europe/Amsterdam by default).
 * "Today" and ISO weeks are local: a day can be 23 or 25 hours long around the
 * daylight-saving changes, so midnight is found through Intl, never by subtracting 24 h.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(ms: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of the zone from UTC at instant ms, in ms (e.g. +3600000 for CET). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of a local wall-clock time (the earlier one when it occurs twice). */
export function localToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  // Two passes settle the offset across a DST change.
  let t = guess - zoneOffsetMs(guess, timeZone);
  t = guess - zoneOffsetMs(t, timeZone);
  return t;
}

/** Start of the local day that contains ms. */
export function startOfLocalDay(ms: number, timeZone: string): number {
  const p = localParts(ms, timeZone);
  return localToUtc(p.year, p.month, p.day, 0, 0, timeZone);
}

/** Local calendar date (YYYY-MM-DD) of ms. */
export function localDate(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** ISO week (e.g. 2026-W47) of a local calendar date. */
export function isoWeekOf(year: number, month: number, day: number): { year: number; week: number } {
  const d = new Date(Date.UTC(year, month - 1, day));
  const dayNum = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - dayNum);
  const isoYear = d.getUTCFullYear();
  const yearStart = Date.UTC(isoYear, 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return { year: isoYear, week };
}

/** The local Monday (YYYY, MM, DD) that starts ISO week `week` of `isoYear`. */
export function mondayOfIsoWeek(isoYear: number, week: number): { year: number; month: number; day: number } {
  const jan4 = new Date(Date.UTC(isoYear, 0, 4));
  const jan4Day = jan4.getUTCDay() || 7;
  const monday = new Date(Date.UTC(isoYear, 0, 4 - jan4Day + 1 + (week - 1) * 7));
  return { year: monday.getUTCFullYear(), month: monday.getUTCMonth() + 1, day: monday.getUTCDate() };
}

/** Parses a rolling window such as `60m` or `8h` (1 minute to 24 hours) into ms; null if invalid. */
export function parseWindow(text: string): number | null {
  const m = /^(\d{1,4})([mh])$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const ms = n * (m[2] === 'h' ? 3_600_000 : 60_000);
  if (n < 1 || ms > 24 * 3_600_000) return null;
  return ms;
}

/** The window of live figures: since local midnight (`today`, `ms` null) or the last `ms`. */
export interface LiveWindow {
  /** As asked and served: `today`, or e.g. `60m`. */
  name: string;
  ms: number | null;
}

export const TODAY: LiveWindow = { name: 'today', ms: null };

/** The rolling window of the last `minutes` minutes. */
export function minutesWindow(minutes: number): LiveWindow {
  return { name: `${minutes}m`, ms: minutes * 60_000 };
}

/** A window parameter (`today`, empty or absent: since midnight; `<n>m` / `<n>h` up to 24 h), or null if invalid. */
export function liveWindow(text: string | undefined): LiveWindow | null {
  if (text === undefined || text === '' || text === 'today') return TODAY;
  const ms = parseWindow(text);
  return ms === null ? null : { name: text, ms };
}

/** An ISO week: `year` is the ISO week-numbering year (2027-01-01 is in 2026-W53). */
export interface IsoWeek {
  year: number;
  week: number;
}

/** 52 or 53: a year has a week 53 when its 28 December falls in it. */
export function isoWeeksInYear(isoYear: number): number {
  return isoWeekOf(isoYear, 12, 28).week;
}

/** Parses `2026-W47`; null when the text is malformed or the week does not exist that year. */
export function parseIsoWeek(text: string): IsoWeek | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > isoWeeksInYear(year)) return null;
  return { year, week };
}

export function formatIsoWeek(w: IsoWeek): string {
  return `${w.year}-W${String(w.week).padStart(2, '0')}`;
}

/** The ISO week `delta` weeks from `w` (negative for earlier weeks), across year ends. */
export function shiftIsoWeek(w: IsoWeek, delta: number): IsoWeek {
  const monday = mondayOfIsoWeek(w.year, w.week);
  const d = new Date(Date.UTC(monday.year, monday.month - 1, monday.day + 7 * delta));
  return isoWeekOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The ISO week that contains instant ms, as a local calendar in timeZone sees it. */
export function isoWeekOfInstant(ms: number, timeZone: string): IsoWeek {
  const p = localParts(ms, timeZone);
  return isoWeekOf(p.year, p.month, p.day);
}

export interface IsoWeekSpan {
  /** Local Monday 00:00 (UTC ms, inclusive). */
  from: number;
  /** Local Monday 00:00 of the next week (UTC ms, exclusive): 167, 168 or 169 hours later. */
  to: number;
  /** The seven local dates, Monday first (YYYY-MM-DD). */
  dates: string[];
  /** Start of each local day (UTC ms), Monday first, then the next Monday: 8 entries. */
  dayStarts: number[];
}

/** Where an ISO week starts and ends in timeZone, day by day (days of 23 or 25 hours included). */
export function isoWeekSpan(w: IsoWeek, timeZone: string): IsoWeekSpan {
  const monday = mondayOfIsoWeek(w.year, w.week);
  const dates: string[] = [];
  const dayStarts: number[] = [];
  for (let i = 0; i <= 7; i++) {
    const d = new Date(Date.UTC(monday.year, monday.month - 1, monday.day + i));
    const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    dayStarts.push(localToUtc(y, m, day, 0, 0, timeZone));
    if (i < 7) dates.push(`${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return { from: dayStarts[0]!, to: dayStarts[7]!, dates, dayStarts };
}

/** Parses a local calendar date `YYYY-MM-DD` that exists; null otherwise. */
export function parseLocalDate(text: string): { year: number; month: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day };
}

/** Start of the local day after the given date (for inclusive "to" dates). */
export function startOfNextLocalDay(date: { year: number; month: number; day: number }, timeZone: string): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return localToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone);
}
