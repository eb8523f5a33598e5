/**
 * The alert evaluator: every few seconds the API process holding the alert lease reads the
 * live figures, observes the rules, and fires or clears alerts through the store; the others
 * wait for the lease (one evaluator however many API processes run). Alerts go out through a
 * first-in-first-out webhook outbox in Redis, retried with backoff, so an alert survives a
 * restart of this process and is delivered once by whoever holds the lease next.
 *
 * It runs on its own timers and never inside a request or the WebSocket push: a slow or dead
 * webhook receiver holds up only the outbox.
 *
 * Redis itself being unreachable (the `redisDown` rule) cannot be written to Redis: the
 * process that held the lease when Redis went away fires it from memory, posts it from memory,
 * and stores it once Redis is back.
 */
import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RULE_FIGURE, type AlertRule } from '@belofte/shared/alertRules';
import type { Alert } from '@belofte/shared/alerts';
import type { Config } from '@belofte/shared/config';
import type { LiveSnapshot } from '@belofte/shared/figures';
import type { Keys } from '@belofte/shared/keys';
import { minutesWindow, TODAY, type LiveWindow } from '@belofte/shared/time';
import { observe, windowsNeeded, type Observation, type Seen } from './conditions.ts';
import { AlertStore, type Delivery } from './store.ts';
import { AlertTracker } from './tracker.ts';
import { alertEvent, backoffMs, postJson, webhookBody } from './webhook.ts';

export interface EvaluatorOptions {
  /** How often the rules are evaluated (default 2 s). */
  evaluateMs?: number;
  /** The lease's lifetime: a crashed evaluator is replaced within this (default 15 s). */
  leaseMs?: number;
  /** How often the outbox is looked at when idle (default 500 ms). */
  deliverMs?: number;
  /** First retry after about this (default 2 s), doubling up to `retryMaxMs` (default 5 min). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** A delivery is given up (and logged) after this many attempts (default 40: about 3 hours). */
  maxAttempts?: number;
  /** One POST may take this long (default 5 s). */
  timeoutMs?: number;
}

export interface EvaluatorStats {
  evaluations: number;
  evaluationErrors: number;
  fired: number;
  cleared: number;
  delivered: number;
  deliveryFailures: number;
  deliveriesDropped: number;
}

export interface EvaluatorDeps {
  redis: Redis | Cluster;
  /** The site whose rules this evaluator judges, and its keys. */
  site: string;
  keys: Keys;
  config: Config;
  log: Logger;
  /** The live figures of a window (`today`, `15m`), without alerts. */
  figures(window: LiveWindow): Promise<LiveSnapshot>;
}

export class AlertEvaluator {
  readonly holder = randomUUID();
  readonly store: AlertStore;
  readonly stats: EvaluatorStats = { evaluations: 0, evaluationErrors: 0, fired: 0, cleared: 0, delivered: 0, deliveryFailures: 0, deliveriesDropped: 0 };
  /** Whether this process evaluates (held the lease at the last look). */
  leader = false;
  /** The figures of the last evaluation (for /metrics); null when this process does not evaluate. */
  lastSeen: Seen | null = null;
  private readonly rules: AlertRule[];
  private readonly tracker = new AlertTracker();
  private readonly o: Required<EvaluatorOptions>;
  private readonly link: string;
  private evalTimer: NodeJS.Timeout | null = null;
  private deliverTimer: NodeJS.Timeout | null = null;
  private evaluating: Promise<void> | null = null;
  private delivering: Promise<void> | null = null;
  private closed = false;
  /** Alerts posted from memory (Redis was away when they happened). */
  private readonly memoryOutbox: Delivery[] = [];
  private redisAway: { since: number; alert: Alert | null; backSince: number | null } | null = null;

  constructor(private readonly d: EvaluatorDeps, o: EvaluatorOptions = {}) {
    this.rules = d.config.alertRules;
    this.store = new AlertStore(d.redis, d.keys);
    this.o = {
      evaluateMs: o.evaluateMs ?? 2_000,
      leaseMs: o.leaseMs ?? 15_000,
      deliverMs: o.deliverMs ?? 500,
      retryBaseMs: o.retryBaseMs ?? 2_000,
      retryMaxMs: o.retryMaxMs ?? 300_000,
      maxAttempts: o.maxAttempts ?? 40,
      timeoutMs: o.timeoutMs ?? 5_000,
    };
    this.link = d.config.BELOFTE_PUBLIC_URL ?? `http://localhost:${d.config.PORT}/`;
  }

  /** The site these alerts are about. */
  get site(): string {
    return this.d.site;
  }

