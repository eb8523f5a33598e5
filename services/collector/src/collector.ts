/**
 * The live collector: one AMI session to one switch, the pipeline behind it, and the
 * housekeeping around them (resync on every (re)connect, a one-second tick for running
 * clocks, window trimming, health for the API).
 */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@belofte/shared/config';
import { queueSettingsOf, rollupRulesOf, thresholdsOf } from '@belofte/shared/config';
import { Keys } from '@belofte/shared/keys';
import { AmiClient } from './ami/client.ts';
import { MalformedEvent, normalise } from './ami/normalise.ts';
import type { MemberStatus, QueueEntry } from './domain/events.ts';
import { Pipeline } from './pipeline.ts';
import { trimWindows } from './redis/scripts.ts';
import { moveLegacyRecords } from './legacyRecords.ts';
import { trimRecordDays } from './recordBuckets.ts';
import { forgetCallerNumbers } from './retention.ts';

/** The longest window the API serves is 24 h; keep a little more. */
const WINDOW_KEEP_MS = 25 * 3_600_000;
/** How often the collector looks whether Redis lost its live state (flush, failover). */
const EMPTY_CHECK_MS = 2_000;

export class Collector {
  readonly keys: Keys;
  readonly pipeline: Pipeline;
  readonly client: AmiClient;
  private timers: NodeJS.Timeout[] = [];
  private resyncs = 0;
  private resyncing = false;
  /** The health fields last written, to write again when Redis lost them. */
  private healthFields: Record<string, string> = {};
  /** Times the live state was rewritten because Redis came back empty. */
  rewrites = 0;

  constructor(
    private readonly config: Config,
    private readonly redis: Redis | Cluster,
    private readonly log: Logger,
  ) {
    if (!config.AMI_HOST) throw new Error('AMI_HOST is not set: point it at your Asterisk (see README), or use `npm start`, which starts the built-in simulator');
    this.keys = new Keys(config.REDIS_PREFIX, config.BELOFTE_SITE);
    const settings = queueSettingsOf(config);
    this.pipeline = new Pipeline({
      redis,
      keys: this.keys,
      thresholds: thresholdsOf(config),
      thresholdsFor: (queue) => settings.thresholds(queue, config.BELOFTE_SITE),
      rollups: rollupRulesOf(config),
      retentionDays: config.RETENTION_DAYS,
      maxBuffered: config.BUFFER_MAX_EVENTS,
      maxWaitMs: config.MAX_WAIT_SECONDS * 1000,
      maxCalls: config.MAX_CALLS_IN_MEMORY,
      maxClockSkewMs: config.AMI_MAX_CLOCK_SKEW_SECONDS * 1000,
      log,
    });
    this.client = new AmiClient({
      host: config.AMI_HOST,
      port: config.AMI_PORT,
      username: config.AMI_USERNAME,
      secret: config.AMI_SECRET,
      transport: config.AMI_CLIENT,
      pingIntervalMs: config.AMI_PING_INTERVAL_MS,
      pingTimeoutMs: config.AMI_PING_TIMEOUT_MS,
      reconnectMinMs: config.AMI_RECONNECT_MIN_MS,
      reconnectMaxMs: config.AMI_RECONNECT_MAX_MS,
      connectTimeoutMs: 10_000,
    });
  }

  /**
   * The switch's clock now: ours plus the offset Ping answers and events show (their median). Event
   * times are the switch's; a resync computes join times from its `Wait` on that clock, so a
   * wrong offset would make a known caller look like a new one.
   */
  switchNow(): number {
    return Date.now() + this.pipeline.writer.clockOffsetMs;
  }

  private everConnected = false;
  private stopping = false;

