import { describe, expect, it } from 'vitest';
import { isoWeekOf, localDate, mondayOfIsoWeek, parseWindow, startOfLocalDay } from './time.ts';

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
