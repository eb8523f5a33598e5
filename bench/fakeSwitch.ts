/**
 * A stand-in Asterisk for the benchmarks: a TCP server on 127.0.0.1 that speaks enough AMI for
 * a collector to connect (banner, Login, Ping, QueueStatus and CoreShowChannels with empty
 * lists, Logoff), and a call player that writes calls made of a real captured call, firehose
 * and all, at a given rate with event times on the wall clock.
 */
import net from 'node:net';
import { BANNER, formatMicros, type CallTemplate } from './corpus.ts';
import { listen, onCleanup, rng } from './lib.ts';

interface Session {
  socket: net.Socket;
  loggedIn: boolean;
  buffer: string;
}

export class FakeSwitch {
  readonly sessions = new Set<Session>();
  /** Resync actions answered (QueueStatus, CoreShowChannels), across sessions. */
  resyncs = 0;
  logins = 0;
  private readonly server: net.Server;
  port = 0;

  private constructor() {
    this.server = net.createServer((socket) => this.accept(socket));
  }

  static async start(): Promise<FakeSwitch> {
    const s = new FakeSwitch();
    s.port = await listen(s.server);
    onCleanup(() => s.close());
    return s;
  }

  /** Logged-in sessions (the collectors listening). */
  get listeners(): number {
    let n = 0;
    for (const s of this.sessions) if (s.loggedIn) n++;
    return n;
  }

  /**
   * Writes event text to every logged-in session, as Asterisk does. Returns false when a
   * session's socket buffer is full: the caller should wait for `drained()`.
   */
  write(text: string): boolean {
    let ok = true;
    for (const s of this.sessions) if (s.loggedIn && !s.socket.write(text, 'latin1')) ok = false;
    return ok;
  }

  drained(): Promise<void> {
    const waits: Array<Promise<void>> = [];
    for (const s of this.sessions) {
      if (!s.socket.writableNeedDrain) continue;
      waits.push(
        new Promise((resolve) => {
          const done = () => {
            s.socket.off('drain', done);
            s.socket.off('close', done);
            resolve();
          };
          s.socket.on('drain', done);
          s.socket.on('close', done);
        }),
      );
    }
    return Promise.all(waits).then(() => undefined);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const s of this.sessions) s.socket.destroy();
      this.server.close(() => resolve());
    });
  }

  private accept(socket: net.Socket): void {
    const s: Session = { socket, loggedIn: false, buffer: '' };
    this.sessions.add(s);
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('error', () => undefined);
    socket.on('close', () => this.sessions.delete(s));
    socket.on('data', (chunk: string) => {
      s.buffer += chunk;
      for (;;) {
        const end = s.buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const raw = s.buffer.slice(0, end);
        s.buffer = s.buffer.slice(end + 4);
        this.action(s, raw);
      }
      if (s.buffer.length > 64 * 1024) socket.destroy();
    });
    socket.write(BANNER);
  }

  private action(s: Session, raw: string): void {
    const h = new Map<string, string>();
    for (const line of raw.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const id = h.get('actionid');
    const idLine = id ? `ActionID: ${id}\r\n` : '';
    const now = formatMicros(Date.now() * 1000);
    switch ((h.get('action') ?? '').toLowerCase()) {
      case 'login':
        s.loggedIn = true;
        this.logins++;
        s.socket.write(`Response: Success\r\n${idLine}Message: Authentication accepted\r\n\r\nEvent: FullyBooted\r\nPrivilege: system,all\r\nUptime: 4\r\nLastReload: 4\r\nStatus: Fully Booted\r\n\r\n`);
        break;
      case 'ping':
        s.socket.write(`Response: Success\r\n${idLine}Ping: Pong\r\nTimestamp: ${now}\r\n\r\n`);
        break;
      case 'queuestatus':
        s.socket.write(`Response: Success\r\n${idLine}EventList: start\r\nMessage: Queue status will follow\r\n\r\nEvent: QueueStatusComplete\r\n${idLine}EventList: Complete\r\nListItems: 0\r\n\r\n`);
        this.resyncs++;
        break;
      case 'coreshowchannels':
        s.socket.write(`Response: Success\r\n${idLine}EventList: start\r\nMessage: Channels will follow\r\n\r\nEvent: CoreShowChannelsComplete\r\n${idLine}EventList: Complete\r\nListItems: 0\r\n\r\n`);
        this.resyncs++;
        break;
      case 'logoff':
        s.socket.end(`Response: Goodbye\r\n${idLine}Message: Thanks for all the fish.\r\n\r\n`);
        break;
      default:
        s.socket.write(`Response: Error\r\n${idLine}Message: Invalid/unknown command\r\n\r\n`);
    }
  }
}

