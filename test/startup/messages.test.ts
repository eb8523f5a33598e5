/**
 * What a newcomer sees when a process cannot start: one line naming the variable to fix, never
 * a stack trace, and no private Redis hiding a typo'd REDIS_URL.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/captures.ts';
import { cleanPrefix, connect, redisUrl, testPrefix } from '../support/redis.ts';

const prefix = testPrefix('startup');
const redis = connect();
let busy: Server;
let busyPort: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterAll(async () => {
  busy.close();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

interface Ended {
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Runs one of Belofte's commands with `env` on top of a quiet base; resolves when it exits. */
function run(script: string, env: Record<string, string>): Promise<Ended> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AMI_|REDIS_|PORT$|SIMULATOR_|COLLECTOR_|.*_TOKENS$|VITEST)/.test(k)));
  const child = spawn(process.execPath, [path.join(repoRoot, 'node_modules/tsx/dist/cli.mjs'), path.join(repoRoot, script)], {
    cwd: repoRoot,
    env: { ...base, LOG_LEVEL: 'error', REDIS_PREFIX: prefix, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => (clearTimeout(guard), resolve({ code, stderr, stdout }))));
}

/** Exactly one line on stderr, and no stack frame anywhere. */
function oneLine(r: Ended): string {
  expect(`${r.stdout}${r.stderr}`).not.toMatch(/^\s+at /m);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  return lines[0]!;
}

describe('a port in use', () => {
  it('PORT: npm start stops with one line naming PORT and the port', async () => {
    const r = await run('scripts/start.ts', { REDIS_URL: redisUrl, PORT: String(busyPort), SIMULATOR_PORT: '0', COLLECTOR_METRICS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toBe(`PORT=${busyPort}: port ${busyPort} is already in use by another program; stop that program or set PORT to a free port (0 = any free port)`);
  });

  it('SIMULATOR_PORT: npm start stops with one line naming SIMULATOR_PORT', async () => {
    const r = await run('scripts/start.ts', { REDIS_URL: redisUrl, PORT: '0', SIMULATOR_PORT: String(busyPort), COLLECTOR_METRICS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(new RegExp(`^SIMULATOR_PORT=${busyPort}: port ${busyPort} is already in use`));
  });

  it('COLLECTOR_METRICS_PORT: the stand-alone collector stops with one line naming it', async () => {
    // A switch address where nothing listens: the collector keeps trying in the background.
    const r = await run('services/collector/src/main.ts', { REDIS_URL: redisUrl, AMI_HOST: '127.0.0.1', AMI_PORT: '1', COLLECTOR_METRICS_PORT: String(busyPort) });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(new RegExp(`^COLLECTOR_METRICS_PORT=${busyPort}: port ${busyPort} is already in use`));
  });

  it('PORT: the stand-alone API stops with one line too', async () => {
    const r = await run('services/api/src/main.ts', { REDIS_URL: redisUrl, PORT: String(busyPort) });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(new RegExp(`^PORT=${busyPort}: port ${busyPort} is already in use`));
  });
});

describe('settings a newcomer gets wrong', () => {
  it('the stand-alone collector without AMI_HOST says what to set', async () => {
    const r = await run('services/collector/src/main.ts', { REDIS_URL: redisUrl });
    expect(r.code).toBe(2);
    expect(oneLine(r)).toMatch(/^AMI_HOST is not set: point it at your Asterisk .* or run `npm start`/);
  });

  it('a typo in REDIS_URL stops npm start with a message naming REDIS_URL, without starting a Redis of its own', async () => {
    const r = await run('scripts/start.ts', { REDIS_URL: 'redis://127.0.0.1:1', PORT: '0', SIMULATOR_PORT: '0', COLLECTOR_METRICS_PORT: '0' });
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/^REDIS_URL=redis:\/\/127\.0\.0\.1:1: no Redis answers there\. Check the address/);
    // Nothing was started in its place: port 1 still does not answer.
    const probe = connect('redis://127.0.0.1:1');
    await expect(probe.ping()).rejects.toThrow();
    probe.disconnect();
  });
});
