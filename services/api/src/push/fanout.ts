/**
 * Live figures over WebSockets.
 *
 * The collector publishes a change notice after every batch it writes; this process
 * re-reads the figures once per notice burst (at most one read in flight, a notice during a
 * read triggers one more) and sends the same text frame to every socket of that window.
 * A new socket gets the full document with the next read (at most minIntervalMs away); every
 * later frame carries only the agent tiles that changed (services/shared/src/liveFrame.ts),
 * so a 600-agent centre's steady frame stays a few KB instead of ~200 KB. It
 * keeps no figures of its own, so any number of API processes show the same numbers.
 * A heartbeat frame goes out every few seconds even when nothing changes: waiting clocks
 * run, and a wallboard that hears nothing knows its figures are stale.
 *
 * A socket opened for one agent (`/ws?agent=<id>`, checked by the server before the upgrade)
 * gets that agent's own view (AgentSnapshot) instead: all agents' views come from one read of
 * the per-agent rollups and the calls in progress, on their own cycle (at most one per
 * `agentIntervalMs`, never awaited by the wallboards' broadcast), and a view goes out only when
 * its figures changed — or on the heartbeat.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Cluster, Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiContext } from '../context.ts';
import { Keys } from '@belofte/shared/keys';
import { TODAY, type LiveWindow } from '@belofte/shared/time';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { agentChanges } from '@belofte/shared/liveFrame';
import { RedisUnavailable, unavailableBody } from '@belofte/shared/redis';
import type { AgentSnapshot } from '../schemas/agents.ts';

/** How long start-up waits for the change-notice subscription before it listens anyway (Redis away). */
const SUBSCRIBE_WAIT_MS = 3_000;

export interface FanoutOptions {
  heartbeatMs?: number;
  /** At most one broadcast per this many ms (default 30). */
  minIntervalMs?: number;
  /** A socket with more than this unsent is a slow reader: it is closed rather than let grow. */
  maxBufferedBytes?: number;
  /** Frames a client may send per 10 s before it is closed (wallboards send none). */
  maxClientMessages?: number;
  /** At most one re-read of the agents' views per this many ms (default 1000). */
  agentIntervalMs?: number;
}

export interface FanoutStats {
  sockets: number;
  framesSent: number;
  refreshes: number;
  closedSlow: number;
  closedFlood: number;
  readErrors: number;
}

interface Client {
  ws: WebSocket;
  /** The window of a wallboard's figures (validated and parsed with the upgrade's query). */
  window: LiveWindow;
  /** Set for an agent's own view. */
  agent: string | null;
  messages: number;
  /** The agent view last sent, without its `at`: an unchanged view is not sent again. */
  lastView?: string;
  /** A wallboard that has not had its full document yet. */
  needsFull: boolean;
}

/** What the sockets of one window were last sent: the tiles the next frame's changes are against. */
interface WindowState {
  tiles: Map<string, string>;
}

export class Fanout {
  readonly stats: FanoutStats = { sockets: 0, framesSent: 0, refreshes: 0, closedSlow: 0, closedFlood: 0, readErrors: 0 };
  private readonly wss: WebSocketServer;
  private readonly clients = new Set<Client>();
  private readonly windowStates = new Map<string, WindowState>();
  private refreshing = false;
  private pending: NodeJS.Timeout | null = null;
  private lastBroadcastAt = 0;
  private readonly minIntervalMs: number;
  private dirty = false;
  private timers: NodeJS.Timeout[] = [];
  private readonly heartbeatMs: number;
  private readonly maxBuffered: number;
  private readonly maxMessages: number;
  private redisOk = true;
  private readonly agentIntervalMs: number;
  private agentsRefreshing = false;
  private agentsDirty = false;
  private agentsLastAt = 0;
  private agentsPending: NodeJS.Timeout | null = null;
  private agentsBeat = false;

  /** A failed read, as the wallboard is told: the figures are unavailable, with the reason. */
  private unavailable(e: unknown): RedisUnavailable {
    return e instanceof RedisUnavailable ? e : new RedisUnavailable(e);
  }

  constructor(
    private readonly ctx: ApiContext,
    private readonly subscriber: Redis | Cluster,
    o: FanoutOptions = {},
  ) {
    this.heartbeatMs = o.heartbeatMs ?? 5_000;
    this.minIntervalMs = o.minIntervalMs ?? 30;
    this.maxBuffered = o.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.maxMessages = o.maxClientMessages ?? 50;
    this.agentIntervalMs = o.agentIntervalMs ?? 1_000;
    // Wallboards send nothing of size: a large frame is an attack or a mistake.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 });
  }

