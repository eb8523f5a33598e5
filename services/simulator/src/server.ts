/**
 * The TCP side: one session per client, as Asterisk's manager does it. A session sees no
 * events before it logs in; afterwards every event its event mask lets through. Writes never
 * wait for a client: a client that stops reading is dropped once its backlog is too large
 * (Asterisk drops a session whose writes time out), so it cannot stall the switch.
 *
 * With `flowControl` (a week played fast), a client that falls behind holds the switch back
 * instead: `onBacklog(true)` once a session has more than FLOW_HIGH_WATER unsent, `false` when
 * every such session has drained, so a collector on a slow machine misses nothing. A session
 * that stays behind for FLOW_STALL_MS is taken for dead and dropped, so it cannot stop the week.
 */
import net from 'node:net';
import * as A from './actions.ts';
import type { ActionContext } from './actions.ts';
import { type AmiEvent, eventTv, formatEvent, fullyBooted, successfulAuth } from './events.ts';
import { type Action, BANNER, FrameReader, formatResponse, formatTimestamp } from './protocol.ts';
import type { Rng } from './rng.ts';

/** Event classes Asterisk knows (manager.c perms[]); `all` and `on` mean every class. */
const CLASSES = ['system', 'call', 'log', 'verbose', 'command', 'agent', 'user', 'config', 'dtmf', 'reporting', 'cdr', 'dialplan', 'originate', 'agi', 'cc', 'aoc', 'test', 'security', 'message'];

/** Backlog after which a session that does not read is dropped. */
const MAX_BACKLOG = 8 * 1024 * 1024;
/** Flow control: unsent bytes at which a session holds the switch back. */
const FLOW_HIGH_WATER = 1024 * 1024;
/** Flow control: a session behind for this long (wall ms) is dropped. */
const FLOW_STALL_MS = 20_000;

type Mask = 'all' | Set<string>;

/** set_eventmask(): on/yes/true, off/no/false, a number, or a list of class names. */
export function parseEventMask(value: string): Mask | null {
  const v = value.trim().toLowerCase();
  if (['on', 'yes', 'true', 'all', '-1'].includes(v)) return 'all';
  if (['off', 'no', 'false', '0', ''].includes(v)) return new Set();
  if (/^\d+$/.test(v)) return Number(v) === 0 ? new Set() : 'all';
  const set = new Set<string>();
  for (const part of v.split(',')) {
    const c = part.trim();
    if (c === 'all') return 'all';
    if (CLASSES.includes(c)) set.add(c);
  }
  return set;
}

function allows(mask: Mask, privilege: string): boolean {
  if (mask === 'all') return true;
  if (mask.size === 0) return false;
  return privilege.split(',').some((c) => c !== 'all' && mask.has(c));
}

export interface ServerOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  /** Hold the switch back while a client is behind, rather than drop the client (see above). */
  flowControl?: boolean;
}

class Session {
  readonly reader = new FrameReader();
  authenticated = false;
  mask: Mask = 'all';
  /** Fed by `send()`: the script paces itself, so a backlog never drops this session. */
  scripted = false;
  readonly sessionId: string;

  constructor(readonly socket: net.Socket, readonly id: number, rng: Rng) {
    this.sessionId = `0x7f${rng.hex(10)}`;
  }

  write(data: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    if (this.socket.writableLength > MAX_BACKLOG && !this.scripted) {
      this.socket.destroy();
      return;
    }
    this.socket.write(data);
  }
}

export class AmiServer {
  private readonly server: net.Server;
  private readonly sessions = new Set<Session>();
  private nextId = 1;
  /** Sessions behind on their reading (flow control), with a timer that drops a stalled one. */
  private readonly behind = new Map<Session, NodeJS.Timeout>();
  /** Events written to sessions (an event sent to two sessions counts twice). */
  eventsSent = 0;
  /** Successful logins, across sessions. */
  logins = 0;
  /** Resync actions answered (QueueStatus, CoreShowChannels), across sessions. */
  resyncs = 0;
  /** Every action received, by name as sent, in order (all sessions). */
  readonly actions: string[] = [];
  /** Resolves at the first successful login. */
  readonly loggedIn: Promise<void>;
  private resolveLogin!: () => void;
  /** Called after every successful login (scenarios that start on login). */
  onLogin: () => void = () => {};
  /** Flow control: true when some session fell behind, false when all caught up. */
  onBacklog: (behind: boolean) => void = () => {};

  constructor(
    private readonly opts: ServerOptions,
    private readonly ctx: ActionContext & { bootAt: number; stamp(): number },
    private readonly rng: Rng,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = 256;
    this.loggedIn = new Promise((resolve) => (this.resolveLogin = resolve));
  }

  /** Logged-in sessions (the collectors listening). */
  get listeners(): number {
    let n = 0;
    for (const s of this.sessions) if (s.authenticated) n++;
    return n;
  }

  /**
   * Writes these bytes, exactly as given, to every logged-in session: scripted frames, or
   * hostile input no real switch would send. Unlike events, a session that does not read is
   * not dropped: the script paces itself — false means a socket buffer is full, wait for
   * `drained()`.
   */
  send(data: string | Uint8Array, encoding: BufferEncoding = 'utf8'): boolean {
    let ok = true;
    for (const s of this.sessions) {
      if (!s.authenticated || s.socket.destroyed) continue;
      s.scripted = true;
      if (!(typeof data === 'string' ? s.socket.write(data, encoding) : s.socket.write(data))) ok = false;
    }
    return ok;
  }

