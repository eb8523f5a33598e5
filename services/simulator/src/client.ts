/**
 * A minimal AMI client over real TCP, for the simulator's tests and for poking at a running
 * simulator by hand. Not the collector: it keeps every frame and does no reconnecting.
 */
import net from 'node:net';
import { formatFrame, type Header, parseHeaders } from './protocol.ts';

export type Frame = Header[];

export function field(frame: Frame, key: string): string | undefined {
  const k = key.toLowerCase();
  return frame.find(([name]) => name.toLowerCase() === k)?.[1];
}

/** Splits a raw AMI byte stream (banner line, then frames ended by an empty line). */
export function parseStream(text: string): { banner: string; frames: Frame[]; rest: string } {
  const nl = text.indexOf('\r\n');
  const banner = nl >= 0 ? text.slice(0, nl) : '';
  let body = nl >= 0 ? text.slice(nl + 2) : text;
  const frames: Frame[] = [];
  for (;;) {
    const end = body.indexOf('\r\n\r\n');
    if (end < 0) break;
    frames.push(parseHeaders(body.slice(0, end)));
    body = body.slice(end + 4);
  }
  return { banner, frames, rest: body };
}

interface Waiter {
  pred: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
}

export class AmiClient {
  banner = '';
  readonly frames: Frame[] = [];
  readonly closed: Promise<void>;
  private buffer = '';
  private gotBanner = false;
  private waiters: Waiter[] = [];
  private seq = 0;
  private bannerWaiter: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<AmiClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host);
      const client = new AmiClient(socket);
      socket.once('error', reject);
      client.bannerWaiter = () => resolve(client);
    });
  }

  get events(): Frame[] {
    return this.frames.filter((f) => field(f, 'Event') !== undefined);
  }

  send(headers: Record<string, string> | Header[]): void {
    const list: Header[] = Array.isArray(headers) ? headers : Object.entries(headers);
    this.socket.write(formatFrame(list));
  }

  /** Sends an action with a fresh ActionID and resolves with its Response frame. */
  action(headers: Record<string, string>, timeoutMs = 5000): Promise<Frame> {
    const id = headers.ActionID ?? `t${++this.seq}`;
    const p = this.waitFor((f) => field(f, 'Response') !== undefined && field(f, 'ActionID') === id, timeoutMs);
    this.send({ ...headers, ActionID: id });
    return p;
  }

  /** Sends a list action and resolves with every frame of the list, the completion included. */
  async list(headers: Record<string, string>, complete: string, timeoutMs = 5000): Promise<Frame[]> {
    const id = `t${++this.seq}`;
    const start = this.frames.length;
    const done = this.waitFor((f) => field(f, 'Event') === complete && field(f, 'ActionID') === id, timeoutMs);
    this.send({ ...headers, ActionID: id });
    await done;
    return this.frames.slice(start).filter((f) => field(f, 'ActionID') === id);
  }

  login(username = 'belofte', secret = 'belofte', events?: string): Promise<Frame> {
    return this.action({ Action: 'Login', Username: username, Secret: secret, ...(events !== undefined ? { Events: events } : {}) });
  }

  /** Resolves with the first frame (already received or future) that matches. */
  waitFor(pred: (f: Frame) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<Frame> {
    const seen = this.frames.slice(fromIndex).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { pred, resolve: (f) => { clearTimeout(timer); resolve(f); } };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('timed out waiting for an AMI frame'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    if (!this.gotBanner) {
      const nl = this.buffer.indexOf('\r\n');
      if (nl < 0) return;
      this.banner = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 2);
      this.gotBanner = true;
      this.bannerWaiter?.();
    }
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) break;
      const frame = parseHeaders(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 4);
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.pred(frame)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          w.resolve(frame);
        }
      }
    }
  }
}
