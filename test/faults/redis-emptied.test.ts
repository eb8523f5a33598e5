/**
 * Redis comes back empty (a FLUSHALL, a failover that lost data) while the switch stays
 * connected: within seconds the collector writes its live state again — health, waiting
 * callers, agents — and a wallboard's socket shows them, with no reconnect to the switch.
 */
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { applyLiveFrame, type LiveFrame } from '@belofte/shared/liveFrame';
import { Collector } from '@belofte/collector/collector';
import { frame, startSimulator, type Simulator } from '@belofte/simulator';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, quietLog, testConfig, until, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('emptied');
const redis = connect();
let sw: Simulator;
let collector: Collector;
let api: RunningApi;
let ws: WebSocket | undefined;
afterAll(async () => {
  ws?.close();
  await api?.stop();
  await collector?.stop();
  await sw?.close();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('Redis emptied under a running collector', () => {
  it('gets the live state back without a reconnect to the switch', async () => {
    sw = await startSimulator({ port: 0, scripted: true });
    const config = testConfig(prefix, { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port) });
    collector = new Collector(config, redis, quietLog);
    await collector.start();
    api = await apiFor(config, 500);
    await until(async () => ((await redis.hget(collector.keys.health, 'amiConnected')) === '1' && sw.counters().resyncs >= 1 ? true : undefined), 5_000, 'the login and resync');
    const ts = () => (Date.now() / 1000).toFixed(6);
    for (const uid of ['1700000001.1', '1700000002.1']) {
      sw.send(frame({ Event: 'QueueCallerJoin', Timestamp: ts(), Channel: `SIP/${uid}`, Uniqueid: uid, Linkedid: uid, CallerIDNum: '0612', Queue: 'support', Position: 1, Count: 1 }));
    }
    sw.send(frame({ Event: 'QueueMemberStatus', Timestamp: ts(), Queue: 'support', MemberName: 'agent1', Interface: 'Local/agent1@agents/n', Status: 1, Paused: 0, InCall: 0, WrapupTime: 0 }));

    const frames: LiveSnapshot[] = [];
    ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws`);
    ws.on('message', (d) => {
      const doc = JSON.parse(String(d));
      // Frames after the first carry only the agent tiles that changed: keep the whole document.
      if (doc.total) frames.push(applyLiveFrame(frames.at(-1) ?? null, doc as LiveFrame)!);
    });
    const shows = (s: LiveSnapshot | undefined) => s !== undefined && s.total.waiting === 2 && s.agents.agent1?.state === 'available' && s.health.collectorConnected;
    await until(() => (shows(frames.at(-1)) ? true : undefined), 10_000, 'the callers and the agent on the wallboard');
    const reconnects = collector.client.reconnects;

    // As FLUSHALL would, for this site's keys: all at once (one DEL), so no rewrite lands half-way.
    const all = await redis.keys(`${prefix}:*`);
    expect(all.length).toBeGreaterThan(0);
    await redis.del(...all);
    const emptied = await fetch(`${api.url}/api/live`).then((r) => r.json() as Promise<LiveSnapshot>);
    expect(emptied.total.waiting).toBe(0);
    const seen = frames.length;

    await until(async () => (shows(await fetch(`${api.url}/api/live`).then((r) => r.json() as Promise<LiveSnapshot>)) ? true : undefined), 10_000, '/api/live showing them again');
    await until(() => (frames.length > seen && shows(frames.at(-1)) ? true : undefined), 10_000, 'the wallboard socket showing them again');
    expect(collector.client.reconnects).toBe(reconnects);
    expect(collector.rewrites).toBe(1);
  });
});
