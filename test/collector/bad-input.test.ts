/**
 * Bad input from the switch: malformed frames, unknown events, missing fields, garbage and
 * duplicates are skipped with a counter and a log line; the collector keeps running and
 * loses no call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { Collector } from '@belofte/collector/collector';
import { renderMetrics } from '@belofte/collector/metrics';
import { frame, startSimulator, type Simulator } from '@belofte/simulator';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { testConfig, until } from '../support/stack.ts';

const prefix = testPrefix('badinput');
const redis = connect();
let sw: Simulator;
let collector: Collector;
afterAll(async () => {
  await collector?.stop();
  await sw?.close();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('bad input from the switch', () => {
  it('is skipped with a counter and a log line, and no call is lost', async () => {
    sw = await startSimulator({ port: 0, scripted: true });
    const logs: Array<{ msg: string; reason?: string }> = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _e, cb) => (logs.push(JSON.parse(String(chunk))), cb()) }));
    collector = new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1', AMI_PORT: String(sw.port) }), redis, log);
    await collector.start();
    await sw.loggedIn;
    // The switch knows no callers: a join sent before the collector's QueueStatus is answered
    // would (rightly) be ended by that answer. Send the calls once the resync is done.
    await until(() => (logs.some((l) => l.msg === 'resynchronised with QueueStatus') ? true : undefined), 5_000, 'the resync after login');
    const t = Date.now() / 1000;
    const base = { Channel: 'SIP/100-0001', Uniqueid: '1700000000.1', Linkedid: '1700000000.1', CallerIDNum: '0612345678' };
    const join = frame({ Event: 'QueueCallerJoin', Privilege: 'agent,all', Timestamp: t.toFixed(6), ...base, Queue: 'support', Position: 1, Count: 1 });
    sw.send(join);
    sw.send('this is not AMI at all\r\nneither is this\r\n\r\n');
    sw.send(frame({ Event: 'QueueCallerJoin', Timestamp: (t + 0.1).toFixed(6), Uniqueid: '1700000000.9' })); // no Queue
    sw.send(frame({ Event: 'BrandNewEventOfAsterisk99', Timestamp: t.toFixed(6), Foo: 'bar' }));
    sw.send(join); // duplicate
    sw.send(`Event: QueueCallerLeave\r\n${'x'.repeat(300 * 1024)}`); // a frame that does not end
    await until(() => (collector.pipeline.counters.malformed >= 3 ? true : undefined), 5_000, 'the oversized frame to be dropped');
    sw.send('\r\n\r\n');
    sw.send(frame({ Event: 'AgentConnect', Privilege: 'agent,all', Timestamp: (t + 5).toFixed(6), ...base, Queue: 'support', MemberName: 'agent1', Interface: 'Local/agent1@agents/n', HoldTime: 5, RingTime: 1, DestChannel: 'Local/agent1@agents-1;1', DestUniqueid: '1700000000.2' }));

    const keys = new Keys(prefix, 'main');
    const snap = await until(async () => {
      const s = await readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: 0, to: Number.MAX_SAFE_INTEGER, now: Date.now(), midnight: 0, window: 'all' });
      return s.total.answered === 1 ? s : undefined;
    }, 5_000, 'the answer after the garbage');
    expect(snap.total).toMatchObject({ offered: 1, answered: 1, answeredWithinTarget: 1, waiting: 0 });
    expect(collector.client.isConnected).toBe(true);
    expect(collector.pipeline.counters.malformed).toBeGreaterThanOrEqual(3);
    expect(collector.pipeline.tracker.counters.duplicates).toBe(1);
    // Event names Asterisk does not have share one label: a switch cannot make a series per name.
    expect(collector.pipeline.counters.skippedByType.get('other')).toBe(1);
    expect(collector.pipeline.counters.skippedByType.has('BrandNewEventOfAsterisk99')).toBe(false);
    const reasons = logs.filter((l) => l.msg === 'malformed AMI frame skipped').map((l) => l.reason ?? '');
    expect(reasons.some((r) => r.includes('without "Key: Value"'))).toBe(true);
    expect(reasons.some((r) => r.includes('QueueCallerJoin without queue'))).toBe(true);
    expect(reasons.some((r) => r.includes('larger than'))).toBe(true);
    const metrics = renderMetrics(collector, 'main');
    expect(metrics).toMatch(/belofte_ami_malformed_total\{site="main"\} [3-9]/);
    expect(metrics).toMatch(/belofte_ami_events_skipped_total\{site="main",type="other"\} 1/);
  });
});
