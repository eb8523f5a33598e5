/** The day's service-level history (`GET /api/history`) and how live frames extend it. */
import type { LiveSnapshot } from '@belofte/shared/figures';

// The API's own definition (services/shared/src/history.ts); types only, nothing of it is bundled.
import type { History } from '@belofte/shared/history';
export type { History, HistoryPoint } from '@belofte/shared/history';

/** uPlot's columnar data: x in Unix seconds, y as percentages (null = gap). */
export interface SlSeries {
  x: number[];
  sl: (number | null)[];
}

export function isHistory(value: unknown): value is History {
  const v = value as History | null;
  return !!v && typeof v === 'object' && typeof v.from === 'string' && Array.isArray(v.points);
}

/**
 * The chart's data: the history's points, extended with the latest since-midnight snapshot
 * when it is newer than the last point and belongs to the same day (same `from`).
 */
export function slSeries(history: History | null, live: LiveSnapshot | null): SlSeries {
  const x: number[] = [];
  const sl: (number | null)[] = [];
  for (const p of history?.points ?? []) {
    const t = Date.parse(p.at);
    if (!Number.isFinite(t)) continue;
    x.push(t / 1000);
    sl.push(p.serviceLevel === null ? null : p.serviceLevel * 100);
  }
  if (live && live.window === 'today') {
    const t = Date.parse(live.at) / 1000;
    const sameDay = !history || Date.parse(history.from) === Date.parse(live.from);
    const last = x.length > 0 ? x[x.length - 1]! : -Infinity;
    if (sameDay && Number.isFinite(t) && t > last) {
      x.push(t);
      sl.push(live.total.serviceLevel === null ? null : live.total.serviceLevel * 100);
    }
  }
  return { x, sl };
}