  /** Resolves when every session's socket buffer has drained (or the session closed). */
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

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : this.opts.port);
      });
    });
  }

  /** Sends an event to every logged-in session whose mask lets it through. */
  broadcast(e: AmiEvent): void {
    if (this.sessions.size === 0) return;
    let text: string | null = null;
    for (const s of this.sessions) {
      if (!s.authenticated || !allows(s.mask, e.privilege)) continue;
      text ??= formatEvent(e, formatTimestamp(e.us));
      s.write(text);
      this.eventsSent++;
      if (this.opts.flowControl && !this.behind.has(s) && s.socket.writableLength > FLOW_HIGH_WATER) this.fallBehind(s);
    }
  }

  private fallBehind(s: Session): void {
    const stall = setTimeout(() => s.socket.destroy(), FLOW_STALL_MS);
    stall.unref();
    this.behind.set(s, stall);
    if (this.behind.size === 1) this.onBacklog(true);
    // 'drain': the socket's buffer is empty again (a write returned false above the 16 KiB mark).
    s.socket.once('drain', () => this.caughtUp(s));
  }

  private caughtUp(s: Session): void {
    const stall = this.behind.get(s);
    if (stall === undefined) return;
    clearTimeout(stall);
    this.behind.delete(s);
    if (this.behind.size === 0) this.onBacklog(false);
  }

  /** Cuts every client, like a network failure; the server keeps listening. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  close(): Promise<void> {
    this.dropConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    const session = new Session(socket, this.nextId++, this.rng);
    this.sessions.add(session);
    socket.on('data', (chunk: string) => {
      let actions: Action[];
      try {
        actions = session.reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const action of actions) {
        if (socket.destroyed) break;
        this.handle(session, action);
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sessions.delete(session);
      this.caughtUp(session);
    });
    session.write(BANNER);
  }

  private handle(s: Session, action: Action): void {
    this.actions.push(action.name);
    const name = action.name.toLowerCase();
    if (!name) {
      s.write(A.errorResponse(action, 'Missing action in request'));
      return;
    }
    if (!s.authenticated && name !== 'login' && name !== 'logoff' && name !== 'challenge') {
      s.write(A.errorResponse(action, 'Permission denied'));
      return;
    }
    switch (name) {
      case 'login':
        return this.login(s, action);
      case 'logoff':
        s.write(formatResponse('Goodbye', action.actionId, [['Message', 'Thanks for all the fish.']]));
        s.socket.end();
        this.sessions.delete(s);
        return;
      case 'ping':
        return s.write(A.ping(action, this.ctx));
      case 'events': {
        const mask = parseEventMask(action.get('EventMask') ?? '');
        if (mask === null) return s.write(A.errorResponse(action, 'Invalid event mask'));
        s.mask = mask;
        const on = mask === 'all' || mask.size > 0;
        return s.write(formatResponse('Success', action.actionId, [['Events', on ? 'On' : 'Off']]));
      }
      case 'queuestatus':
        this.resyncs++;
        return s.write(A.queueStatus(action, this.ctx));
      case 'queuesummary':
        return s.write(A.queueSummary(action, this.ctx));
      case 'coreshowchannels':
        this.resyncs++;
        return s.write(A.coreShowChannels(action, this.ctx));
      case 'queuepause':
        return s.write(A.queuePause(action, this.ctx));
      case 'queueadd':
        return s.write(A.queueAdd(action, this.ctx));
      case 'queueremove':
        return s.write(A.queueRemove(action, this.ctx));
      default:
        return s.write(A.errorResponse(action, `Invalid/unknown command: ${action.name}. Use Action: ListCommands to show available commands.`));
    }
  }

  private login(s: Session, action: Action): void {
    if (s.authenticated) {
      s.write(A.successResponse(action, 'Already authenticated'));
      return;
    }
    const user = action.get('Username') ?? '';
    const secret = action.get('Secret') ?? '';
    if (user.toLowerCase() !== this.opts.username.toLowerCase() || secret !== this.opts.secret) {
      // Asterisk answers after a one second penalty and then closes the session; the brief for
      // Belofte asks to keep it open, so a client may simply try again.
      s.write(A.errorResponse(action, 'Authentication failed'));
      return;
    }
    const events = action.get('Events');
    if (events !== undefined) s.mask = parseEventMask(events) ?? 'all';
    s.authenticated = true;
    this.logins++;
    s.write(A.successResponse(action, 'Authentication accepted'));
    const now = this.ctx.now();
    if (allows(s.mask, 'system,all')) {
      const up = Math.max(0, Math.floor((now - this.ctx.bootAt) / 1000));
      s.write(formatEvent(fullyBooted(up, up), ''));
    }
    const addr = this.server.address();
    const localPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
    const us = this.ctx.stamp();
    const e = successfulAuth({
      eventTv: eventTv(us / 1000),
      accountId: user,
      sessionId: s.sessionId,
      localAddress: `IPV4/TCP/${s.socket.localAddress?.replace(/^::ffff:/, '') ?? this.opts.host}/${localPort}`,
      remoteAddress: `IPV4/TCP/${s.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1'}/${s.socket.remotePort ?? 0}`,
    });
    e.us = us;
    this.broadcast(e);
    this.resolveLogin();
    this.onLogin();
  }
}
