/** .ci/summary: CI's closing line counts test files that did not load, not only failed tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/captures.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'belofte-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function summary(log: string, status: number): string {
  const file = path.join(dir, `log-${status}.txt`);
  writeFileSync(file, log);
  const r = spawnSync(path.join(repoRoot, '.ci/summary'), [file, String(status)], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('.ci/summary', () => {
  it('counts a test file that fails to load beside the passing tests of the others', () => {
    // A real vitest run (globals, no config) of one passing file and one that cannot load.
    writeFileSync(path.join(dir, 'good.test.js'), "test('adds', () => expect(1 + 1).toBe(2));\ntest('skips', { skip: true }, () => {});\n");
    writeFileSync(path.join(dir, 'broken.test.js'), "import './missing.js';\ntest('never runs', () => {});\n");
    writeFileSync(path.join(dir, 'vitest.config.mjs'), 'export default { test: { globals: true } };\n');
    const run = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', dir], {
      cwd: dir,
      env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST'))),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(summary(`${run.stdout}\n${run.stderr}`, run.status!)).toBe(
      '1 passed, 0 failed, 1 skipped; test files: 1 passed, 1 failed (1 of them did not load or their setup failed)',
    );
  });

  it('says so when the command stopped before any test ran', () => {
    expect(summary('src/x.ts(3,1): error TS2304: Cannot find name y.\n', 2)).toMatch(/^no test ran: .*exit status 2$/);
  });
});
