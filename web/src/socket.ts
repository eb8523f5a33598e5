/**
 * A tiny reconnecting WebSocket client.
 *
 * - Reconnects by itself after a drop, with exponential backoff and jitter, capped (~10 s).
 * - Watches the heartbeat: the server sends a frame at least every 5 s, so no frame for
 *   `staleAfterMs` (10 s) means the figures are stale; after twice that the connection is
 *   presumed half-open and is replaced.
 * - Reports one thing to its owner besides the frames: whether it is live, and if not, why.
 */

export type SocketProblem = 'connecting' | 'disconnected' | 'silent';

export interface SocketStatus {
  /** True while frames arrive in time. */
  live: boolean;
  problem: SocketProblem | null;
}

/** The part of the browser WebSocket this client uses (so tests can substitute one). */
export interface WebSocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
  random?: () => number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): the exponential step base·2^attempt,
 * capped at capMs, with "equal jitter" — a random point in its upper half — so a room full
 * of TVs does not reconnect in lockstep after a server restart, and no delay is ever ~0.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 500;
  const cap = opts.capMs ?? 10_000;
  const random = opts.random ?? Math.random;
  const step = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt, 30)));
  return step / 2 + random() * (step / 2);
}

export interface ReconnectingSocketOptions extends BackoffOptions {
  url: string;
  onMessage: (data: string) => void;
  onStatus?: (status: SocketStatus) => void;
  /** No frame for this long → stale (default 10 s). */
  staleAfterMs?: number;
  /** Replace the connection after this long without a frame (default 2 × staleAfterMs). */
  reconnectAfterMs?: number;
  createSocket?: WebSocketFactory;
}

export class ReconnectingSocket {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private staleTimer: ReturnType<typeof setTimeout> | null = null;
  private deadTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private current: SocketStatus = { live: false, problem: 'connecting' };
  private readonly staleAfterMs: number;
  private readonly reconnectAfterMs: number;
  private readonly createSocket: WebSocketFactory;

  constructor(private readonly opts: ReconnectingSocketOptions) {
    this.staleAfterMs = opts.staleAfterMs ?? 10_000;
    this.reconnectAfterMs = opts.reconnectAfterMs ?? 2 * this.staleAfterMs;
    this.createSocket =
      opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
  }

  get status(): SocketStatus {
    return this.current;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.drop();
  }

  private setStatus(status: SocketStatus): void {
    if (status.live === this.current.live && status.problem === this.current.problem) return;
    this.current = status;
    this.opts.onStatus?.(status);
  }

  private connect(): void {
    if (this.stopped) return;
    this.drop();
    let ws: WebSocketLike;
    try {
      ws = this.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    // Until the first frame arrives the figures on screen are not known to be current.
    this.armHeartbeat();
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      // Only a frame proves the connection works; an accept-then-close loop keeps backing off.
      this.attempt = 0;
      this.armHeartbeat();
      this.setStatus({ live: true, problem: null });
      if (typeof ev.data === 'string') this.opts.onMessage(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setStatus({ live: false, problem: 'disconnected' });
      this.scheduleReconnect();
    };
    // Browsers follow an error with close; nothing else to do here.
    ws.onerror = () => {};
  }

  /** Detaches and closes the current socket without triggering the reconnect path. */
  private drop(): void {
    const ws = this.ws;
    this.ws = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
  }

  private scheduleReconnect(): void {
    this.clearTimers();
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.opts);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private armHeartbeat(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    if (this.deadTimer) clearTimeout(this.deadTimer);
    this.staleTimer = setTimeout(() => {
      this.staleTimer = null;
      if (this.current.live) this.setStatus({ live: false, problem: 'silent' });
    }, this.staleAfterMs);
    this.deadTimer = setTimeout(() => {
      this.deadTimer = null;
      // Silent for too long: the connection may be half-open. Replace it.
      this.drop();
      if (this.current.live || this.current.problem !== 'connecting') {
        this.setStatus({ live: false, problem: 'disconnected' });
      }
      this.scheduleReconnect();
    }, this.reconnectAfterMs);
  }

  private clearTimers(): void {
    for (const timer of [this.reconnectTimer, this.staleTimer, this.deadTimer]) if (timer) clearTimeout(timer);
    this.reconnectTimer = this.staleTimer = this.deadTimer = null;
  }
}
