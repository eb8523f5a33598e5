/**
 * Working days for the charter's complaint deadlines ("binnen 5 werkdagen"): Monday to Friday,
 * less the Dutch public holidays. The holidays come from `date-holidays` (its Dutch calendar:
 * New Year, Easter Sunday and Monday, King's Day — moved to Saturday 26 April when 27 April is
 * a Sunday —, Ascension, Whit Sunday and Monday, Christmas and Boxing Day), not from a hand
 * list. Only its `public` days count: Good Friday and Liberation Day are days off in some
 * collective agreements only (`school` in date-holidays), so they stay working days.
 *
 * Dates here are local calendar dates, `YYYY-MM-DD`, as the municipality's calendar reads them;
 * which date an instant is on is decided in BELOFTE_TIMEZONE by the caller (`localDate`).
 */
import Holidays from 'date-holidays';

const calendar = new Holidays('NL');
const byYear = new Map<number, Map<string, string>>();

/** The public holidays of a year: date → name (Dutch, as date-holidays names them). */
export function publicHolidays(year: number): Map<string, string> {
  let days = byYear.get(year);
  if (!days) {
    days = new Map();
    for (const h of calendar.getHolidays(year)) if (h.type === 'public') days.set(h.date.slice(0, 10), h.name);
    byYear.set(year, days);
  }
  return days;
}

const parts = (date: string): [number, number, number] => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
};

/** The calendar date `days` days after `date` (negative: before). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The public holiday on that date, or null. */
export function holidayOn(date: string): string | null {
  return publicHolidays(parts(date)[0]).get(date) ?? null;
}

export function isWorkingDay(date: string): boolean {
  const [y, m, d] = parts(date);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && holidayOn(date) === null;
}

/**
 * The n-th working day after `date` (the date itself never counts, whether or not it is a
 * working day): a complaint received on Thursday 2 April 2026 is due on Friday 10 April, since
 * Easter Monday does not count.
 */
export function addWorkingDays(date: string, n: number): string {
  let d = date;
  for (let left = n; left > 0; ) {
    d = addDays(d, 1);
    if (isWorkingDay(d)) left--;
  }
  return d;
}

/** The first working day after `date`. */
export const nextWorkingDay = (date: string): string => addWorkingDays(date, 1);
