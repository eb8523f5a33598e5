import { describe, expect, it } from 'vitest';
import {
  formatIsoWeek,
  isoWeekOf,
  isoWeekOfInstant,
  isoWeeksInYear,
  isoWeekSpan,
  localDate,
  mondayOfIsoWeek,
  parseIsoWeek,
  parseLocalDate,
  parseWindow,
  shiftIsoWeek,
  startOfLocalDay,
  startOfNextLocalDay,
} from './time.ts';

const TZ = 'Europe/Amsterdam';

describe('local time', () => {
  it('finds local midnight in winter (UTC+1) and summer (UTC+2)', () => {
    expect(new Date(startOfLocalDay(Date.parse('2026-11-24T12:00:00Z'), TZ)).toISOString()).toBe('2026-11-23T23:00:00.000Z');
    expect(new Date(startOfLocalDay(Date.parse('2026-07-01T12:00:00Z'), TZ)).toISOString()).toBe('2026-06-30T22:00:00.000Z');
  });
  it('handles the days of the daylight-saving changes (23 and 25 hours)', () => {
    const spring = startOfLocalDay(Date.parse('2026-03-29T12:00:00Z'), TZ);
    const next = startOfLocalDay(Date.parse('2026-03-30T12:00:00Z'), TZ);
    expect((next - spring) / 3_600_000).toBe(23);
    const autumn = startOfLocalDay(Date.parse('2026-10-25T12:00:00Z'), TZ);
    const after = startOfLocalDay(Date.parse('2026-10-26T12:00:00Z'), TZ);
    expect((after - autumn) / 3_600_000).toBe(25);
  });
  it('names the local date, not the UTC date', () => {
    expect(localDate(Date.parse('2026-11-24T23:30:00Z'), TZ)).toBe('2026-11-25');
  });
  it('computes ISO weeks, including a year boundary', () => {
    expect(isoWeekOf(2026, 11, 25)).toEqual({ year: 2026, week: 48 });
    expect(isoWeekOf(2027, 1, 1)).toEqual({ year: 2026, week: 53 });
    expect(mondayOfIsoWeek(2026, 47)).toEqual({ year: 2026, month: 11, day: 16 });
    expect(mondayOfIsoWeek(2026, 1)).toEqual({ year: 2025, month: 12, day: 29 });
  });
  it('parses rolling windows and rejects bad ones', () => {
    expect(parseWindow('60m')).toBe(3_600_000);
    expect(parseWindow('24h')).toBe(86_400_000);
    for (const bad of ['0m', '25h', '1441m', 'abc', '60', '-5m', '1.5h']) expect(parseWindow(bad)).toBeNull();
  });
});

describe('ISO weeks in local time', () => {
  it('parses and formats week names, refusing weeks that do not exist', () => {
    expect(parseIsoWeek('2026-W47')).toEqual({ year: 2026, week: 47 });
    expect(parseIsoWeek('2026-W53')).toEqual({ year: 2026, week: 53 });
    expect(isoWeeksInYear(2026)).toBe(53);
    expect(isoWeeksInYear(2025)).toBe(52);
    for (const bad of ['2025-W53', '2026-W00', '2026-W54', '2026W47', '2026-W7', '26-W47', '2026-w47', '']) expect(parseIsoWeek(bad)).toBeNull();
    expect(formatIsoWeek({ year: 2027, week: 1 })).toBe('2027-W01');
  });
  it('steps across year ends', () => {
    expect(shiftIsoWeek({ year: 2027, week: 1 }, -1)).toEqual({ year: 2026, week: 53 });
    expect(shiftIsoWeek({ year: 2026, week: 53 }, 1)).toEqual({ year: 2027, week: 1 });
    expect(shiftIsoWeek({ year: 2026, week: 47 }, -1)).toEqual({ year: 2026, week: 46 });
  });
  it('finds the week of an instant by the local calendar', () => {
    // Sunday 23:30 local on 22 November is still W47; 23:30 UTC that Sunday is Monday 00:30 local.
    expect(isoWeekOfInstant(Date.parse('2026-11-22T22:30:00Z'), TZ)).toEqual({ year: 2026, week: 47 });
    expect(isoWeekOfInstant(Date.parse('2026-11-22T23:30:00Z'), TZ)).toEqual({ year: 2026, week: 48 });
  });
  it('spans a normal week in 168 hours from local Monday midnight', () => {
    const s = isoWeekSpan({ year: 2026, week: 47 }, TZ);
    expect(new Date(s.from).toISOString()).toBe('2026-11-15T23:00:00.000Z');
    expect((s.to - s.from) / 3_600_000).toBe(168);
    expect(s.dates).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
  });
  it('spans the daylight-saving weeks in 167 and 169 hours', () => {
    const spring = isoWeekSpan({ year: 2026, week: 13 }, TZ);
    expect((spring.to - spring.from) / 3_600_000).toBe(167);
    expect((spring.dayStarts[7]! - spring.dayStarts[6]!) / 3_600_000).toBe(23);
    const autumn = isoWeekSpan({ year: 2026, week: 43 }, TZ);
    expect(autumn.dates[6]).toBe('2026-10-25');
    expect((autumn.to - autumn.from) / 3_600_000).toBe(169);
    expect((autumn.dayStarts[7]! - autumn.dayStarts[6]!) / 3_600_000).toBe(25);
  });
  it('parses local dates and finds the end of an inclusive day', () => {
    expect(parseLocalDate('2026-02-29')).toBeNull();
    expect(parseLocalDate('2026-13-01')).toBeNull();
    const d = parseLocalDate('2026-03-29')!;
    expect(new Date(startOfNextLocalDay(d, TZ)).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});
