import { describe, expect, it } from 'vitest';
import { ClockOffset, gridLayout, runningSeconds, serviceLevelStatus, waitStatus } from './status.ts';

const th = { guaranteeSeconds: 300 };

describe('service level colour', () => {
  it('is green at or above target, red below, neutral without calls', () => {
    expect(serviceLevelStatus(0.8, 0.8)).toBe('ok');
    expect(serviceLevelStatus(8 / 10, 0.8)).toBe('ok');
    expect(serviceLevelStatus(0.7 + 0.1, 0.8)).toBe('ok');
    expect(serviceLevelStatus(1, 0.8)).toBe('ok');
    expect(serviceLevelStatus(0.7999, 0.8)).toBe('bad');
    expect(serviceLevelStatus(0, 0.8)).toBe('bad');
    expect(serviceLevelStatus(null, 0.8)).toBe('none');
    expect(serviceLevelStatus(undefined, 0.8)).toBe('none');
  });
});

describe('wait clock colour', () => {
  it('turns amber at 4:00 and red at 5:00 (the guarantee)', () => {
    expect(waitStatus(0, th)).toBe('ok');
    expect(waitStatus(239, th)).toBe('ok');
    expect(waitStatus(240, th)).toBe('warn');
    expect(waitStatus(299, th)).toBe('warn');
    expect(waitStatus(300, th)).toBe('bad');
    expect(waitStatus(1000, th)).toBe('bad');
  });
  it('scales with another guarantee', () => {
    expect(waitStatus(95, { guaranteeSeconds: 120 })).toBe('ok');
    expect(waitStatus(96, { guaranteeSeconds: 120 })).toBe('warn');
    expect(waitStatus(120, { guaranteeSeconds: 120 })).toBe('bad');
  });
});

describe('running clocks', () => {
  const at = '2026-03-02T10:00:00.000Z';
  const atMs = Date.parse(at);
  it('adds the time since the snapshot', () => {
    expect(runningSeconds(235, at, atMs)).toBe(235);
    expect(runningSeconds(235, at, atMs + 5_400)).toBe(240);
  });
  it('corrects for a client clock that is off', () => {
    // The TV runs 60 s fast: offset +60 s.
    expect(runningSeconds(10, at, atMs + 60_000 + 3_000, 60_000)).toBe(13);
  });
  it('never goes negative and survives a bad timestamp', () => {
    expect(runningSeconds(0, at, atMs - 10_000)).toBe(0);
    expect(runningSeconds(42, 'nonsense', atMs)).toBe(42);
  });
  it('estimates the offset as the smallest recent sample', () => {
    const o = new ClockOffset(3);
    expect(o.ms).toBe(0);
    o.add(at, atMs + 5_120);
    o.add(at, atMs + 5_020);
    o.add(at, atMs + 5_400);
    expect(o.ms).toBe(5_020);
    o.add(at, atMs + 9_000);
    o.add(at, atMs + 9_100);
    o.add(at, atMs + 9_050); // the old samples age out
    expect(o.ms).toBe(9_000);
  });
});

describe('agent grid', () => {
  it('fits 60 tiles on a TV-sized area without scrolling', () => {
    const w = 1900;
    const h = 420;
    const { cols, rows } = gridLayout(60, w, h, 6, 2.3);
    expect(cols * rows).toBeGreaterThanOrEqual(60);
    const tileH = (h - 6 * (rows - 1)) / rows;
    const tileW = (w - 6 * (cols - 1)) / cols;
    expect(tileH).toBeGreaterThan(50);
    expect(tileW).toBeGreaterThan(120);
  });
  it('uses big tiles for few agents', () => {
    const four = gridLayout(4, 1900, 420, 6, 2.3);
    expect(four.cols * four.rows).toBe(4);
    expect(four.rows).toBeLessThanOrEqual(2);
    expect(gridLayout(1, 1900, 420, 6, 2.3)).toEqual({ cols: 1, rows: 1 });
  });
  it('always has room for every tile', () => {
    for (let n = 1; n <= 120; n++) {
      const { cols, rows } = gridLayout(n, 1600, 500, 6, 2.3);
      expect(cols * rows).toBeGreaterThanOrEqual(n);
    }
  });
});
