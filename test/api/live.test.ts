/**
 * The API against the real Redis: figures as the collector wrote them, windows, errors, a
 * second API process, and the WebSocket push.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DEFAULT_THRESHOLDS, type LiveSnapshot } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { CallTracker } from '@belofte/collector/domain/tracker';
import type { AmiEvent } from '@belofte/collector/domain/events';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, until, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('api');
const redis = connect();
const keys = new Keys(prefix, 'main');
const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
const writer = new RedisWriter(redis, { keys, retentionDays: 1, maxBuffered: 10_000 });
let api: RunningApi;
let second: RunningApi;

const now = Date.now();
let n = 0;
function call(joinAgo: number, hold: number | null, queue = 'support'): AmiEvent[] {
  const uid = `t${++n}`;
  const at = now - joinAgo * 1000;
  const evs: AmiEvent[] = [{ type: 'QueueCallerJoin', at, queue, uniqueid: uid, linkedid: uid, channel: 'SIP/1', callerIdNum: '0612345678', position: 1, stamp: String(at) }];
  if (hold !== null) {
    evs.push({ type: 'AgentConnect', at: at + hold * 1000, queue, uniqueid: uid, linkedid: uid, member: 'agent1', interface: 'Local/agent1@agents/n', holdTime: hold, ringTimeSeconds: 1, destChannel: 'Local/agent1@agents-1;1', destUniqueid: `${uid}a` });
  }
  return evs;
}

async function write(events: AmiEvent[]): Promise<void> {
  for (const e of events.sort((a, b) => a.at - b.at)) writer.enqueue(tracker.process(e), e.at);
  await writer.flush();
}

beforeAll(async () => {
  // Two hours ago: answered late. Last hour: two in target, one late, one still waiting.
  await write([...call(7200, 40), ...call(1800, 5), ...call(1200, 10, 'vergunningen'), ...call(600, 30), ...call(60, null)]);
  const config = testConfig(prefix, { BELOFTE_TIMEZONE: 'UTC' });
  api = await apiFor(config, 200);
  second = await apiFor(config, 200);
});

afterAll(async () => {
  await api?.stop();
  await second?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const get = async (base: RunningApi, path: string) => {
  const res = await fetch(base.url + path);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};

describe('GET /api/live', () => {
  it('serves the figures per queue and in total', async () => {
    const { status, body } = await get(api, '/api/live?window=3h');
    expect(status).toBe(200);
    const s = body as unknown as LiveSnapshot;
    expect(s.queues.support).toMatchObject({ offered: 4, answered: 3, answeredWithinTarget: 1, waiting: 1 });
    expect(s.queues.support!.serviceLevel).toBeCloseTo(1 / 3);
    expect(s.queues.vergunningen).toMatchObject({ offered: 1, answered: 1, answeredWithinTarget: 1, serviceLevel: 1 });
    expect(s.total).toMatchObject({ offered: 5, answered: 4, answeredWithinTarget: 2, waiting: 1, serviceLevel: 0.5 });
    expect(s.total.longestWaitSeconds).toBeGreaterThanOrEqual(59);
    expect(s.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(typeof s.at).toBe('string');
    // A handful of calls is too little traffic for staffing advice: null, with what it saw.
    expect(s.queues.support!.staffing).toMatchObject({ agentsNeeded: null, patienceSeconds: null });
    expect(s.queues.support!.staffing!.sample.arrivals).toBeLessThan(5);
    expect(s.total.staffing).toBeUndefined();
  });

  it('takes a rolling window', async () => {
    const s = (await get(api, '/api/live?window=60m')).body as unknown as LiveSnapshot;
    expect(s.queues.support).toMatchObject({ offered: 3, answered: 2, answeredWithinTarget: 1 });
    expect(s.window).toBe('60m');
  });

  it.each(['0m', '25h', 'abc', '60', '1441m', '-1h'])('refuses window=%s with a JSON 400', async (w) => {
    const { status, type, body } = await get(api, `/api/live?window=${encodeURIComponent(w)}`);
    expect(status).toBe(400);
    expect(type).toMatch(/json/);
    expect(body.error).toBe('bad_request');
    expect(String(body.message)).toMatch(/window/);
  });

  it('shows the same numbers from a second API process', async () => {
    const a = (await get(api, '/api/live?window=3h')).body as unknown as LiveSnapshot;
    const b = (await get(second, '/api/live?window=3h')).body as unknown as LiveSnapshot;
    expect(b.queues).toEqual({ ...a.queues, support: { ...a.queues.support, longestWaitSeconds: b.queues.support!.longestWaitSeconds } });
  });
});

describe('other endpoints', () => {
  it('answers health and readiness', async () => {
    expect((await get(api, '/healthz')).status).toBe(200);
    expect((await get(api, '/readyz')).body).toEqual({ status: 'ready' });
  });
  it('gives a JSON 404 for an unknown path', async () => {
    const { status, body } = await get(api, '/api/nope');
    expect(status).toBe(404);
    expect(body.error).toBe('not_found');
  });
  it('serves the service level through the day', async () => {
    const { body } = await get(api, '/api/history?step=60');
    const points = body.points as Array<{ serviceLevel: number | null; answered: number }>;
    expect(points.length).toBeGreaterThan(0);
    expect(points.at(-1)!.answered).toBeGreaterThanOrEqual(3);
    expect((await get(api, '/api/history?step=0')).status).toBe(400);
  });
  it('serves the wallboard page', async () => {
    const res = await fetch(api.url + '/');
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<html/i);
  });
});

describe('/ws', () => {
  it('sends the snapshot on connect and again on every change', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws?window=3h`);
    const frames: LiveSnapshot[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await until(() => (frames.length > 0 ? true : undefined), 5_000, 'first frame');
    expect(frames[0]!.queues.support!.offered).toBe(4);
    await write(call(1, 1));
    // The join and the answer may land in separate batches: each batch is pushed.
    const updated = await until(() => frames.find((f) => f.queues.support!.offered === 5 && f.queues.support!.answered === 4), 5_000, 'updated frame');
    expect(updated.queues.support!.answeredWithinTarget).toBe(2);
    ws.close();
  });

  it('refuses a bad window on the socket with a 400', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws?window=forever`);
    const status = await new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(400);
  });
});
