/**
 * One supervised AMI session: connect, log in, keep alive, reconnect.
 *
 * - Reconnect with exponential backoff and jitter (a restarting Asterisk takes seconds to
 *   listen again; many collectors must not hammer it in step).
 * - `Ping` every interval with a timeout: a switch that vanished without a FIN (power loss,
 *   a NAT dropping the flow) is only noticed this way.
 * - Action ids are ours (`belofte-<n>`), unique per process, and list answers
 *   (`EventList: start` … `…Complete`) are collected per id, because Asterisk sends the list
 *   events of `QueueStatus` only to the session that asked.
 * - A refused login is not retried fast: it names the cause and the setting to fix.
 */
import { EventEmitter } from 'node:events';
import type { Fields } from './frameParser.ts';
import { createTransport, type AmiTransport, type TransportKind } from './transport.ts';

export interface AmiClientOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  transport: TransportKind;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  connectTimeoutMs: number;
}

export interface ActionResult {
  response: Fields;
  /** The events of a list answer, without the closing `…Complete` event. */
  events: Fields[];
}

export interface AmiClientEvents {
  connected: [];
  disconnected: [reason: string];
  loginFailed: [message: string];
  /** An event (not an action answer) with its receipt time. */
  event: [fields: Fields, receivedAt: number];
  skipped: [eventName: string];
  malformed: [text: string, reason: string];
  /** A Ping answer: the switch's `Timestamp` (ms; NaN when it sent none) between our send and receipt times. */
  pong: [switchMs: number, sentAt: number, receivedAt: number];
}

interface Pending {
  resolve: (r: ActionResult) => void;
  reject: (e: Error) => void;
  response: Fields | null;
  events: Fields[];
  isList: boolean;
  timer: NodeJS.Timeout;
}

export class AmiClient extends EventEmitter<AmiClientEvents> {
  private transport: AmiTransport | null = null;
  private connected = false;
  private stopped = true;
  private attempt = 0;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private pingTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Reconnects since start (a metric). */
  reconnects = 0;

  constructor(private readonly o: AmiClientOptions) {
    super();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.connected) {
      try {
        await this.action({ Action: 'Logoff' }, 1_000);
      } catch {
        // Going away anyway.
      }
    }
    this.teardown('stopped');
  }

  /**
   * Sends an action and resolves with its answer; for list actions with every list event.
   * Rejects on `Response: Error`, on timeout and when the session drops.
   */
  action(action: Record<string, string>, timeoutMs = 10_000): Promise<ActionResult> {
    if (!this.transport || !this.connected) return Promise.reject(new Error('not connected to the phone switch'));
    const id = `belofte-${this.nextId++}`;
    return new Promise<ActionResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${action.Action} got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, response: null, events: [], isList: false, timer });
      this.transport!.send({ ...action, ActionID: id });
    });
  }

  private open(): void {
    const t = createTransport(this.o.transport, {
      host: this.o.host,
      port: this.o.port,
      username: this.o.username,
      secret: this.o.secret,
      connectTimeoutMs: this.o.connectTimeoutMs,
    });
    this.transport = t;
    t.on('ready', () => {
      this.connected = true;
      this.attempt = 0;
      this.startPing();
      this.emit('connected');
    });
    t.on('loginFailed', (message) => {
      this.emit('loginFailed', message);
      // Already reported as loginFailed: not also a 'disconnected'.
      this.teardown(`login refused: ${message}`, 60_000, true);
    });
    t.on('frame', (fields, at) => this.onFrame(fields, at));
    t.on('skipped', (name) => this.emit('skipped', name));
    t.on('malformed', (text, reason) => this.emit('malformed', text, reason));
    t.on('closed', (reason) => {
      if (this.transport === t) this.teardown(reason);
    });
    t.open();
  }

  private onFrame(fields: Fields, receivedAt: number): void {
    const id = fields.actionid;
    const p = id ? this.pending.get(id) : undefined;
    if (!p) {
      if (fields.event) this.emit('event', fields, receivedAt);
      return;
    }
    if (fields.response !== undefined && p.response === null) {
      if (fields.response === 'Error') {
        this.finish(id!, p);
        p.reject(new Error(fields.message ?? 'action failed'));
        return;
      }
      p.response = fields;
      p.isList = fields.eventlist === 'start' || /will follow/i.test(fields.message ?? '');
      if (!p.isList) {
        this.finish(id!, p);
        p.resolve({ response: fields, events: [] });
      }
      return;
    }
    if (fields.event !== undefined) {
      if (fields.eventlist === 'Complete' || fields.event.endsWith('Complete')) {
        this.finish(id!, p);
        p.resolve({ response: p.response ?? fields, events: p.events });
      } else {
        p.events.push(fields);
      }
    }
  }

  private finish(id: string, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(id);
  }

  /** Pings the switch; the answer's Timestamp is reported as `pong` (the clock offset comes from these). */
  async ping(timeoutMs = this.o.pingTimeoutMs): Promise<void> {
    const sentAt = Date.now();
    const r = await this.action({ Action: 'Ping' }, timeoutMs);
    this.emit('pong', Number(r.response.timestamp) * 1000, sentAt, Date.now());
  }

  private startPing(): void {
    this.stopPing();
    this.pingTimer = setInterval(() => {
      void this.ping().catch((e: Error) => {
        // No Pong: the switch is gone even if the socket does not know yet.
        if (this.connected) this.transport?.close();
        if (this.connected) this.teardown(`ping failed: ${e.message}`);
      });
    }, this.o.pingIntervalMs);
    this.pingTimer.unref();
  }

  private stopPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }

  private teardown(reason: string, minDelayMs = 0, reported = false): void {
    const wasConnected = this.connected;
    this.connected = false;
    this.stopPing();
    const t = this.transport;
    this.transport = null;
    t?.removeAllListeners();
    t?.close();
    for (const [id, p] of this.pending) {
      this.finish(id, p);
      p.reject(new Error(`connection lost: ${reason}`));
    }
    if (!reported && (wasConnected || this.attempt === 0)) this.emit('disconnected', reason);
    if (this.stopped) return;
    const base = Math.min(this.o.reconnectMaxMs, this.o.reconnectMinMs * 2 ** this.attempt);
    const delay = Math.max(minDelayMs, base / 2 + Math.random() * (base / 2));
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped) return;
      this.reconnects++;
      this.open();
    }, delay);
  }
}
