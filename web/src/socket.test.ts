import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, ReconnectingSocket, type SocketStatus, type WebSocketLike } from './socket.ts';

describe('backoffDelay', () => {
  it('doubles per attempt with jitter in the upper half of the step', () => {
    const lo = { random: () => 0 };
    const hi = { random: () => 0.999999 };
    expect(backoffDelay(0, lo)).toBe(250);
    expect(backoffDelay(0, hi)).toBeCloseTo(500, 0);
    expect(backoffDelay(1, lo)).toBe(500);
    expect(backoffDelay(2, lo)).toBe(1000);
    expect(backoffDelay(3, hi)).toBeCloseTo(4000, 0);
  });
  it('is capped at about 10 s, however many attempts', () => {
    for (const attempt of [5, 6, 10, 50, 1000]) {
      expect(backoffDelay(attempt, { random: () => 0.999999 })).toBeLessThanOrEqual(10_000);
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(5_000);
    }
  });
  it('spreads clients out (jitter)', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelay(4)));
    expect(delays.size).toBeGreaterThan(1);
  });
});

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close(): void {
    this.closed = true;
  }
  // Server side of the fake:
  send(data: string): void {
    this.onmessage?.({ data });
  }
  drop(): void {
    this.closed = true;
    this.onerror?.({});
    this.onclose?.({});
  }
}

describe('ReconnectingSocket', () => {
  let statuses: SocketStatus[];
  let messages: string[];
  let socket: ReconnectingSocket;

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    statuses = [];
    messages = [];
    socket = new ReconnectingSocket({
      url: 'ws://x/ws?window=60m',
      random: () => 0.5,
      onMessage: (d) => messages.push(d),
      onStatus: (s) => statuses.push(s),
      createSocket: (url) => new FakeSocket(url),
    });
    socket.start();
  });
  afterEach(() => {
    socket.stop();
    vi.useRealTimers();
  });

  const latest = () => FakeSocket.all[FakeSocket.all.length - 1]!;

  it('is not live until the first frame, then passes frames on', () => {
    expect(FakeSocket.all.length).toBe(1);
    expect(latest().url).toBe('ws://x/ws?window=60m');
    expect(socket.status).toEqual({ live: false, problem: 'connecting' });
    latest().send('{"a":1}');
    expect(messages).toEqual(['{"a":1}']);
    expect(socket.status).toEqual({ live: true, problem: null });
  });

  it('reports a drop and reconnects with growing delays', () => {
    latest().send('x');
    latest().drop();
    expect(socket.status).toEqual({ live: false, problem: 'disconnected' });
    // attempt 0: 250 + 0.5·250 = 375 ms
    vi.advanceTimersByTime(374);
    expect(FakeSocket.all.length).toBe(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all.length).toBe(2);
    // The server refuses again: attempt 1 waits 750 ms.
    latest().drop();
    vi.advanceTimersByTime(749);
    expect(FakeSocket.all.length).toBe(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all.length).toBe(3);
    // Back: a frame makes it live and resets the backoff.
    latest().send('y');
    expect(socket.status.live).toBe(true);
    latest().drop();
    vi.advanceTimersByTime(375);
    expect(FakeSocket.all.length).toBe(4);
    expect(statuses.map((s) => s.problem)).toEqual([null, 'disconnected', null, 'disconnected']);
  });

  it('keeps reconnect delays capped during a long outage', () => {
    for (let i = 0; i < 12; i++) {
      latest().drop();
      vi.advanceTimersByTime(7_500); // the capped delay with random 0.5
    }
    expect(FakeSocket.all.length).toBe(13);
  });

  it('goes stale after 10 s without a frame, and live again on the next', () => {
    latest().send('x');
    vi.advanceTimersByTime(9_999);
    expect(socket.status.live).toBe(true);
    vi.advanceTimersByTime(1);
    expect(socket.status).toEqual({ live: false, problem: 'silent' });
    latest().send('y');
    expect(socket.status).toEqual({ live: true, problem: null });
  });

  it('heartbeats keep it live', () => {
    latest().send('x');
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(5_000);
      latest().send('beat');
    }
    expect(socket.status.live).toBe(true);
    expect(statuses.length).toBe(1);
  });

  it('replaces a connection that stays silent (half-open)', () => {
    const first = latest();
    first.send('x');
    vi.advanceTimersByTime(20_000);
    expect(first.closed).toBe(true);
    expect(socket.status.problem).toBe('disconnected');
    vi.advanceTimersByTime(400);
    expect(FakeSocket.all.length).toBe(2);
    // Late events from the old socket are ignored.
    first.send('late');
    expect(messages).toEqual(['x']);
  });

  it('stops for good', () => {
    socket.stop();
    expect(latest().closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all.length).toBe(1);
  });
});