  async start(): Promise<void> {
    const restored = await this.pipeline.restore();
    this.log.info({ ...restored, site: this.config.BELOFTE_SITE }, 'restored calls in progress from Redis');
    const c = this.client;
    const where = `${this.config.AMI_HOST}:${this.config.AMI_PORT}`;
    c.on('event', (fields, at) => this.pipeline.frame(fields, at));
    c.on('skipped', (name) => this.pipeline.skipped(name));
    c.on('malformed', (text, reason) => this.pipeline.malformed(text, reason));
    c.on('pong', (switchMs, sentAt, receivedAt) => this.pipeline.clockSample(switchMs, sentAt, receivedAt));
    c.on('connected', () => {
      this.everConnected = true;
      this.log.info({ ami: where, client: this.config.AMI_CLIENT, reconnects: c.reconnects }, 'connected to the phone switch');
      void this.health({ amiConnected: '1', amiError: '', connectedSince: String(Date.now()) });
      void this.resync();
    });
    c.on('disconnected', (reason) => {
      // "Lost" only what we had, and not when we hang up ourselves.
      if (this.stopping) this.log.info({ ami: where }, 'disconnected from the phone switch (the collector is stopping)');
      else if (this.everConnected) this.log.warn({ ami: where, reason, reconnects: c.reconnects }, 'lost the phone switch; reconnecting with backoff');
      else this.log.warn({ ami: where, reason, attempts: c.reconnects + 1 }, 'cannot reach the phone switch yet; retrying with backoff (check AMI_HOST and AMI_PORT)');
      void this.health({ amiConnected: '0', amiError: `no connection to the phone switch at ${where}: ${reason}` });
    });
    c.on('loginFailed', (message) => {
      const hint = `the switch at ${where} refused login for user "${this.config.AMI_USERNAME}" (${message}): check AMI_USERNAME and AMI_SECRET against the [${this.config.AMI_USERNAME}] section of manager.conf`;
      this.log.error({ ami: where }, hint);
      void this.health({ amiConnected: '0', amiError: hint });
    });
    await this.health({ amiConnected: '0', amiError: `connecting to the phone switch at ${where}` });
    // Register the site, so an API without BELOFTE_SITES finds it and shows it beside the others.
    await this.redis.sadd(Keys.siteRegistry(this.config.REDIS_PREFIX), this.config.BELOFTE_SITE).catch((e: Error) => this.log.warn({ err: e.message }, 'could not register the site; an API without BELOFTE_SITES will not find it until it can'));
    c.start();
    void this.moveLegacyRecords();
    this.every(1_000, () => this.pipeline.tick(this.switchNow()));
    this.every(60_000, () => void this.trim());
    // A periodic QueueStatus heals drift both ways (a missed end, a caller never seen joining).
    this.every(this.config.RESYNC_INTERVAL_MS, () => {
      if (c.isConnected) void this.resync();
    });
    this.every(EMPTY_CHECK_MS, () => void this.rewriteIfEmptied());
  }

  /**
   * After Redis came back empty (FLUSHALL, a failover that lost data) the live state —
   * health, waiting callers, calls in progress, agents — is written again from memory, so
   * wallboards recover without a reconnect to the switch.
   */
  async rewriteIfEmptied(): Promise<boolean> {
    if (!('amiConnected' in this.healthFields)) return false;
    try {
      if ((await this.redis.hexists(this.keys.health, 'amiConnected')) === 1) return false;
    } catch {
      return false; // Redis away: the writer holds what comes meanwhile.
    }
    this.rewrites++;
    this.log.warn({ rewrites: this.rewrites }, 'Redis lost the live state (flushed or failed over): writing it again');
    this.pipeline.rewriteLiveState();
    await this.health({});
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.client.stop();
    // Whatever the reader took in goes to Redis before we go (bounded wait).
    await Promise.race([this.pipeline.writer.flush(), new Promise((r) => setTimeout(r, 5_000))]);
    this.pipeline.writer.stop();
    await this.health({ amiConnected: '0', amiError: 'the collector stopped' }).catch(() => undefined);
  }

