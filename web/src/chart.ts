/** uPlot wrapper: the service level through the day against the target line, for a dark TV screen. */
import uPlot from 'uplot';
import type { SlSeries } from './history.ts';

export interface SlChartLabels {
  series: string;
  target: string;
}

export interface SlChart {
  update(series: SlSeries, target: number): void;
  destroy(): void;
}

const LINE = '#4fc3f7';
const TARGET = '#ffd54f';
const AXIS = '#e0e0e0';
const GRID = 'rgba(255,255,255,0.14)';

const hhmmFormats = new Map<string, Intl.DateTimeFormat>();

/** Axis ticks as 24-hour time in the contact centre's zone, e.g. 09:30 (the same in Dutch and English). */
function hhmm(unixSeconds: number, timeZone: string | null): string {
  // No zone yet (no live frame): no tick labels, rather than another zone's hours.
  if (!timeZone) return '';
  let f = hhmmFormats.get(timeZone);
  if (!f) hhmmFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })));
  return f.format(new Date(unixSeconds * 1000));
}

function fontPx(): number {
  return Math.round(Math.min(28, Math.max(13, window.innerWidth * 0.0095)));
}

/**
 * `timeZone`: the contact centre's (BELOFTE_TIMEZONE, from the live frames; null until the first
 * one), asked at every draw, so the axis follows the frames without rebuilding the chart.
 */
export function createSlChart(host: HTMLElement, labels: SlChartLabels, timeZone: () => string | null): SlChart {
  let plot: uPlot | null = null;
  let data: uPlot.AlignedData = [[], [], []];
  let builtFont = 0;

  const size = () => ({
    width: Math.max(100, Math.floor(host.clientWidth)),
    height: Math.max(60, Math.floor(host.clientHeight)),
  });

  const build = () => {
    plot?.destroy();
    const px = fontPx();
    builtFont = px;
    const font = `${px}px system-ui, "DejaVu Sans", sans-serif`;
    const axis = (extra: Partial<uPlot.Axis>): uPlot.Axis => ({
      stroke: AXIS,
      font,
      size: px * 2.6,
      grid: { stroke: GRID, width: 1 },
      ticks: { stroke: GRID, width: 1 },
      ...extra,
    });
    const opts: uPlot.Options = {
      ...size(),
      // uPlot places its ticks (whole hours, quarters) on the hours of this zone.
      tzDate: (ts) => {
        const zone = timeZone();
        return zone ? uPlot.tzDate(new Date(ts * 1e3), zone) : new Date(ts * 1e3);
      },
      legend: { show: false },
      cursor: { show: false },
      scales: {
        x: {
          time: true,
          // From the first call of the day (not from midnight) to the latest point.
          range: (_u, min, max) => {
            if (max === null || !Number.isFinite(max)) {
              const now = Date.now() / 1000;
              return [now - 3600, now];
            }
            const xs = data[0] as number[];
            const sl = data[1] as (number | null)[];
            const first = xs.find((_x, i) => sl[i] !== null) ?? min;
            // At least an hour wide, so early in the day the axis shows minutes, not seconds.
            return [Math.min(first, max - 3600), max];
          },
        },
        y: { range: [0, 100] },
      },
      axes: [
        axis({ space: px * 5, values: (_u, splits) => splits.map((t) => hhmm(t, timeZone())) }),
        axis({
          // Fixed steps of 20 so the 80% target always has a labelled grid line.
          splits: () => [0, 20, 40, 60, 80, 100],
          values: (_u, splits) => splits.map((v) => `${v}%`),
          size: px * 4.4,
        }),
      ],
      series: [
        {},
        { label: labels.series, stroke: LINE, width: Math.max(3, px / 5), fill: 'rgba(79,195,247,0.12)', spanGaps: true, points: { show: true, size: Math.max(6, px * 0.55), fill: LINE } },
        { label: labels.target, stroke: TARGET, width: Math.max(2, px / 8), dash: [px * 0.6, px * 0.4], points: { show: false } },
      ],
    };
    plot = new uPlot(opts, data, host);
  };

  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => {
    if (!plot) return;
    if (fontPx() !== builtFont) build();
    else plot.setSize(size());
  }) : null;
  observer?.observe(host);
  build();

  return {
    update(series, target) {
      data = [series.x, series.sl, series.x.map(() => target * 100)];
      plot?.setData(data);
    },
    destroy() {
      observer?.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}
