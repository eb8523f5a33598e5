import { describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { slSeries, type History } from './history.ts';

const history: History = {
  from: '2026-03-01T23:00:00.000Z',
  to: '2026-03-02T09:00:00.000Z',
  stepMinutes: 15,
  points: [
    { at: '2026-03-02T08:00:00.000Z', serviceLevel: null, offered: 0, answered: 0, answeredWithinTarget: 0, abandoned: 0 },
    { at: '2026-03-02T08:15:00.000Z', serviceLevel: 0.9, offered: 10, answered: 10, answeredWithinTarget: 9, abandoned: 0 },
    { at: '2026-03-02T08:30:00.000Z', serviceLevel: 0.75, offered: 20, answered: 20, answeredWithinTarget: 15, abandoned: 0 },
  ],
};

function live(at: string, sl: number | null, from = history.from, window = 'today'): LiveSnapshot {
  return { at, from, window, total: { serviceLevel: sl } } as unknown as LiveSnapshot;
}

describe('slSeries', () => {
  it('turns history into seconds and percentages, keeping gaps', () => {
    const s = slSeries(history, null);
    expect(s.x).toEqual([1772438400, 1772439300, 1772440200]);
    expect(s.sl).toEqual([null, 90, 75]);
  });
  it('extends the last point with a newer live snapshot of the same day', () => {
    const s = slSeries(history, live('2026-03-02T08:41:30.000Z', 0.8));
    expect(s.x.length).toBe(4);
    expect(s.x[3]).toBe(Date.parse('2026-03-02T08:41:30.000Z') / 1000);
    expect(s.sl[3]).toBeCloseTo(80);
  });
  it('ignores a live snapshot that is older, of another day, or of another window', () => {
    expect(slSeries(history, live('2026-03-02T08:20:00.000Z', 0.8)).x.length).toBe(3);
    expect(slSeries(history, live('2026-03-03T08:41:30.000Z', 0.8, '2026-03-02T23:00:00.000Z')).x.length).toBe(3);
    expect(slSeries(history, live('2026-03-02T08:41:30.000Z', 0.8, history.from, '60m')).x.length).toBe(3);
  });
  it('works before the history has loaded', () => {
    expect(slSeries(null, live('2026-03-02T08:41:30.000Z', null))).toEqual({ x: [Date.parse('2026-03-02T08:41:30.000Z') / 1000], sl: [null] });
  });
});
