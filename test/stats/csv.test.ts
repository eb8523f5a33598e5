/**
 * The CSV export parsed back equals the JSON: every figure of every queue and period, and
 * every agent — in the Dutch Excel form (BOM, ";", decimal comma) and the decimal-point form.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { AGENT_COLUMNS, FIGURE_COLUMNS } from '@belofte/api/stats/csv';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { simulateWeek } from './simulatedWeek.ts';

const MANAGER = 'manager-token-csv-000001';
const prefix = testPrefix('csv');
const redis = connect();
let api: RunningApi;

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys: new Keys(prefix, 'main'), retentionDays: 3650, maxBuffered: 100_000 });
  for (const call of simulateWeek({ year: 2026, week: 47 }, 'Europe/Amsterdam', 7)) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER }));
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function get(query: string): Promise<Response> {
  const res = await fetch(`${api.url}/api/stats/weekly?${query}`, { headers: { authorization: `Bearer ${MANAGER}` } });
  expect(res.status).toBe(200);
  return res;
}

/** RFC 4180, with the separator given: quoted cells, doubled quotes, CRLF rows. */
function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  expect(cell).toBe('');
  return rows;
}

const numberOf = (text: string, decimal: ',' | '.'): number | null => {
  if (text === '') return null;
  expect(text).toMatch(decimal === ',' ? /^-?\d+(,\d+)?$/ : /^-?\d+(\.\d+)?$/);
  return Number(decimal === ',' ? text.replace(',', '.') : text);
};

describe('weekly CSV', () => {
  for (const [lang, decimal, sep] of [
    ['nl', 'comma', ';'],
    ['en', 'point', ','],
  ] as const) {
    it(`figures (${lang}, decimal ${decimal}) parse back to the JSON`, async () => {
      const json = (await (await get('week=2026-W47')).json()) as Record<string, any>;
      const res = await get(`week=2026-W47&format=csv&lang=${lang}&decimal=${decimal}`);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="belofte-2026-W47-figures\.csv"/);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
      expect(text.endsWith('\r\n')).toBe(true);
      const [header, ...rows] = parseCsv(text, sep);
      expect(header!.slice(0, 6)).toEqual(lang === 'nl' ? ['week', 'niveau', 'wachtrij', 'periode', 'datum', 'uur'] : ['week', 'scope', 'queue', 'period', 'date', 'hour']);
      const names = header!.slice(6);
      expect(names).toEqual(FIGURE_COLUMNS.map((c) => c[lang]));
      const words = lang === 'nl' ? { total: 'totaal', week: 'week', day: 'dag', hour: 'uur' } : { total: 'total', week: 'week', day: 'day', hour: 'hour' };
      // Rebuild the document from the rows.
      const rebuilt: Record<string, any> = { total: null, queues: {} };
      for (const r of rows) {
        expect(r).toHaveLength(header!.length);
        const [week, scope, queue, period, date, hour] = r as [string, string, string, string, string, string];
        expect(week).toBe('2026-W47');
        const figures = Object.fromEntries(FIGURE_COLUMNS.map((c, i) => [c.key, numberOf(r[6 + i]!, decimal === 'comma' ? ',' : '.')]));
        const target = scope === words.total ? (rebuilt.total ??= { week: null, days: [], hours: [] }) : (rebuilt.queues[queue] ??= { week: null, days: [], hours: [] });
        if (period === words.week) target.week = figures;
        else if (period === words.day) target.days.push({ ...figures, date, weekday: target.days.length + 1 });
        else if (period === words.hour) target.hours.push({ ...figures, hour: Number(hour) });
        else throw new Error(`unexpected period ${period}`);
      }
      expect(rebuilt.total).toEqual(json.total);
      expect(rebuilt.queues).toEqual(json.queues);
      // Service level is a fraction with its decimals, as in the JSON (e.g. 0,8533).
      expect(json.total.week.serviceLevel).toBeGreaterThan(0);
    });
  }

  it('agents parse back to the JSON, names with non-ASCII letters intact', async () => {
    const json = (await (await get('week=2026-W47')).json()) as Record<string, any>;
    const res = await get('week=2026-W47&format=csv&part=agents');
    const text = (await res.text()).replace(/^\uFEFF/, '');
    const [header, ...rows] = parseCsv(text, ';');
    expect(header).toEqual(['week', 'medewerker', 'periode', 'datum', ...AGENT_COLUMNS.map((c) => c.nl)]);
    const agents: Array<Record<string, any>> = [];
    for (const r of rows) {
      const figures = Object.fromEntries(AGENT_COLUMNS.map((c, i) => [c.key, numberOf(r[4 + i]!, ',')]));
      if (r[2] === 'week') agents.push({ agent: r[1], week: figures, days: [] });
      else agents.at(-1)!.days.push({ ...figures, date: r[3] });
    }
    expect(agents).toEqual(json.agents);
    expect(agents.map((a) => a.agent)).toContain('Gijs Yılmaz');
  });

  it('with a queue filter holds that queue only, and names it in the file name', async () => {
    const res = await get('week=2026-W47&queue=Wmo-zorg&format=csv');
    expect(res.headers.get('content-disposition')).toMatch(/belofte-2026-W47-Wmo-zorg-figures\.csv/);
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''), ';').slice(1);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['', 'Wmo-zorg']));
    expect(rows).toHaveLength(2 * 32);
  });
});
