/**
 * SIGTERM: every process shuts down cleanly — the collector writes what it holds and logs
 * off the switch, the API closes its sockets with "going away" — and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { repoRoot } from '../support/captures.ts';
import { frame, startSimulator, type Simulator } from '@belofte/simulator';
import { cleanPrefix, connect, redisUrl, testPrefix } from '../support/redis.ts';
import { until } from '../support/stack.ts';

const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
const redis = connect();
const prefix = testPrefix('sigterm');
let sw: Simulator | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await sw?.close();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

function run(script: string, env: Record<string, string>): { child: ChildProcess; out: string[]; exit: Promise<number | null> } {
  const child = spawn(tsx, [path.join(repoRoot, script)], { env: { ...process.env, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  child.stdout!.on('data', (d) => out.push(...String(d).split('\n').filter(Boolean)));
  child.stderr!.on('data', (d) => out.push(...String(d).split('\n').filter(Boolean)));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, exit };
}

describe('SIGTERM', () => {
  it('the collector flushes what it took in, logs off and exits 0', async () => {
    sw = await startSimulator({ port: 0, scripted: true });
    const c = run('services/collector/src/main.ts', { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port), COLLECTOR_METRICS_PORT: '0', HOST: '127.0.0.1' });
    await sw.loggedIn;
    await until(() => (c.out.some((l) => l.includes('resynchronised')) ? true : undefined), 15_000, 'the collector to be ready');
    const t = Date.now() / 1000;
    const base = { Channel: 'SIP/1', Uniqueid: '1.1', Linkedid: '1.1', CallerIDNum: '0612345678' };
    sw.send(frame({ Event: 'QueueCallerJoin', Timestamp: t.toFixed(6), ...base, Queue: 'support', Position: 1 }));
    sw.send(frame({ Event: 'AgentConnect', Timestamp: (t + 3).toFixed(6), ...base, Queue: 'support', MemberName: 'agent1', Interface: 'Local/agent1@agents/n', HoldTime: 3, RingTime: 1 }));
    await new Promise((r) => setTimeout(r, 100));
    c.child.kill('SIGTERM');
    expect(await c.exit).toBe(0);
    expect(c.out.join('\n')).toMatch(/shutting down/);
    expect(sw.actions.map((a) => a.toLowerCase())).toContain('logoff');
    const keys = new Keys(prefix, 'main');
    const s = await readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: 0, to: Number.MAX_SAFE_INTEGER, now: Date.now(), midnight: 0, window: 'all' });
    expect(s.total).toMatchObject({ offered: 1, answered: 1 });
    expect(s.health).toMatchObject({ collectorConnected: false, reason: 'the collector stopped' });
  }, 30_000);

  it('the API closes its sockets with "going away" and exits 0', async () => {
    const a = run('services/api/src/main.ts', { PORT: '0', HOST: '127.0.0.1' });
    const line = await until(() => a.out.find((l) => l.includes('wallboard ready')), 20_000, 'the API to listen');
    const url = (JSON.parse(line) as { url: string }).url;
    const ws = new WebSocket(url.replace('http', 'ws') + 'ws');
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    a.child.kill('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await a.exit).toBe(0);
  }, 30_000);
});
