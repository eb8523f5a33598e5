/**
 * A client that floods the socket or sends an oversized frame is closed; the other
 * wallboards keep getting their figures.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, until, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('abuse');
const redis = connect();
let api: RunningApi;
beforeAll(async () => {
  api = await apiFor(testConfig(prefix), 100);
});
afterAll(async () => {
  await api.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

function open(): Promise<{ ws: WebSocket; frames: number[]; closed: Promise<number> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws`);
  const frames: number[] = [];
  ws.on('message', () => frames.push(Date.now()));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, closed }));
    ws.once('error', reject);
  });
}

describe('socket abuse', () => {
  it('closes an oversized frame (1009) and a flood (1008); a quiet wallboard is unaffected', async () => {
    const quiet = await open();
    const big = await open();
    big.ws.send('x'.repeat(64 * 1024));
    expect(await big.closed).toBe(1009);
    const flood = await open();
    for (let i = 0; i < 200; i++) flood.ws.send('{"hello":1}');
    expect(await flood.closed).toBe(1008);
    const before = quiet.frames.length;
    await until(() => (quiet.frames.length >= before + 3 ? true : undefined), 5_000, 'the quiet wallboard to keep receiving');
    expect(quiet.ws.readyState).toBe(WebSocket.OPEN);
    expect(api.fanout.stats.closedFlood).toBe(1);
    quiet.ws.close();
  });
});

describe('API metrics', () => {
  it('counts sockets, frames and closed abusers in Prometheus format', async () => {
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${api.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^belofte_api_sockets \d+$/m);
    expect(text).toMatch(/^belofte_api_frames_sent_total [1-9]\d*$/m);
    expect(text).toMatch(/^belofte_api_sockets_closed_total\{reason="flood"\} 1$/m);
    expect(text).toMatch(/^belofte_api_http_requests_total\{method="GET",status="2xx"\} \d+$/m);
  });
});

describe('a slow reader', () => {
  it('is closed once its unsent frames pass the limit; a reading wallboard is unaffected', async () => {
    const slowPrefix = testPrefix('slow');
    // Big frames (60 agents, every tile changing all the time: each frame carries them all),
    // sent often, to a client that stops reading its socket.
    const churn = async () => {
      const since = Date.now();
      await redis.hset(`${slowPrefix}:{main}:agents`, ...Array.from({ length: 60 }, (_, i) => [`agent${i}`, JSON.stringify({ name: `agent${i}`, interface: `Local/agent${i}@agents/n`, queues: ['support', 'vergunningen'], state: 'available', pausedReason: null, since })]).flat());
    };
    await churn();
    const churning = setInterval(() => void churn().catch(() => undefined), 5);
    const slowApi = await apiFor(testConfig(slowPrefix), 2, { maxBufferedBytes: 256 * 1024, minIntervalMs: 0 });
    try {
      const reader = new WebSocket(`ws://127.0.0.1:${slowApi.port}/ws`);
      let read = 0;
      reader.on('message', () => read++);
      const slow = new WebSocket(`ws://127.0.0.1:${slowApi.port}/ws`);
      await new Promise((resolve) => slow.once('open', resolve));
      // Stop reading: the kernel buffers fill, then the server's send queue grows.
      (slow as unknown as { _socket: { pause(): void } })._socket.pause();
      await until(() => (slowApi.fanout.stats.closedSlow >= 1 ? true : undefined), 25_000, 'the slow reader to be closed');
      const before = read;
      await until(() => (read > before + 5 ? true : undefined), 5_000, 'the reading wallboard to keep receiving');
      reader.close();
      slow.terminate();
    } finally {
      clearInterval(churning);
      await slowApi.stop();
      await cleanPrefix(redis, slowPrefix);
    }
  }, 40_000);
});
