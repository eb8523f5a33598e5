import { describe, expect, it } from 'vitest';
import { clockTime, count, DASH, duration, esc, mmss, percent, percentHtml } from './format.ts';

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
  it('shows Amsterdam time', () => {
    // 2026-01-15 11:05:09 UTC = 12:05:09 CET
    expect(clockTime(Date.UTC(2026, 0, 15, 11, 5, 9), 'nl')).toBe('12:05:09');
    // Summer: UTC+2
    expect(clockTime(Date.UTC(2026, 6, 15, 11, 5, 9), 'en')).toBe('13:05:09');
  });
});

describe('esc', () => {
  it('escapes markup', () => {
    expect(esc(`<b a="1">'&'</b>`)).toBe('&#60;b a=&#34;1&#34;&#62;&#39;&#38;&#39;&#60;/b&#62;');
  });
});
