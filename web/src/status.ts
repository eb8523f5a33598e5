/**
 * The wallboard's judgements, kept pure so they can be tested: which colour a figure gets,
 * how long a clock has run, how the agent grid fits the screen.
 */
import type { AgentStateName, Thresholds } from '@belofte/shared/figures';

/** ok = green (at or above target), bad = red (below), none = no calls yet ("—", neutral). */
export type SlStatus = 'ok' | 'bad' | 'none';

export function serviceLevelStatus(serviceLevel: number | null | undefined, target: number): SlStatus {
  if (serviceLevel === null || serviceLevel === undefined || !Number.isFinite(serviceLevel)) return 'none';
  // A tiny tolerance: 8/10 computed in floating point must count as exactly 80%.
  return serviceLevel + 1e-9 >= target ? 'ok' : 'bad';
}

/** ok below the warning, warn (amber) from 80% of the guarantee (4:00 of 5:00), bad (red) from the guarantee. */
export type WaitStatus = 'ok' | 'warn' | 'bad';

export function waitWarnSeconds(thresholds: Pick<Thresholds, 'guaranteeSeconds'>): number {
  return Math.round(thresholds.guaranteeSeconds * 0.8);
}

export function waitStatus(seconds: number, thresholds: Pick<Thresholds, 'guaranteeSeconds'>): WaitStatus {
  if (seconds >= thresholds.guaranteeSeconds) return 'bad';
  if (seconds >= waitWarnSeconds(thresholds)) return 'warn';
  return 'ok';
}

/**
 * A clock that runs from a server figure: `base` seconds at server time `atIso`, read at the
 * client's `nowMs`. `offsetMs` is the estimated client-minus-server clock difference, so a TV
 * whose clock is a minute off still ticks from the right value.
 */
export function runningSeconds(base: number, atIso: string, nowMs: number, offsetMs = 0): number {
  const at = Date.parse(atIso);
  if (!Number.isFinite(at)) return base;
  return Math.max(0, Math.floor(base + (nowMs - offsetMs - at) / 1000));
}

/**
 * Estimates the client-minus-server clock offset from frames: each frame gives
 * receivedAt - at = offset + network delay, so the smallest recent sample is the best
 * estimate. Keeps the last `size` samples so a corrected TV clock is picked up.
 */
export class ClockOffset {
  private samples: number[] = [];
  constructor(private readonly size = 20) {}
  add(atIso: string, receivedAtMs: number): void {
    const at = Date.parse(atIso);
    if (!Number.isFinite(at)) return;
    this.samples.push(receivedAtMs - at);
    if (this.samples.length > this.size) this.samples.shift();
  }
  get ms(): number {
    return this.samples.length === 0 ? 0 : Math.min(...this.samples);
  }
}

/** Display order of agent states and the symbol that goes with each colour. */
export const STATE_SYMBOL: Record<AgentStateName, string> = {
  available: '●',
  ringing: '◔',
  oncall: '✆',
  wrapup: '✎',
  paused: 'Ⅱ',
  unavailable: '⊘',
  loggedoff: '○',
};

/**
 * Columns and rows for n tiles in a w×h box so the tiles are as large as possible without
 * scrolling, given the tile's preferred width:height ratio.
 */
export function gridLayout(n: number, width: number, height: number, gap: number, aspect: number): { cols: number; rows: number } {
  if (n <= 0 || width <= 0 || height <= 0) return { cols: 1, rows: 1 };
  let best = { cols: 1, rows: n, score: -1 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const tileW = (width - gap * (cols - 1)) / cols;
    const tileH = (height - gap * (rows - 1)) / rows;
    if (tileW <= 0 || tileH <= 0) continue;
    // The usable size is limited by whichever side is short relative to the wanted shape.
    const score = Math.min(tileW / aspect, tileH);
    if (score > best.score + 1e-9) best = { cols, rows, score };
  }
  return { cols: best.cols, rows: best.rows };
}
