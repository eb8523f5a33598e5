/** The real Asterisk captures kept in test/fixtures/ami (byte for byte) and their ground truth. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const captureDir = process.env.BELOFTE_CAPTURES ?? path.resolve(repoRoot, 'test/fixtures/ami');

// The ground-truth format of test/fixtures/ami/*.truth.json, which the simulator also records.
import type { Truth as SimTruth, TruthCall, TruthQueue } from '@belofte/simulator/truth';

import type { QueueFigures } from '@belofte/shared/figures';

export type { TruthCall, TruthQueue };
export interface Truth extends Omit<SimTruth, 'queues'> {
  queues: Record<string, TruthQueue>;
  thresholds?: { targetSeconds?: number };
}

/** The per-queue counts of a snapshot, in the ground-truth terms of the captures and the simulator. */
export function asTruth(f: QueueFigures): TruthQueue {
  return {
    offered: f.offered,
    answered: f.answered,
    abandoned: f.abandoned + f.shortAbandoned,
    answeredWithin20: f.answeredWithinTarget,
    timedOut: f.timedOut,
    movedOut: f.movedOut,
    guaranteeBreaches: f.guaranteeBreaches,
    overTransferLimit: f.overTransferLimit,
  };
}
export interface Capture {
  name: string;
  amiPath: string;
  truth: Truth;
}

/** Every `NAME.ami` with a `NAME.truth.json` beside it (more may be added later). */
export function captures(): Capture[] {
  if (!existsSync(captureDir)) throw new Error(`no captures at ${captureDir} (set BELOFTE_CAPTURES)`);
  return readdirSync(captureDir)
    .filter((f) => f.endsWith('.ami') && existsSync(path.join(captureDir, f.replace(/\.ami$/, '.truth.json'))))
    .sort()
    .map((f) => ({
      name: f.replace(/\.ami$/, ''),
      amiPath: path.join(captureDir, f),
      truth: JSON.parse(readFileSync(path.join(captureDir, f.replace(/\.ami$/, '.truth.json')), 'utf8')) as Truth,
    }));
}
