/**
 * The byte level of an AMI session, in two interchangeable implementations:
 *
 * - `lean` (default): a plain TCP socket and Belofte's FrameParser. It logs in with
 *   `Events: on` and reads frames without building objects for the firehose it skips.
 * - `asterisk-manager`: the npm package, for sites that prefer it. Its login sends `Event:`
 *   where Asterisk expects `Events:` (so Asterisk falls back to the user's read classes),
 *   its reconnect waits 10–60 s and has no heartbeat — so Belofte only uses it to connect,
 *   log in and read; reconnect, ping and action ids stay in AmiClient.
 *
 * Both deliver frames as lower-case-keyed Fields, so nothing above this file knows which
 * one is in use (bench/ compares them on the real captures).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { createRequire } from 'node:module';
import { FrameParser, type Fields } from './frameParser.ts';
import { WANTED_EVENTS } from './normalise.ts';

export interface TransportEvents {
  /** Logged in: events flow from now on. */
  ready: [];
  /** The switch refused the login; the message says why. */
  loginFailed: [message: string];
  frame: [fields: Fields, receivedAt: number];
  skipped: [eventName: string];
  malformed: [text: string, reason: string];
  /** The session ended (socket closed or failed). */
  closed: [reason: string];
}

export interface TransportOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  connectTimeoutMs: number;
}

export interface AmiTransport extends EventEmitter<TransportEvents> {
  open(): void;
  /** Writes one action (keys as Asterisk spells them, ActionID included). */
  send(action: Record<string, string>): void;
  close(): void;
}

export type TransportKind = 'lean' | 'asterisk-manager';

export function createTransport(kind: TransportKind, options: TransportOptions): AmiTransport {
  return kind === 'asterisk-manager' ? new AsteriskManagerTransport(options) : new LeanTransport(options);
}

/** Formats an action frame. Values cannot contain CR/LF: that would inject a second header. */
export function formatAction(action: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(action)) out += `${k}: ${String(v).replace(/[\r\n]+/g, ' ')}\r\n`;
  return out + '\r\n';
}

class LeanTransport extends EventEmitter<TransportEvents> implements AmiTransport {
  private socket: net.Socket | null = null;
  private loggedIn = false;
  private readonly loginId = `login-${process.pid}-${Date.now()}`;

  constructor(private readonly o: TransportOptions) {
    super();
  }

  open(): void {
    this.loggedIn = false;
    const parser = new FrameParser(
      {
        banner: () => {
          // Asterisk speaks first; log in as soon as it has.
          this.send({ Action: 'Login', ActionID: this.loginId, Username: this.o.username, Secret: this.o.secret, Events: 'on' });
        },
        frame: (fields) => this.onFrame(fields),
        skipped: (name) => this.emit('skipped', name),
        malformed: (text, reason) => this.emit('malformed', text, reason),
      },
      { wants: (name) => WANTED_EVENTS.has(name) },
    );
    const socket = net.createConnection({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    socket.setTimeout(this.o.connectTimeoutMs, () => {
      if (!this.loggedIn) socket.destroy(new Error(`no answer from ${this.o.host}:${this.o.port} within ${this.o.connectTimeoutMs} ms`));
    });
    socket.on('data', (chunk) => parser.push(chunk));
    socket.on('error', (e) => this.emit('closed', e.message));
    socket.on('close', () => {
      if (this.socket === socket) {
        this.socket = null;
        this.emit('closed', 'connection closed');
      }
    });
  }

  private onFrame(fields: Fields): void {
    if (!this.loggedIn && fields.actionid === this.loginId) {
      if (fields.response === 'Success') {
        this.loggedIn = true;
        this.socket?.setTimeout(0);
        this.emit('ready');
      } else {
        this.emit('loginFailed', fields.message ?? 'login refused');
      }
      return;
    }
    this.emit('frame', fields, Date.now());
  }

  send(action: Record<string, string>): void {
    this.socket?.write(formatAction(action));
  }

  close(): void {
    const s = this.socket;
    this.socket = null;
    s?.destroy();
  }
}

interface ManagerLike {
  options: { port: number; host: string; username: string; password: string; events: boolean };
  connect(port: number, host: string, callback?: (err?: Error) => void): void;
  login(callback: (err?: { message?: string } | Error) => void): void;
  action(action: Record<string, string>, callback?: (err: unknown, res: unknown) => void): string;
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeAllListeners(event?: string): void;
}

class AsteriskManagerTransport extends EventEmitter<TransportEvents> implements AmiTransport {
  private manager: ManagerLike | null = null;

  constructor(private readonly o: TransportOptions) {
    super();
  }

  open(): void {
    const Manager = createRequire(import.meta.url)('asterisk-manager') as (...a: unknown[]) => ManagerLike;
    // Created without a port so it does not connect (or reconnect) on its own.
    const m = Manager();
    this.manager = m;
    m.options = { port: this.o.port, host: this.o.host, username: this.o.username, password: this.o.secret, events: true };
    let closed = false;
    const close = (reason: string) => {
      if (closed || this.manager !== m) return;
      closed = true;
      this.manager = null;
      this.emit('closed', reason);
    };
    m.on('managerevent', (evt) => this.onObject(evt as Record<string, unknown>));
    m.on('response', (evt) => this.onObject(evt as Record<string, unknown>));
    m.on('error', (e) => close((e as Error).message ?? String(e)));
    m.on('close', () => close('connection closed'));
    const timer = setTimeout(() => close(`no answer from ${this.o.host}:${this.o.port} within ${this.o.connectTimeoutMs} ms`), this.o.connectTimeoutMs);
    m.connect(this.o.port, this.o.host, () => {
      m.login((err) => {
        clearTimeout(timer);
        if (err) {
          this.emit('loginFailed', (err as { message?: string }).message ?? 'login refused');
          return;
        }
        // Its login said `Event: on`, which Asterisk ignores: ask for events properly.
        m.action({ action: 'Events', eventmask: 'on', actionid: `events-${process.pid}` });
        this.emit('ready');
      });
    });
  }

  private onObject(evt: Record<string, unknown>): void {
    const fields: Fields = {};
    for (const [k, v] of Object.entries(evt)) {
      if (typeof v === 'string') fields[k] = v;
      else if (Array.isArray(v) && typeof v[0] === 'string') fields[k] = v[0];
    }
    if (fields.event && !WANTED_EVENTS.has(fields.event)) {
      this.emit('skipped', fields.event);
      return;
    }
    this.emit('frame', fields, Date.now());
  }

  send(action: Record<string, string>): void {
    // The package writes the ActionID we give it instead of one from Date.now().
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(action)) lower[k.toLowerCase()] = v;
    this.manager?.action(lower);
  }

  close(): void {
    const m = this.manager;
    this.manager = null;
    if (m) {
      m.removeAllListeners('close');
      m.disconnect();
    }
  }
}