  start(): void {
    if (this.rules.length === 0) return;
    const loop = () => {
      this.evaluating = this.evaluate(Date.now()).finally(() => {
        this.evaluating = null;
        if (!this.closed) this.evalTimer = setTimeout(loop, this.o.evaluateMs);
      });
    };
    loop();
    if (this.d.config.ALERT_WEBHOOK_URL) this.scheduleDelivery(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.evalTimer) clearTimeout(this.evalTimer);
    if (this.deliverTimer) clearTimeout(this.deliverTimer);
    // A POST in flight is finished and booked, so the next evaluator does not send it again.
    await this.evaluating;
    await this.delivering;
    if (this.leader) await this.store.releaseLease(this.holder).catch(() => undefined);
    this.leader = false;
  }

  /** One evaluation (the timer's; tests call it too). */
  async evaluate(now: number): Promise<void> {
    let held: boolean;
    try {
      held = await this.store.holdLease(this.holder, this.o.leaseMs);
    } catch (e) {
      this.redisUnreachable(now, e as Error);
      return;
    }
    if (!held) {
      if (this.leader) this.d.log.info('another API process evaluates the alert rules now');
      this.leader = false;
      this.lastSeen = null;
      this.tracker.reset();
      return;
    }
    if (!this.leader) this.d.log.info({ rules: this.rules.map((r) => r.kind) }, 'this API process evaluates the alert rules');
    this.leader = true;
    try {
      const windows = windowsNeeded(this.rules);
      const [today, ...rest] = await Promise.all([this.d.figures(TODAY), ...windows.map((m) => this.d.figures(minutesWindow(m)))]);
      const active = await this.store.active();
      await this.redisReachable(now);
      const seen: Seen = { today: today!, windows: new Map(windows.map((m, i) => [m, rest[i]!])) };
      this.lastSeen = seen;
      const observations = observe(this.rules, seen);
      const clearFor = (key: string) => this.rules.find((r) => key.startsWith(`${r.kind}:`))?.clearForMs ?? 0;
      const t = this.tracker.step(now, observations, new Set(active.keys()), clearFor);
      for (const o of t.fire) await this.fire(o, now);
      for (const c of t.clear) await this.clear(active.get(c.key)!, c.key, c.observation, now);
      this.stats.evaluations++;
    } catch (e) {
      this.stats.evaluationErrors++;
      this.d.log.warn({ err: (e as Error).message }, 'alert rules not evaluated');
    }
  }

  private makeAlert(rule: AlertRule, queue: string | null, value: number | null, now: number): Alert {
    return {
      id: `${now}-${rule.kind}-${queue ?? '*'}`,
      rule: rule.kind,
      queue,
      figure: RULE_FIGURE[rule.kind],
      value,
      threshold: rule.threshold,
      windowMinutes: rule.windowMinutes,
      firedAt: new Date(now).toISOString(),
      clearedAt: null,
      clearedValue: null,
      link: this.link,
    };
  }

  private delivery(alert: Alert, now: number): Delivery | null {
    if (!this.d.config.ALERT_WEBHOOK_URL) return null;
    const e = alertEvent(alert, this.d.site, this.d.config.ALERT_LANGUAGE);
    return { id: e.deliveryId, payload: JSON.stringify(e), attempts: 0, due: now, createdAt: now };
  }

  private async fire(o: Observation, now: number): Promise<void> {
    const alert = this.makeAlert(o.rule, o.queue, o.value, now);
    const r = await this.store.fire({ holder: this.holder, key: o.key, alert, delivery: this.delivery(alert, now), keepAfter: now - this.d.config.RETENTION_DAYS * 86_400_000 });
    if (r === 'not_leader') this.leader = false;
    if (r !== 'ok') return;
    this.stats.fired++;
    this.d.log.warn({ alert: alert.id, rule: alert.rule, queue: alert.queue, value: alert.value, threshold: alert.threshold }, 'alert fired');
    this.scheduleDelivery(0);
  }

  private async clear(alert: Alert, key: string, o: Observation | null, now: number): Promise<void> {
    const cleared: Alert = { ...alert, clearedAt: new Date(now).toISOString(), clearedValue: o?.value ?? null };
    const r = await this.store.clear({ holder: this.holder, key, alert: cleared, delivery: this.delivery(cleared, now) });
    if (r === 'not_leader') this.leader = false;
    if (r !== 'ok') return;
    this.stats.cleared++;
    this.d.log.info({ alert: alert.id, rule: alert.rule, queue: alert.queue, value: cleared.clearedValue }, 'alert cleared');
    this.scheduleDelivery(0);
  }

