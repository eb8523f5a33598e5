import { describe, expect, it } from 'vitest';
import { clockTime, count, DASH, duration, esc, mmss, percent, percentHtml, timeOfDay } from './format.ts';

describe('mmss', () => {
  it('formats whole seconds as m:ss', () => {
    expect(mmss(0)).toBe('0:00');
    expect(mmss(7)).toBe('0:07');
    expect(mmss(59.9)).toBe('0:59');
    expect(mmss(239)).toBe('3:59');
    expect(mmss(240)).toBe('4:00');
    expect(mmss(300)).toBe('5:00');
    expect(mmss(3660)).toBe('61:00');
  });
  it('treats negative and non-finite as zero', () => {
    expect(mmss(-5)).toBe('0:00');
    expect(mmss(Number.NaN)).toBe('0:00');
  });
});

describe('duration', () => {
  it('switches to h:mm:ss from an hour', () => {
    expect(duration(59)).toBe('0:59');
    expect(duration(3599)).toBe('59:59');
    expect(duration(3600)).toBe('1:00:00');
    expect(duration(3600 * 2 + 65)).toBe('2:01:05');
  });
});

describe('percent', () => {
  it('shows one decimal in the locale', () => {
    expect(percent(0.824, 'en')).toBe('82.4%');
    expect(percent(0.824, 'nl')).toBe('82,4%');
    expect(percent(1, 'en')).toBe('100.0%');
    expect(percent(0, 'nl')).toBe('0,0%');
  });
  it('shows a dash for null', () => {
    expect(percent(null, 'en')).toBe(DASH);
    expect(percent(undefined, 'nl')).toBe(DASH);
    expect(percent(Number.NaN, 'nl')).toBe(DASH);
  });
  it('never rounds a figure below target up to the target', () => {
    expect(percent(0.7996, 'en', 1, 0.8)).toBe('79.9%');
    expect(percent(0.7996, 'en')).toBe('80.0%');
    expect(percent(2 / 3, 'nl')).toBe('66,7%');
    expect(percent(1 / 3, 'nl')).toBe('33,3%');
    expect(percent(0.6665, 'en')).toBe('66.7%');
    expect(percent(0.8, 'en')).toBe('80.0%');
    expect(percent(8 / 10, 'nl')).toBe('80,0%');
    expect(percent(0.7 + 0.1, 'en')).toBe('80.0%'); // 0.7999999999999999 in binary
  });
});

describe('percent options', () => {
  it('shows a whole target without decimals', () => {
    expect(percent(0.8, 'nl', 0)).toBe('80%');
    expect(percent(0.855, 'en', 0)).toBe('86%');
  });
  it('wraps the percent sign for styling', () => {
    expect(percentHtml(0.853, 'nl')).toBe('85,3<span class="pct">%</span>');
    expect(percentHtml(null, 'nl')).toBe(DASH);
  });
});

describe('count', () => {
  it('groups thousands per locale', () => {
    expect(count(1234, 'en')).toBe('1,234');
    expect(count(1234, 'nl')).toBe('1.234');
    expect(count(7, 'nl')).toBe('7');
  });
});

describe('clockTime', () => {
  it('shows Amsterdam time for Amsterdam', () => {
    // 2026-01-15 11:05:09 UTC = 12:05:09 CET
    expect(clockTime(Date.UTC(2026, 0, 15, 11, 5, 9), 'nl', 'Europe/Amsterdam')).toBe('12:05:09');
    // Summer: UTC+2
    expect(clockTime(Date.UTC(2026, 6, 15, 11, 5, 9), 'en', 'Europe/Amsterdam')).toBe('13:05:09');
  });

  it('follows the zone it is given across its DST change, not Amsterdam', () => {
    // London springs forward on 29 March 2026 at 01:00 UTC: 00:59:59 GMT, then 02:00 BST.
    expect(clockTime(Date.UTC(2026, 2, 29, 0, 59, 59), 'nl', 'Europe/London')).toBe('00:59:59');
    expect(clockTime(Date.UTC(2026, 2, 29, 1, 0, 0), 'nl', 'Europe/London')).toBe('02:00:00');
    // The same instant in Amsterdam (changed at the same moment, an hour ahead) reads differently.
    expect(clockTime(Date.UTC(2026, 2, 29, 1, 0, 0), 'nl', 'Europe/Amsterdam')).toBe('03:00:00');
    // And back on 25 October 2026 at 01:00 UTC: 01:59:59 BST, then 01:00 GMT again.
    expect(clockTime(Date.UTC(2026, 9, 25, 0, 59, 59), 'en', 'Europe/London')).toBe('01:59:59');
    expect(clockTime(Date.UTC(2026, 9, 25, 1, 0, 0), 'en', 'Europe/London')).toBe('01:00:00');
  });

  it('keeps a zone without DST on its offset when other zones change (Curaçao, UTC−4)', () => {
    // New York springs forward on 8 March 2026 at 07:00 UTC; Curaçao stays at UTC−4.
    const before = Date.UTC(2026, 2, 8, 6, 30, 0);
    const after = Date.UTC(2026, 2, 8, 7, 30, 0);
    expect(clockTime(before, 'nl', 'America/Curacao')).toBe('02:30:00');
    expect(clockTime(after, 'nl', 'America/Curacao')).toBe('03:30:00');
    expect(clockTime(before, 'nl', 'America/New_York')).toBe('01:30:00');
    expect(clockTime(after, 'nl', 'America/New_York')).toBe('03:30:00');
    // Formats are cached per zone: asking Amsterdam in between does not change Curaçao's.
    expect(clockTime(after, 'nl', 'Europe/Amsterdam')).toBe('08:30:00');
    expect(clockTime(after, 'nl', 'America/Curacao')).toBe('03:30:00');
  });
});

describe('timeOfDay', () => {
  it('gives hours and minutes in the zone, 24-hour in both languages', () => {
    // 29 March 2026 13:45 UTC: 14:45 in London (BST since that night), 09:45 in Curaçao.
    const at = Date.UTC(2026, 2, 29, 13, 45, 30);
    expect(timeOfDay(at, 'nl', 'Europe/London')).toBe('14:45');
    expect(timeOfDay(at, 'en', 'Europe/London')).toBe('14:45');
    expect(timeOfDay(at, 'en', 'America/Curacao')).toBe('09:45');
    // The day before, London was still on GMT.
    expect(timeOfDay(at - 86_400_000, 'nl', 'Europe/London')).toBe('13:45');
  });
});

describe('esc', () => {
  it('escapes markup', () => {
    expect(esc(`<b a="1">'&'</b>`)).toBe('&#60;b a=&#34;1&#34;&#62;&#39;&#38;&#39;&#60;/b&#62;');
  });
});
