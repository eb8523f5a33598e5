/**
 * A fresh clone with nothing beside it replays the captures: clone this repository (its
 * committed HEAD) into an empty folder and run the capture tests there. node_modules is not
 * installed again: the clone gets one whose packages link to this checkout's, except the
 * workspace packages (@belofte/*), which link to the clone's own folders.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
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

interface JsonReport {
  numTotalTestSuites: number;
  testResults: { name: string; status: string; message: string; assertionResults: { fullName: string; status: string }[] }[];
}

/** Runs the capture tests in `root` with vitest's JSON reporter; every test's outcome by file and name. */
function runCaptureTests(root: string): { outcomes: Record<string, string>; loaded: string[]; log: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'BELOFTE_CAPTURES' && k !== 'NODE_OPTIONS'));
  const out = path.join(parent, `report-${path.basename(root)}.json`);
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--reporter=json', `--outputFile=${out}`, ...CAPTURE_TESTS], {
    cwd: root,
    env: { ...env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 240_000,
  });
  const log = `${run.stdout}\n${run.stderr}`;
  expect(existsSync(out), log).toBe(true);
  const report = JSON.parse(readFileSync(out, 'utf8')) as JsonReport;
  const outcomes: Record<string, string> = {};
  const loaded: string[] = [];
  for (const file of report.testResults) {
    const rel = path.relative(root, file.name);
    // A file that fails to load has no assertion results and a message saying why.
    if (file.assertionResults.length > 0) loaded.push(rel);
    for (const t of file.assertionResults) outcomes[`${rel} > ${t.fullName}`] = t.status;
  }
  return { outcomes, loaded: loaded.sort(), log };
}

describe('a fresh clone', () => {
  it('replays the captures with nothing beside it, exactly as this checkout does', () => {
    const cloned = spawnSync('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], { encoding: 'utf8' });
    expect(cloned.stderr).toBe('');
    expect(cloned.status).toBe(0);
    // The clone's folder has no sibling folders: the captures it replays are its own.
    expect(readdirSync(parent)).toEqual(['belofte']);
    for (const file of CAPTURE_TESTS) expect(existsSync(path.join(clone, file)), file).toBe(true);
    linkNodeModules();

    const there = runCaptureTests(clone);
    // Every capture test file loads (finds its captures) and runs its tests in the clone.
    expect(there.loaded, there.log).toEqual([...CAPTURE_TESTS].sort());
    expect(there.log).not.toMatch(/no captures at/);
    // And each test ends as it does here: a clone is as green as the checkout it came from
    // (a capture test that fails here fails for its own reason, shown by its own file).
    const here = runCaptureTests(repoRoot);
    expect(Object.keys(there.outcomes).length).toBeGreaterThan(CAPTURE_TESTS.length * 2);
    expect(there.outcomes).toEqual(here.outcomes);
  }, 300_000);
});
