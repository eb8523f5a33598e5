/**
 * Every metric of the catalogue, through Redis: an entry older than the longest window and a
 * recent one, then the collector's trim, then the one read the API makes — only the recent one
 * counts. A metric the trim or the read forgot shows up here, not months later as a window
 * that grows forever. And the figure added last (`movedOut`) from the writer's side: a
 * `visitEnded` change in, the figure and its service level back out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_METRICS, AGENT_METRIC_NAMES, WINDOW_METRICS, WINDOW_METRIC_NAMES } from '@belofte/shared/catalogue';
import { DEFAULT_THRESHOLDS, type AgentState } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { Collector } from '@belofte/collector/collector';
import { Tally } from '@belofte/collector/domain/tally';
import type { Change } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { quietLog, testConfig } from '../support/stack.ts';

const redis = connect();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await cleanPrefix(redis, p);
  redis.disconnect();
});

const HOUR = 3_600_000;

function agent(name: string, queue: string, since: number): AgentState {
  return { name, interface: `PJSIP/${name}`, queues: [queue], state: 'available', pausedReason: null, since, deviceStatus: 1, inCall: false, pausedIn: [], wrapupSeconds: 0, ringingFor: null, channels: [] };
}

describe('every catalogue metric in Redis', () => {
  it('an old and a new entry, trim, read: only the new one counts', async () => {
    const prefix = testPrefix('catalogue');
    prefixes.push(prefix);
    const keys = new Keys(prefix, 'main');
    const now = Date.now();
    await redis.sadd(keys.queues, 'support');
    await redis.sadd(keys.agentNames, 'agent1');
    await redis.hset(keys.agents, 'agent1', JSON.stringify(agent('agent1', 'support', now - HOUR)));
    for (const m of WINDOW_METRIC_NAMES) await redis.zadd(keys.window(m, 'support'), now - 26 * HOUR, `old-${m}`, now - HOUR, `new-${m}`);
    for (const m of AGENT_METRIC_NAMES) await redis.zadd(keys.agentWindow(m, 'agent1'), now - 26 * HOUR, `old-${m}`, now - HOUR, `new-${m}`);

    // Read from the beginning of time: what the trim left is all there is.
    const read = () => readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: 0, to: now, now, midnight: 0, window: 'today' });
    const before = await read();
    for (const m of WINDOW_METRIC_NAMES) expect(before.queues.support![m], m).toBe(2);
    for (const m of AGENT_METRIC_NAMES) expect(before.agents.agent1![m], m).toBe(2);

    await new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1' }), redis, quietLog).trim(now);

    const after = await read();
    for (const m of WINDOW_METRIC_NAMES) {
      expect(after.queues.support![m], m).toBe(1);
      expect(await redis.zrange(keys.window(m, 'support'), 0, -1), m).toEqual([`new-${m}`]);
    }
    for (const m of AGENT_METRIC_NAMES) {
      expect(after.agents.agent1![m], m).toBe(1);
      expect(await redis.zrange(keys.agentWindow(m, 'agent1'), 0, -1), m).toEqual([`new-${m}`]);
    }
  });

  it('a moved caller from the writer: counted as movedOut, in the service level of the queue it left', async () => {
    const prefix = testPrefix('moved');
    prefixes.push(prefix);
    const keys = new Keys(prefix, 'main');
    const writer = new RedisWriter(redis, { keys, retentionDays: 1, maxBuffered: 1000 });
    const t = Date.now() - 60_000;
    const events: Change[][] = [
      [{ kind: 'visitJoined', queue: 'support', visitId: 'c1/1', linkedid: 'c1', at: t }],
      [{ kind: 'visitJoined', queue: 'support', visitId: 'c2/1', linkedid: 'c2', at: t + 1 }],
      [{ kind: 'visitAnswered', queue: 'support', visitId: 'c2/1', linkedid: 'c2', agent: 'agent1', holdSeconds: 3, withinTarget: true, at: t + 3_000 }],
      // c1 is moved into another queue: it leaves support unanswered and joins balie.
      [
        { kind: 'visitEnded', queue: 'support', visitId: 'c1/1', linkedid: 'c1', outcome: 'movedOut', at: t + 10_000 },
        { kind: 'visitJoined', queue: 'balie', visitId: 'c1/2', linkedid: 'c1', at: t + 10_000 },
      ],
    ];
    const tally = new Tally();
    for (const changes of events) {
      writer.enqueue(changes, changes[0]!.kind === 'visitJoined' ? changes[0]!.at : undefined);
      // The same event applied twice counts once, in Redis as in the tally.
      writer.enqueue(changes);
      tally.apply(changes);
      tally.apply(changes);
    }
    await writer.flush();
    const now = Date.now();
    const snap = await readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: t - 1, to: now, now, midnight: t - 1, window: 'today' });
    const support = snap.queues.support!;
    expect(support.movedOut).toBe(1);
    expect(support.timedOut).toBe(0);
    expect(support.abandoned).toBe(0);
    expect(support.waiting).toBe(0);
    // One answered in time of two that counted: the moved caller is in the denominator.
    expect(support.serviceLevel).toBe(0.5);
    expect(snap.queues.balie!.offered).toBe(1);
    expect(snap.queues.balie!.waiting).toBe(1);
    expect(snap.queues.balie!.movedOut).toBe(0);
    expect(snap.total.movedOut).toBe(1);
    for (const m of WINDOW_METRIC_NAMES) expect(support[m], m).toBe(tally.queues.get('support')![m]);
  });
});

describe('the Lua scripts', () => {
  const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'services');
  const luaFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' ? [] : luaFiles(path.join(dir, e.name))) : e.name.endsWith('.lua') ? [path.join(dir, e.name)] : []));

  it('name no metric: they take every metric name from ARGV', () => {
    const files = luaFiles(root);
    expect(files.length).toBeGreaterThan(5);
    const names = new Set<string>([
      ...WINDOW_METRIC_NAMES,
      ...WINDOW_METRIC_NAMES.map((m) => WINDOW_METRICS[m].redis),
      ...AGENT_METRIC_NAMES,
      ...AGENT_METRIC_NAMES.map((m) => AGENT_METRICS[m].redis),
    ]);
    for (const file of files) {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.replace(/--.*$/, ''))
        .join('\n');
      for (const name of names) expect(code, `${path.relative(root, file)} names the metric ${name}`).not.toMatch(new RegExp(`['"]${name}['":]|\\b${name}\\s*=`));
    }
  });
});
