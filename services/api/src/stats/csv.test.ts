import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { FIGURE_COLUMNS, figuresCsv } from './csv.ts';
import { weeklyStats } from './weekly.ts';

const empty = (queue: string) => weeklyStats({ week: { year: 2026, week: 47 }, timeZone: 'Europe/Amsterdam', thresholds: DEFAULT_THRESHOLDS, queue, records: [], followUps: new Map() });

describe('figuresCsv', () => {
  it('quotes a cell holding the separator or a quote, and disarms a formula', () => {
    const lines = figuresCsv(empty('a;"b"'), 'nl', 'comma').split('\r\n');
    expect(lines[1]).toMatch(/^2026-W47;totaal;;week;;;0;/);
    expect(lines[33]).toMatch(/^2026-W47;wachtrij;"a;""b""";week;/);
    expect(figuresCsv(empty('=HYPERLINK()'), 'nl', 'comma')).toContain(";'=HYPERLINK();week;");
    expect(figuresCsv(empty('-1'), 'en', 'point')).toContain(",'-1,week,");
  });
  it('leaves "none" empty: no average without calls, no service level without a denominator', () => {
    const row = figuresCsv(empty('Afval'), 'nl', 'comma').split('\r\n')[1]!.split(';');
    const column = (key: string) => 6 + FIGURE_COLUMNS.findIndex((c) => c.key === key);
    expect(row[column('serviceLevel')]).toBe('');
    expect(row[column('averageWaitSeconds')]).toBe('');
    expect(row[column('offered')]).toBe('0');
  });
});
