/**
 * `npm run replay` on every real capture: through the live path into the real Redis and
 * back, each call and each queue's totals equal Asterisk's own queue_log.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { replay } from '@belofte/collector/replay';
import { asTruth, captures, repoRoot } from '../support/captures.ts';
import { cleanPrefix, connect, redisUrl, testPrefix } from '../support/redis.ts';

const run = promisify(execFile);
const redis = connect();
afterAll(() => redis.disconnect());

describe.each(captures())('replay of $name', ({ name, amiPath, truth }) => {
  it('equals the ground truth call by call and queue by queue', async () => {
    const prefix = testPrefix(`replay-${name}`);
    const result = await replay(readFileSync(amiPath), { redisUrl, prefix, thresholds: DEFAULT_THRESHOLDS });
    expect(result.calls.map((c) => c.linkedid)).toEqual(truth.calls.map((c) => c.linkedid));
    for (const want of truth.calls) {
      const got = result.calls.find((c) => c.linkedid === want.linkedid)!;
      expect({ linkedid: got.linkedid, outcome: got.outcome, transfers: got.transfers, agent: got.agent, queues: got.queues }).toEqual({
        linkedid: want.linkedid,
        outcome: want.outcome,
        transfers: want.transfers,
        agent: want.agent,
        queues: want.queues,
      });
      expect(Math.abs(got.waitSeconds! - want.waitSeconds!)).toBeLessThanOrEqual(1);
      expect(Math.abs(Date.parse(got.joinedAt) - Date.parse(want.joinedAt!))).toBeLessThanOrEqual(1000);
    }
    for (const [queue, want] of Object.entries(truth.queues)) {
      const got = result.queues[queue]!;
      expect({ queue, ...asTruth(got) }).toEqual({ queue, ...want });
    }
    const sum = (k: 'offered' | 'answered') => Object.values(truth.queues).reduce((n, q) => n + q[k], 0);
    expect(result.total.offered).toBe(sum('offered'));
    expect(result.total.answered).toBe(sum('answered'));
    // The throw-away keys are gone.
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  });
});

describe('the replay command', () => {
  const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
  const script = path.join(repoRoot, 'services/collector/src/replay.ts');

  it('prints one JSON document with calls, total and queues', async () => {
    const { amiPath, truth } = captures()[0]!;
    const { stdout } = await run(tsx, [script, amiPath], { env: { ...process.env, REDIS_URL: redisUrl } });
    const doc = JSON.parse(stdout);
    expect(Object.keys(doc).sort()).toEqual(['calls', 'queues', 'total']);
    expect(doc.calls).toHaveLength(truth.calls.length);
    expect(Object.keys(doc.calls[0]).sort()).toEqual(['abandonedAt', 'agent', 'answeredAt', 'joinedAt', 'linkedid', 'outcome', 'queues', 'transfers', 'waitSeconds']);
  });

  it('applies threshold overrides', async () => {
    const { amiPath } = captures().find((c) => c.name === 'quiet-morning')!;
    const { stdout } = await run(tsx, [script, amiPath, '--target-seconds', '5', '--max-transfers', '0'], { env: { ...process.env, REDIS_URL: redisUrl } });
    const doc = JSON.parse(stdout);
    // quiet-morning: support answers with hold times 3, 2, 9, 33, 17, 1 → 3 within 5 s.
    expect(doc.queues.support.answeredWithinTarget).toBe(3);
    // One call was transferred once: over a limit of 0.
    expect(doc.total.overTransferLimit).toBe(1);
  });

  it('refuses a file that is not an AMI capture with one line and exit code 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'belofte-'));
    const file = path.join(dir, 'notes.txt');
    writeFileSync(file, 'Dear team,\nthis is not a capture.\n');
    const err = await run(tsx, [script, file], { env: { ...process.env, REDIS_URL: redisUrl } }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr.trim().split('\n')).toHaveLength(1);
    expect(err?.stderr).toMatch(/not an AMI capture/);
  });
});
