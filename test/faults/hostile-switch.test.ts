/**
 * A hostile or broken switch over TCP (the simulator in scripted mode, sending raw bytes):
 * absurd timestamps, garbage hold times, a queue named `__proto__`, thousands of invented
 * event names, an empty `Event:` — then ordinary calls. The collector keeps running, /api/live
 * stays 200 with sane figures, no false breach, and the metrics stay bounded.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveSnapshot, QueueFigures } from '@belofte/shared/figures';
import { Collector } from '@belofte/collector/collector';
import { renderMetrics } from '@belofte/collector/metrics';
import { frame, startSimulator, type Simulator } from '@belofte/simulator';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, quietLog, testConfig, until, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('hostile');
const redis = connect();
let sw: Simulator;
let collector: Collector;
let api: RunningApi;
afterAll(async () => {
  await api?.stop();
  await collector?.stop();
  await sw?.close();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

let n = 0;
function caller(queue: string) {
  const uid = `1700000000.${++n}`;
  const base = { Channel: `SIP/${n}-0001`, Uniqueid: uid, Linkedid: uid, CallerIDNum: `06${n}` };
  return {
    join: (ts: string) => frame({ Event: 'QueueCallerJoin', Privilege: 'agent,all', Timestamp: ts, ...base, Queue: queue, Position: 1, Count: 1 }),
    connect: (ts: string, hold: string) =>
      frame({ Event: 'AgentConnect', Timestamp: ts, ...base, Queue: queue, MemberName: 'agent1', Interface: 'Local/agent1@agents/n', HoldTime: hold, RingTime: 1, DestChannel: `Local/agent1@agents-${n};1`, DestUniqueid: `${uid}9` }),
  };
}

function sane(f: QueueFigures, what: string): void {
  for (const [k, v] of Object.entries(f)) {
    if (typeof v !== 'number') continue;
    expect(Number.isFinite(v), `${what}.${k} = ${v}`).toBe(true);
    expect(v, `${what}.${k}`).toBeGreaterThanOrEqual(0);
  }
  if (f.serviceLevel !== null) expect(f.serviceLevel).toBeLessThanOrEqual(1);
}

describe('a hostile switch', () => {
  it('cannot poison the figures, the clock or the metrics', async () => {
    sw = await startSimulator({ port: 0, scripted: true });
    const config = testConfig(prefix, { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port), MANAGER_TOKENS: '' });
    collector = new Collector(config, redis, quietLog);
    await collector.start();
    api = await apiFor(config, 500);
    await until(() => (collector.client.isConnected && sw.counters().resyncs >= 1 ? true : undefined), 5_000, 'the login and resync');
    // The resync's QueueStatus is answered before we send: let it land.
    await until(async () => ((await redis.hget(collector.keys.health, 'amiConnected')) === '1' ? true : undefined), 5_000, 'health in Redis');
    const ts = (offsetSeconds = 0) => (Date.now() / 1000 + offsetSeconds).toFixed(6);

    // Absurd timestamps: one that is not a number at all, one in the year 5138.
    sw.send(caller('support').join('1e308'));
    sw.send(caller('support').join('99999999999'));
    // Garbage hold times on callers who really waited 30 s: the wait comes from the event times.
    for (const hold of ['-1', 'NaN', 'abc']) {
      const c = caller('support');
      sw.send(c.join(ts(-30)));
      sw.send(c.connect(ts(), hold));
    }
    // A queue whose name is a JavaScript object's own property.
    const proto = caller('__proto__');
    sw.send(proto.join(ts(-2)));
    sw.send(proto.connect(ts(), '2'));
    // Thousands of invented event names, and an event without a name.
    let junk = '';
    for (let i = 0; i < 5_000; i++) junk += frame({ Event: `Invented${i}x${Math.random().toString(36).slice(2)}`, Timestamp: ts() });
    sw.send(junk);
    sw.send('Event: \r\nTimestamp: 1\r\n\r\n');
    // Then ordinary calls: answered within 3 s.
    for (let i = 0; i < 3; i++) {
      const c = caller('support');
      sw.send(c.join(ts(-3)));
      sw.send(c.connect(ts(), '3'));
    }
    await sw.drained();

    const live = await until(
      async () => {
        const res = await fetch(`${api.url}/api/live`);
        expect(res.status).toBe(200);
        const doc = (await res.json()) as LiveSnapshot;
        return doc.total.answered === 7 ? doc : undefined;
      },
      10_000,
      'every answered call in /api/live',
    );
    // The queue named __proto__ is a queue like any other: total = sum of the queues.
    expect(Object.keys(live.queues).sort()).toEqual(['__proto__', 'support']);
    expect(live.queues['__proto__']).toMatchObject({ offered: 1, answered: 1, answeredWithinTarget: 1 });
    expect(live.total.offered).toBe(live.queues.support!.offered + live.queues['__proto__']!.offered);
    for (const [q, f] of Object.entries(live.queues)) sane(f, q);
    sane(live.total, 'total');
    // The three garbage hold times waited 30 s (over the 20 s target); the ordinary ones 3 s.
    expect(live.queues.support).toMatchObject({ offered: 8, answered: 6, answeredWithinTarget: 3, waiting: 2 });
    // The callers with absurd timestamps got the receipt time: a wait of seconds, no breach, no year 5138.
    expect(live.total.guaranteeBreaches).toBe(0);
    expect(live.total.longestWaitSeconds).toBeLessThan(60);
    expect(Math.abs(live.clockOffsetMs ?? 0)).toBeLessThan(60_000);
    expect(Math.abs(Date.parse(live.health.lastEventAt!) - Date.now())).toBeLessThan(60_000);

    const metrics = renderMetrics(collector, 'main');
    expect(metrics).toMatch(/belofte_ami_suspect_timestamps_total\{site="main"\} 2\n/);
    expect(metrics).toMatch(/belofte_ami_implausible_total\{site="main"\} 3\n/);
    expect(collector.pipeline.counters.malformed).toBeGreaterThanOrEqual(1);
    // 5,000 invented names, one label.
    const series = metrics.split('\n').filter((l) => l.startsWith('belofte_ami_events_skipped_total{'));
    expect(series.filter((l) => l.includes('type="other"'))).toHaveLength(1);
    expect(series.length).toBeLessThan(50);
    expect(collector.client.isConnected).toBe(true);
  });
});
