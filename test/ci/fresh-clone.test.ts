/**
 * A fresh clone with nothing beside it replays the captures: clone this repository (its
 * committed HEAD) into an empty folder and run the capture tests there. node_modules is not
 * installed again: the clone gets one whose packages link to this checkout's, except the
 * workspace packages (@belofte/*), which link to the clone's own folders.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/captures.ts';

const CAPTURE_TESTS = [
  'test/replay/replay.test.ts',
  'services/collector/src/domain/tracker.capture.test.ts',
  'services/simulator/src/events.test.ts',
  'services/simulator/src/truth.test.ts',
];

const parent = mkdtempSync(path.join(tmpdir(), 'belofte-clone-'));
const clone = path.join(parent, 'belofte');
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** node_modules for the clone: every package linked to ours, the workspace ones to the clone's. */
function linkNodeModules(): void {
  const ours = path.join(repoRoot, 'node_modules');
  const theirs = path.join(clone, 'node_modules');
  mkdirSync(theirs);
  for (const name of readdirSync(ours)) {
    if (name === '@belofte') continue;
    symlinkSync(path.join(ours, name), path.join(theirs, name));
  }
  mkdirSync(path.join(theirs, '@belofte'));
  for (const name of readdirSync(path.join(ours, '@belofte'))) {
    const dir = name === 'web' ? 'web' : `services/${name}`;
    symlinkSync(path.join(clone, dir), path.join(theirs, '@belofte', name));
  }
}

describe('a fresh clone', () => {
  it('replays the captures with nothing beside it', () => {
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], { encoding: 'utf8' });
    expect(cloned.stderr).toBe('');
    expect(cloned.status).toBe(0);
    // The clone's folder has no sibling: no ../shared, no captures outside the repository.
    expect(readdirSync(parent)).toEqual(['belofte']);
    for (const file of CAPTURE_TESTS) expect(existsSync(path.join(clone, file)), file).toBe(true);
    linkNodeModules();

    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'BELOFTE_CAPTURES' && k !== 'NODE_OPTIONS'));
    const run = spawnSync(process.execPath, [path.join(clone, 'node_modules/vitest/vitest.mjs'), 'run', ...CAPTURE_TESTS], {
      cwd: clone,
      env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const out = `${run.stdout}\n${run.stderr}`;
    expect(out, out).toMatch(new RegExp(`Test Files +${CAPTURE_TESTS.length} passed \\(${CAPTURE_TESTS.length}\\)`));
    expect(run.status, out).toBe(0);
    // The tests ran against the clone's files, not this checkout's.
    expect(out).toContain(clone);
  }, 300_000);
});