// ------------------------------------------------------------------ live calls

export interface PlayerOptions {
  callsPerSec: number;
  queues: string[];
  agents: string[];
  seed?: number;
  /** Called right after the bytes of a QueueCallerJoin were handed to the socket. */
  onJoin?: (seq: number, writtenAt: number) => void;
}

interface Due {
  atUs: number;
  call: number;
  frame: number;
}

/**
 * Plays calls at `callsPerSec` (Poisson arrivals, fixed seed) on the switch: each call is the
 * captured call with its own ids, agent and queue, every frame at its captured offset from
 * the call's start, stamped with the wall-clock time it is written. Frames due together go
 * out in one write, as Asterisk's do.
 */
export class CallPlayer {
  joins = 0;
  calls = 0;
  frames = 0;
  bytes = 0;
  /** Writes that found a socket buffer full (the collector not keeping up). */
  backpressured = 0;
  private heap: Due[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextCallUs = 0;
  private starting = false;
  private readonly random: () => number;
  private readonly epochUs0 = Date.now() * 1000;
  private readonly perf0 = performance.now();
  private readonly shift: number[] = [];

  constructor(
    private readonly sw: FakeSwitch,
    private readonly call: CallTemplate,
    private readonly o: PlayerOptions,
  ) {
    this.random = rng(o.seed ?? 42);
    onCleanup(() => this.stop());
  }

  private nowUs(): number {
    return this.epochUs0 + (performance.now() - this.perf0) * 1000;
  }

  start(): void {
    this.starting = true;
    this.nextCallUs = this.nowUs();
    const tick = () => {
      this.tick();
      if (this.timer) this.timer = setTimeout(tick, 1);
    };
    this.timer = setTimeout(tick, 1);
  }

  /** No new calls; calls in progress play on. */
  stopStarting(): void {
    this.starting = false;
  }

  stop(): void {
    this.starting = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get inProgress(): number {
    return this.heap.length;
  }

  private tick(): void {
    const now = this.nowUs();
    while (this.starting && this.nextCallUs <= now) {
      const i = this.calls++;
      this.shift[i] = this.nextCallUs - this.call.frames[0]!.template.atUs;
      this.push({ atUs: this.nextCallUs, call: i, frame: 0 });
      // Exponential gaps: calls arrive at random, at the given rate on average.
      this.nextCallUs += (-Math.log(1 - this.random()) / this.o.callsPerSec) * 1e6;
    }
    let out = '';
    let joins = 0;
    while (this.heap.length && this.heap[0]!.atUs <= now) {
      const d = this.pop();
      const f = this.call.frames[d.frame]!;
      const agent = this.o.agents[d.call % this.o.agents.length]!;
      const queue = this.o.queues[d.call % this.o.queues.length]!;
      out += f.template.render(
        { shiftUs: this.shift[d.call]!, idOffset: d.call * 1000, channelOffset: d.call * 0x100, agent: () => agent, queue: () => queue },
        d.atUs,
      );
      this.frames++;
      if (f.isJoin) joins++;
      const next = d.frame + 1;
      if (next < this.call.frames.length) this.push({ atUs: this.shift[d.call]! + this.call.frames[next]!.template.atUs, call: d.call, frame: next });
      else delete this.shift[d.call];
    }
    if (!out) return;
    this.bytes += out.length;
    if (!this.sw.write(out)) this.backpressured++;
    const writtenAt = performance.now();
    for (let j = 0; j < joins; j++) this.o.onJoin?.(++this.joins, writtenAt);
  }

  private push(d: Due): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.atUs <= d.atUs) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = d;
  }

  private pop(): Due {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let v = last;
        if (l < h.length && h[l]!.atUs < v.atUs) {
          m = l;
          v = h[l]!;
        }
        if (r < h.length && h[r]!.atUs < v.atUs) m = r;
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
