/**
 * The truth the simulator records must match what it played. Strongest check: playing the
 * capture scenarios reproduces the ground truth a real Asterisk gave for them
 * (test/fixtures/ami/*.truth.json, from queue_log).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startSimulator, type Scenario, type TruthCall, type TruthQueue } from './index.ts';
import { CAPTURE_QUEUES, EDGE_SCENARIO } from './scenarios.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const amiDir = path.resolve(repoRoot, 'test/fixtures/ami');
const START = Date.parse('2026-11-24T08:00:00Z');

async function play(scenario: Scenario, seed = 1, queues = CAPTURE_QUEUES) {
  const sim = await startSimulator({ port: 0, speed: 500, seed, startAt: START, scenario, queues });
  try {
    await sim.done;
    return sim.truth();
  } finally {
    await sim.close();
  }
}

function checkCounts(truth: { calls: TruthCall[]; queues: Record<string, TruthQueue> }) {
  let visits = 0;
  for (const c of truth.calls) visits += c.queues.length;
  let offered = 0;
  for (const [name, q] of Object.entries(truth.queues)) {
    // Every queue entry of a finished scenario ended in exactly one way.
    expect(q.answered + q.abandoned + q.timedOut, name).toBe(q.offered);
    expect(q.answeredWithin20).toBeLessThanOrEqual(q.answered);
    offered += q.offered;
  }
  expect(visits).toBe(offered);
  for (const c of truth.calls) {
    expect(c.outcome === 'answered').toBe(c.answeredAt !== null);
    expect(c.agent !== null).toBe(c.answeredAt !== null);
    if (c.answeredAt) expect(c.waitSeconds).toBeCloseTo((Date.parse(c.answeredAt) - Date.parse(c.joinedAt!)) / 1000, 2);
    if (c.abandonedAt) expect(['abandoned', 'timedOut']).toContain(c.outcome);
    expect(new Set(c.uniqueids).size).toBe(c.uniqueids.length);
    for (const u of [c.linkedid, ...c.uniqueids]) expect(u).toMatch(/^\d{10}\.\d+$/);
  }
}

describe('truth of the capture scenarios equals the real Asterisk truth', () => {
  for (const name of ['quiet-morning', 'transfer-chain', 'warm-transfers']) {
    it(name, async () => {
      const scenario = JSON.parse(readFileSync(path.join(amiDir, `${name}.scenario.json`), 'utf8')) as Scenario;
      const real = JSON.parse(readFileSync(path.join(amiDir, `${name}.truth.json`), 'utf8')) as { calls: TruthCall[]; queues: Record<string, TruthQueue> };
      const mine = await play(scenario);
      expect(mine.queues).toEqual(real.queues);
      expect(mine.calls.length).toBe(real.calls.length);
      mine.calls.forEach((c, i) => {
        const r = real.calls[i]!;
        const what = `${name} call ${i}`;
        expect(c.outcome, what).toBe(r.outcome);
        expect(c.queues, what).toEqual(r.queues);
        expect(c.transfers, what).toBe(r.transfers);
        expect(c.agent, what).toBe(r.agent);
        expect(c.uniqueids.length, what).toBe(r.uniqueids.length);
        // queue_log has whole seconds.
        expect(Math.abs(c.waitSeconds! - r.waitSeconds!), what).toBeLessThanOrEqual(1);
        expect(c.linkedid, what).toBe(c.uniqueids[0]!.replace(/\.(\d+)$/, (_, n: string) => `.${Number(n) - 1}`));
      });
      checkCounts(mine);
    });
  }
});

describe('truth of the edge scenario', () => {
  it('records every kind of ending, with counts that add up', async () => {
    const truth = await play(EDGE_SCENARIO);
    const brief = truth.calls.map((c) => [c.outcome, c.queues.join('>'), c.transfers, c.uniqueids.length]);
    expect(brief).toEqual([
      ['answered', 'support', 0, 1], // rang out on agent1, answered after the retry
      ['answered', 'vergunningen>support', 1, 2], // attended: the consult leg is a new channel
      ['answered', 'vergunningen>support', 1, 1], // blind: the same channel re-enters
      ['abandoned', 'support', 0, 1],
      ['timedOut', 'vergunningen', 0, 1],
      ['answered', 'support', 0, 1],
      ['answered', 'vergunningen>support', 0, 2], // caller hung up mid-consultation
    ]);
    expect(truth.calls[0]!.agent).toBe('agent2');
    expect(truth.calls[0]!.waitSeconds).toBeGreaterThan(20);
    // Asterisk's HoldTime is a difference of whole epoch seconds: within a second of the wait.
    expect(Math.abs(truth.calls[3]!.abandonWait! - truth.calls[3]!.waitSeconds!)).toBeLessThan(1);
    expect(truth.calls[4]!.waitSeconds).toBeCloseTo(8, 1);
    expect(truth.queues.support).toMatchObject({ offered: 6, answered: 4, abandoned: 2, timedOut: 0 });
    expect(truth.queues.vergunningen).toMatchObject({ offered: 4, answered: 3, abandoned: 0, timedOut: 1 });
    checkCounts(truth);
  });

  it('is reproducible: the same seed plays the same truth', async () => {
    const a = await play(EDGE_SCENARIO, 7);
    const b = await play(EDGE_SCENARIO, 7);
    expect(b).toEqual(a);
  });
});