  /**
   * Rebuilds who waits and who is logged in from QueueStatus (+ CoreShowChannels for the
   * Linkedids that QueueEntry lacks), so a call that came or went while disconnected is
   * neither lost nor counted twice.
   */
  async resync(): Promise<void> {
    if (this.resyncing) return;
    this.resyncing = true;
    try {
      await this.resyncOnce();
    } finally {
      this.resyncing = false;
    }
  }

  private async resyncOnce(): Promise<void> {
    try {
      // Asterisk answers Ping with its own `Timestamp`: the switch's clock before any event.
      await this.client.ping(5_000);
    } catch {
      // Older switches without a Timestamp: our clock it is.
    }
    const at = this.switchNow();
    const asked = this.pipeline.tracker.openVisitIds();
    try {
      const [status, channels] = await Promise.all([
        this.client.action({ Action: 'QueueStatus' }, 15_000),
        this.client.action({ Action: 'CoreShowChannels' }, 15_000).catch(() => ({ events: [] as Array<Record<string, string>> })),
      ]);
      const linkedidOf = new Map<string, string>();
      for (const ch of channels.events) if (ch.uniqueid && ch.linkedid) linkedidOf.set(ch.uniqueid, ch.linkedid);
      const entries: QueueEntry[] = [];
      const members: MemberStatus[] = [];
      for (const f of status.events) {
        try {
          const ev = normalise(f, at);
          if (ev?.type === 'QueueEntry') entries.push(ev);
          else if (ev?.type === 'QueueMember') members.push(ev);
        } catch (e) {
          if (e instanceof MalformedEvent) this.pipeline.malformed(JSON.stringify(f).slice(0, 200), e.message);
          else throw e;
        }
      }
      this.pipeline.resync(at, entries, members, linkedidOf, asked);
      this.resyncs++;
      this.log.info({ waiting: entries.length, members: members.length, resyncs: this.resyncs }, 'resynchronised with QueueStatus');
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'resync after connect failed; figures stay as they were');
    }
  }

  private async health(fields: Record<string, string>): Promise<void> {
    this.healthFields = { ...this.healthFields, ...fields };
    try {
      await this.redis.hset(this.keys.health, { ...this.healthFields, reconnects: String(this.client.reconnects), updatedAt: String(Date.now()) });
      await this.redis.publish(this.keys.changes, JSON.stringify({ health: true }));
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'could not write collector health to Redis');
    }
  }

  /** Drops window entries older than any window serves, and days whose record buckets have expired. */
  async trim(now = Date.now()): Promise<void> {
    try {
      await trimWindows(this.redis, this.keys, now - WINDOW_KEEP_MS);
      await trimRecordDays(this.redis, this.keys, now - this.config.RETENTION_DAYS * 86_400_000 - 86_400_000);
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, 'trimming old window entries failed; will retry');
    }
    try {
      const r = await forgetCallerNumbers(this.redis, this.keys, now - this.config.PHONE_RETENTION_DAYS * 86_400_000, now - this.config.RETENTION_DAYS * 86_400_000);
      if (r.forgotten > 0) this.log.info({ forgotten: r.forgotten, phoneRetentionDays: this.config.PHONE_RETENTION_DAYS }, "removed callers' numbers past their retention");
    } catch (e) {
      this.log.warn({ err: (e as Error).message }, "removing callers' numbers past their retention failed; will retry");
    }
  }

  /** Records of the format before 2 into the hour buckets (see legacyRecords.ts), in the background. */
  async moveLegacyRecords(): Promise<void> {
    let moved = 0;
    try {
      for (;;) {
        const r = await moveLegacyRecords(this.redis, this.keys, { rulesStamp: this.pipeline.writer.records.stamp, retentionDays: this.config.RETENTION_DAYS });
        moved += r.moved;
        if (r.unreadable) this.log.warn({ unreadable: r.unreadable }, 'old call records that could not be read were left to expire');
        if (r.done || this.stopping) break;
      }
      if (moved > 0) this.log.info({ moved }, 'call records moved to the stored format 2');
    } catch (e) {
      this.log.warn({ err: (e as Error).message, moved }, 'moving old call records failed; the next start tries again');
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }
}
