/** What a benchmark hands back: JSON figures and the table rows that show them beside their reference. */

export interface Row {
  /** What was measured. */
  figure: string;
  value: string;
  /** The baseline measured in the same run, or the target. */
  reference: string;
  /** value / reference, or how far from the target. */
  ratio: string;
  /** `met` / `MISSED` for targets, empty for plain comparisons. */
  verdict: string;
}

export interface BenchResult {
  json: Record<string, unknown>;
  rows: Row[];
}

export interface BenchOptions {
  callsPerSec: number;
  /** Scales the measured periods and sizes (1 = the full run; smaller for a quick look). */
  scale: number;
}

export function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function ratio(a: number, b: number, digits = 2): string {
  return b === 0 || !Number.isFinite(a / b) ? 'n/a' : `${(a / b).toFixed(digits)}×`;
}

/** A "higher is better" figure against a target. */
export function atLeast(value: number, target: number): string {
  return value >= target ? 'met' : 'MISSED';
}

/** A "lower is better" figure against a target. */
export function below(value: number, target: number): string {
  return value < target ? 'met' : 'MISSED';
}