  async start(): Promise<void> {
    this.subscriber.on('message', () => {
      this.refresh();
      this.refreshAgents(false);
    });
    // The subscriber is patient: it holds SUBSCRIBE until Redis answers and subscribes again
    // after every reconnect. Wait for it so no change notice after start-up is missed, but only
    // so long: while Redis is away the API must listen, so a wallboard loads and says so.
    let waited: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.follow(this.ctx.keys.changes), this.followSites()]),
      new Promise<void>((resolve) => (waited = setTimeout(resolve, SUBSCRIBE_WAIT_MS))),
    ]);
    clearTimeout(waited);
    const beat = setInterval(() => {
      this.refresh();
      this.refreshAgents(true);
      void this.followSites();
    }, this.heartbeatMs);
    const reset = setInterval(() => {
      for (const c of this.clients) c.messages = 0;
    }, 10_000);
    beat.unref();
    reset.unref();
    this.timers.push(beat, reset);
  }

  private readonly subscribed = new Set<string>();

  private async follow(channel: string): Promise<void> {
    if (this.subscribed.has(channel)) return;
    this.subscribed.add(channel);
    await this.subscriber.subscribe(channel).catch((e: unknown) => {
      this.subscribed.delete(channel); // the next heartbeat tries again
      this.ctx.log.debug({ err: (e as Error).message, channel }, 'could not subscribe to change notices');
    });
  }

  /** Every site shown (BELOFTE_SITES, or discovered as collectors start): its change notices too. */
  private async followSites(): Promise<void> {
    try {
      for (const site of await this.ctx.sites()) {
        const channel = new Keys(this.ctx.config.REDIS_PREFIX, site).changes;
        await this.follow(channel);
      }
    } catch (e) {
      // Redis away: the heartbeat tries again; the wallboards are told by the next frame.
      this.ctx.log.debug({ err: (e as Error).message }, 'could not look for new sites');
    }
  }

  /** Takes over an HTTP upgrade on /ws. `refuse` refuses it (status + message, optionally the error code). */
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    refuse?: { status: number; message: string; error?: string },
    target: { agent: string | null; window?: LiveWindow } = { agent: null },
  ): void {
    if (refuse) {
      const body = JSON.stringify({ error: refuse.error ?? (refuse.status === 400 ? 'bad_request' : refuse.status === 401 ? 'unauthorized' : 'forbidden'), message: refuse.message });
      socket.end(`HTTP/1.1 ${refuse.status} ${refuse.status === 400 ? 'Bad Request' : refuse.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, target.window ?? TODAY, target.agent));
  }

  private accept(ws: WebSocket, window: LiveWindow, agent: string | null): void {
    const client: Client = { ws, window, agent, messages: 0, needsFull: agent === null };
    this.clients.add(client);
    this.stats.sockets = this.clients.size;
    ws.on('message', () => {
      // Counted once: the messages already on the wire after the limit arrive anyway.
      if (++client.messages === this.maxMessages + 1) {
        this.stats.closedFlood++;
        ws.close(1008, 'too many messages');
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      this.clients.delete(client);
      this.stats.sockets = this.clients.size;
      if (![...this.clients].some((c) => c.agent === null && c.window.name === window.name)) this.windowStates.delete(window.name);
    });
    // The figures at once, not at the next change.
    if (agent !== null) {
      void this.ctx.agents([agent]).then(
        (views) => {
          const view = views.get(agent)!;
          client.lastView = JSON.stringify({ ...view, at: undefined });
          this.send(client, JSON.stringify(view));
        },
        (e) => this.ctx.log.warn({ err: (e as Error).message }, 'could not read an agent view for a new socket'),
      );
      return;
    }
    // With the next read (at once when nothing is in flight): its full document is the base
    // the changes sent to every socket of this window after it are against.
    this.refresh();
  }

  /**
   * Schedules a re-read and broadcast; coalesces bursts of notices. A collector under load
   * sends a notice per write batch (hundreds a second): at most one broadcast per
   * `minIntervalMs` keeps a thousand wallboards cheap, and the first change after a quiet
   * spell still goes out at once.
   */
  refresh(): void {
    if (this.refreshing || this.pending) {
      this.dirty = true;
      return;
    }
    if (this.clients.size === 0) return;
    const wait = this.lastBroadcastAt + this.minIntervalMs - Date.now();
    if (wait > 0) {
      this.pending = setTimeout(() => {
        this.pending = null;
        this.refresh();
      }, wait);
      return;
    }
    this.refreshing = true;
    this.lastBroadcastAt = Date.now();
    void this.broadcast().finally(() => {
      this.refreshing = false;
      if (this.dirty) {
        this.dirty = false;
        this.refresh();
      }
    });
  }

  private async broadcast(): Promise<void> {
    this.stats.refreshes++;
    // One read per window asked for (sockets of one window share it, by name).
    const windows = new Map([...this.clients].filter((c) => c.agent === null).map((c) => [c.window.name, c.window] as const));
    if (windows.size === 0) return;
    const now = Date.now();
    for (const [name, w] of windows) {
      let text: string;
      let snapshot: LiveSnapshot | null = null;
      try {
        snapshot = await this.ctx.live(w, now);
        text = JSON.stringify(snapshot);
        this.redisOk = true;
      } catch (e) {
        this.stats.readErrors++;
        if (this.redisOk) this.ctx.log.warn({ err: (e as Error).message }, 'cannot read figures from Redis; wallboards will show stale');
        this.redisOk = false;
        // Say so rather than go quiet: the wallboard greys out with the reason.
        text = JSON.stringify(unavailableBody(this.unavailable(e), now));
      }
      // Encoded once for every socket of this window, not once per socket.
      const full = Buffer.from(text);
      let frame = full;
      if (snapshot) {
        const tiles = new Map(Object.entries(snapshot.agents).map(([name, v]) => [name, JSON.stringify(v)]));
        const before = this.windowStates.get(name);
        this.windowStates.set(name, { tiles });
        if (before) frame = Buffer.from(JSON.stringify({ ...snapshot, agents: undefined, agentChanges: agentChanges(before.tiles, tiles, snapshot.agents) }));
      }
      for (const c of this.clients) {
        if (c.agent !== null || c.window.name !== name) continue;
        if (c.needsFull && snapshot) {
          c.needsFull = false;
          this.send(c, full);
        } else this.send(c, frame);
      }
    }
  }

  /**
   * The agents' views, on their own cycle: coalesced like the wallboards' broadcast, at most
   * one per agentIntervalMs. `beat`: send every view, changed or not.
   */
  refreshAgents(beat: boolean): void {
    if (beat) this.agentsBeat = true;
    if (this.agentsRefreshing || this.agentsPending) {
      this.agentsDirty = true;
      return;
    }
    if (![...this.clients].some((c) => c.agent !== null)) return;
    const wait = this.agentsLastAt + this.agentIntervalMs - Date.now();
    if (wait > 0) {
      this.agentsPending = setTimeout(() => {
        this.agentsPending = null;
        this.refreshAgents(false);
      }, wait);
      return;
    }
    this.agentsRefreshing = true;
    this.agentsLastAt = Date.now();
    const all = this.agentsBeat;
    this.agentsBeat = false;
    void this.broadcastAgents(all).finally(() => {
      this.agentsRefreshing = false;
      if (this.agentsDirty) {
        this.agentsDirty = false;
        this.refreshAgents(false);
      }
    });
  }

  private async broadcastAgents(all: boolean): Promise<void> {
    const agents = new Set([...this.clients].flatMap((c) => (c.agent === null ? [] : [c.agent])));
    if (agents.size === 0) return;
    const now = Date.now();
    let views: Map<string, AgentSnapshot> | null = null;
    let failure: string | null = null;
    try {
      views = await this.ctx.agents([...agents], now);
    } catch (e) {
      this.stats.readErrors++;
      failure = JSON.stringify(unavailableBody(this.unavailable(e), now));
    }
    for (const c of this.clients) {
      if (c.agent === null) continue;
      if (failure) {
        c.lastView = undefined;
        this.send(c, failure);
        continue;
      }
      const view = views!.get(c.agent)!;
      const figures = JSON.stringify({ ...view, at: undefined });
      if (!all && figures === c.lastView) continue;
      c.lastView = figures;
      this.send(c, JSON.stringify(view));
    }
  }

  private send(c: Client, text: string | Buffer): void {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > this.maxBuffered) {
      // A reader that cannot keep up would hold ever more memory: let it reconnect.
      this.stats.closedSlow++;
      c.ws.terminate();
      return;
    }
    c.ws.send(text, { binary: false });
    this.stats.framesSent++;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.pending) clearTimeout(this.pending);
    if (this.agentsPending) clearTimeout(this.agentsPending);
    for (const c of this.clients) c.ws.close(1001, 'server going away');
    this.wss.close();
    // Only a connected subscriber can be asked to unsubscribe: a patient one that never reached
    // Redis would hold the request (and the shutdown) until Redis came back.
    if (this.subscriber.status !== 'ready') return;
    try {
      await this.subscriber.unsubscribe();
    } catch {
      // The subscriber may be gone already.
    }
  }
}
