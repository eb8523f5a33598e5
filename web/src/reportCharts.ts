/**
 * The report's two charts (uPlot), for a white page and for paper: the service level of each
 * day as bars against the target line, and the week's calls per hour of the day (offered, with
 * the answered part drawn over it). Category axes: x is the day (0–6) or hour (0–23) index.
 */
import uPlot from 'uplot';

const OK = '#2e7d32';
const BAD = '#c62828';
const TARGET = '#b26a00';
const OFFERED = '#b0bec5';
const ANSWERED = '#1565c0';
const AXIS = '#37474f';
const GRID = 'rgba(0,0,0,0.09)';
const FONT = '13px system-ui, "DejaVu Sans", sans-serif';

export interface ChartHandle {
  destroy(): void;
}

function sizeOf(host: HTMLElement): { width: number; height: number } {
  return { width: Math.max(240, Math.floor(host.clientWidth)), height: Math.max(160, Math.floor(host.clientHeight || 240)) };
}

/**
 * The legend as plain HTML above the chart (uPlot's own legend is a table under the canvas
 * that does not fit a fixed-height box); prints crisply and reads the same in both languages.
 */
function legend(host: HTMLElement, items: Array<{ label: string; color: string; dashed?: boolean }>): HTMLElement {
  const el = document.createElement('div');
  el.className = 'chart-legend';
  for (const item of items) {
    const span = document.createElement('span');
    const mark = document.createElement('i');
    mark.className = item.dashed ? 'dash' : 'box';
    mark.style.setProperty('--c', item.color);
    span.append(mark, item.label);
    el.append(span);
  }
  host.before(el);
  return el;
}

/** Resizes with its box; a print re-lays it out for the paper width. */
function follow(host: HTMLElement, plot: uPlot): () => void {
  const fit = () => plot.setSize(sizeOf(host));
  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(fit) : null;
  observer?.observe(host);
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', fit);
  return () => {
    observer?.disconnect();
    window.removeEventListener('beforeprint', fit);
    window.removeEventListener('afterprint', fit);
  };
}

const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({ stroke: AXIS, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, ...extra });

export interface SlPerDayInput {
  /** Short day labels, Monday first (e.g. "ma 16"). */
  labels: string[];
  /** Service level per day (0–1), null for a day without calls. */
  values: Array<number | null>;
  target: number;
  names: { onTarget: string; belowTarget: string; target: string };
}

export function slPerDayChart(host: HTMLElement, d: SlPerDayInput): ChartHandle {
  const xs = d.labels.map((_, i) => i);
  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const ok = d.values.map((v) => (v !== null && v + 1e-9 >= d.target ? pct(v) : null));
  const bad = d.values.map((v) => (v !== null && v + 1e-9 < d.target ? pct(v) : null));
  const bars = uPlot.paths.bars!({ size: [0.6, 80] });
  const plot = new uPlot(
    {
      ...sizeOf(host),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, d.labels.length - 0.5] }, y: { range: [0, 100] } },
      axes: [
        axis({ splits: () => xs, values: (_u, splits) => splits.map((i) => d.labels[i] ?? ''), grid: { show: false } }),
        axis({ splits: () => [0, 20, 40, 60, 80, 100], values: (_u, s) => s.map((v) => `${v}%`), size: 56 }),
      ],
      series: [
        {},
        { label: d.names.onTarget, fill: OK, stroke: OK, paths: bars, points: { show: false } },
        { label: d.names.belowTarget, fill: BAD, stroke: BAD, paths: bars, points: { show: false } },
        { label: d.names.target, stroke: TARGET, width: 2, dash: [8, 5], points: { show: false } },
      ],
    },
    [xs, ok, bad, xs.map(() => d.target * 100)],
    host,
  );
  const key = legend(host, [
    { label: d.names.onTarget, color: OK },
    { label: d.names.belowTarget, color: BAD },
    { label: d.names.target, color: TARGET, dashed: true },
  ]);
  const stop = follow(host, plot);
  return {
    destroy() {
      stop();
      key.remove();
      plot.destroy();
    },
  };
}

export interface CallsPerHourInput {
  offered: number[];
  answered: number[];
  names: { offered: string; answered: string };
}

export function callsPerHourChart(host: HTMLElement, d: CallsPerHourInput): ChartHandle {
  const xs = d.offered.map((_, i) => i);
  // The working day, widened to any hour with calls (nights and weekends of an emergency line).
  const used = xs.filter((i) => d.offered[i]! > 0);
  const lo = Math.min(7, ...used);
  const hi = Math.max(18, ...used);
  const plot = new uPlot(
    {
      ...sizeOf(host),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [lo - 0.5, hi + 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(5, Math.ceil(max * 1.1))] } },
      axes: [
        axis({
          // Every hour where there is room for it, every other hour on narrow paper.
          splits: (u) => {
            const shown = xs.filter((i) => i >= lo && i <= hi);
            return u.width / shown.length < 26 ? shown.filter((h) => h % 2 === 0) : shown;
          },
          values: (_u, s) => s.map((h) => String(h).padStart(2, '0')),
          grid: { show: false },
        }),
        axis({ size: 56 }),
      ],
      series: [
        {},
        { label: d.names.offered, fill: OFFERED, stroke: OFFERED, paths: uPlot.paths.bars!({ size: [0.8, 60] }), points: { show: false } },
        { label: d.names.answered, fill: ANSWERED, stroke: ANSWERED, paths: uPlot.paths.bars!({ size: [0.5, 36] }), points: { show: false } },
      ],
    },
    [xs, d.offered, d.answered],
    host,
  );
  const key = legend(host, [
    { label: d.names.offered, color: OFFERED },
    { label: d.names.answered, color: ANSWERED },
  ]);
  const stop = follow(host, plot);
  return {
    destroy() {
      stop();
      key.remove();
      plot.destroy();
    },
  };
}