  /** Redis did not answer. Only the process that was evaluating judges it (nobody can take the lease meanwhile). */
  private redisUnreachable(now: number, e: Error): void {
    this.stats.evaluationErrors++;
    if (!this.leader) return;
    const rule = this.rules.find((r) => r.kind === 'redisDown');
    this.redisAway ??= { since: now, alert: null, backSince: null };
    this.redisAway.backSince = null;
    if (!rule || this.redisAway.alert || now - this.redisAway.since < rule.forMs) return;
    const alert = this.makeAlert(rule, null, 0, this.redisAway.since + rule.forMs);
    this.redisAway.alert = alert;
    this.stats.fired++;
    this.d.log.error({ alert: alert.id, err: e.message }, 'alert fired: Redis unreachable');
    const d = this.delivery(alert, now);
    if (d) this.memoryOutbox.push(d);
    this.scheduleDelivery(0);
  }

  private async redisReachable(now: number): Promise<void> {
    const away = this.redisAway;
    if (!away) return;
    if (!away.alert) {
      this.redisAway = null;
      return;
    }
    away.backSince ??= now;
    const rule = this.rules.find((r) => r.kind === 'redisDown');
    if (rule && now - away.backSince < rule.clearForMs) return;
    const cleared: Alert = { ...away.alert, clearedAt: new Date(now).toISOString(), clearedValue: 1 };
    await this.store.remember(cleared);
    this.redisAway = null;
    this.stats.cleared++;
    this.d.log.info({ alert: cleared.id }, 'alert cleared: Redis answers again');
    const d = this.delivery(cleared, now);
    if (d) this.memoryOutbox.push(d);
    this.scheduleDelivery(0);
  }

  /** Alerts currently active in memory only (Redis unreachable), for the live document of this process. */
  memoryAlerts(): Alert[] {
    return this.redisAway?.alert ? [this.redisAway.alert] : [];
  }

  private scheduleDelivery(ms: number): void {
    if (this.closed || !this.d.config.ALERT_WEBHOOK_URL) return;
    if (this.delivering) return;
    if (this.deliverTimer) clearTimeout(this.deliverTimer);
    this.deliverTimer = setTimeout(() => {
      this.deliverTimer = null;
      this.delivering = this.deliverSome().finally(() => {
        this.delivering = null;
        this.scheduleDelivery(this.nextDeliveryMs);
      });
    }, ms);
  }

  /** Posts what is due, oldest first, until the outbox is empty or a POST fails. */
  private nextDeliveryMs = 0;

  private async deliverSome(): Promise<void> {
    let next = this.o.deliverMs;
    try {
      for (;;) {
        if (this.closed) return;
        const now = Date.now();
        const fromMemory = this.memoryOutbox[0];
        let d: Delivery | null;
        if (fromMemory) {
          if (fromMemory.due > now) {
            next = Math.min(next, fromMemory.due - now);
            break;
          }
          d = fromMemory;
        } else {
          if (!this.leader) break;
          d = await this.store.claim(this.holder, now, this.o.timeoutMs * 2 + 1_000);
          if (!d) break;
        }
        const e = JSON.parse(d.payload) as ReturnType<typeof alertEvent>;
        const cfg = this.d.config;
        const r = await postJson(cfg.ALERT_WEBHOOK_URL!, webhookBody(e, cfg.ALERT_WEBHOOK_FORMAT, cfg.ALERT_LANGUAGE), { idempotencyKey: d.id, timeoutMs: this.o.timeoutMs });
        if (r.ok) {
          this.stats.delivered++;
          if (fromMemory) this.memoryOutbox.shift();
          else await this.store.done(d.id);
          continue;
        }
        this.stats.deliveryFailures++;
        const attempts = d.attempts + 1;
        if (attempts >= this.o.maxAttempts) {
          this.stats.deliveriesDropped++;
          this.d.log.error({ delivery: d.id, attempts, err: r.error }, 'alert webhook: given up after repeated failures');
          if (fromMemory) this.memoryOutbox.shift();
          else await this.store.done(d.id);
          continue;
        }
        const wait = backoffMs(attempts, this.o.retryBaseMs, this.o.retryMaxMs);
        this.d.log.warn({ delivery: d.id, attempts, err: r.error, retryInMs: wait }, 'alert webhook failed; will retry');
        const retry = { ...d, attempts, due: Date.now() + wait };
        if (fromMemory) this.memoryOutbox[0] = retry;
        else await this.store.retry(retry);
        next = Math.min(next, wait);
        break;
      }
    } catch (e) {
      this.d.log.debug({ err: (e as Error).message }, 'alert outbox not read');
    } finally {
      this.nextDeliveryMs = next;
    }
  }
}

