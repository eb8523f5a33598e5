/**
 * The alerts in Redis: the lease that makes one API process the evaluator, the active alerts,
 * every alert of the retention period, and the webhook outbox. Each change is one Lua script
 * (fenced by the lease: a process that lost it cannot write) or one MULTI.
 */
import type { Cluster, Redis } from 'ioredis';
import type { Alert } from '@belofte/shared/alerts';
import type { Keys } from '@belofte/shared/keys';
import { Scripts } from '@belofte/shared/scripts';

const scripts = new Scripts(new URL('.', import.meta.url), { leaseTaken: 1, leaseReleased: 1, alertFired: 6, alertCleared: 5, deliveryClaimed: 3 });

/** One webhook POST waiting in the outbox. */
export interface Delivery {
  /** `<alert id>:fired` or `<alert id>:cleared`: the receiver's idempotency key. */
  id: string;
  /** The JSON body in Belofte's own form, as a string (sent as is or turned into a Teams/Slack body). */
  payload: string;
  attempts: number;
  /** Not before this (ms). */
  due: number;
  createdAt: number;
  claimedUntil?: number;
}

export type WriteResult = 'ok' | 'not_leader' | 'already' | 'gone';

export class AlertStore {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
  ) {}

  /** Renews or takes the evaluator's lease; true when this process holds it. */
  async holdLease(holder: string, ms: number): Promise<boolean> {
    return (await scripts.run(this.redis, 'leaseTaken', [this.keys.alertLease], [holder, ms])) === 1;
  }

  /** Gives the lease up (at shutdown), so another process takes over at once. */
  async releaseLease(holder: string): Promise<void> {
    await scripts.run(this.redis, 'leaseReleased', [this.keys.alertLease], [holder]);
  }

  /** The active alerts by key (`<rule>:<queue>`). */
  async active(): Promise<Map<string, Alert>> {
    const hash = await this.redis.hgetall(this.keys.alertsActive);
    const out = new Map<string, Alert>();
    for (const [k, v] of Object.entries(hash)) {
      try {
        out.set(k, JSON.parse(v) as Alert);
      } catch {
        // A hand-edited entry: skip it rather than stop evaluating.
      }
    }
    return out;
  }

  async fire(o: { holder: string; key: string; alert: Alert; delivery: Delivery | null; keepAfter: number }): Promise<WriteResult> {
    const k = this.keys;
    return (await scripts.run(
      this.redis,
      'alertFired',
      [k.alertLease, k.alertsActive, k.alertLog, k.alertIndex, k.alertDeliveries, k.alertOutbox],
      [o.holder, o.key, JSON.stringify(o.alert), o.alert.id, Date.parse(o.alert.firedAt),
      o.delivery?.id ?? '', o.delivery ? JSON.stringify(o.delivery) : '', k.changes, Math.floor(o.keepAfter)],
    )) as WriteResult;
  }

  async clear(o: { holder: string; key: string; alert: Alert; delivery: Delivery | null }): Promise<WriteResult> {
    const k = this.keys;
    return (await scripts.run(
      this.redis,
      'alertCleared',
      [k.alertLease, k.alertsActive, k.alertLog, k.alertDeliveries, k.alertOutbox],
      [o.holder, o.key, o.alert.id, JSON.stringify(o.alert), Date.parse(o.alert.clearedAt!),
      o.delivery?.id ?? '', o.delivery ? JSON.stringify(o.delivery) : '', k.changes],
    )) as WriteResult;
  }

  /**
   * Stores an alert that lived while Redis could not be reached (redisDown): fired and
   * cleared at once, never active in Redis. HSETNX: a second attempt changes nothing.
   */
  async remember(alert: Alert): Promise<void> {
    await this.redis.multi().hsetnx(this.keys.alertLog, alert.id, JSON.stringify(alert)).zadd(this.keys.alertIndex, 'NX', Date.parse(alert.firedAt), alert.id).publish(this.keys.changes, 'alert').exec();
  }

  /** Alerts that fired in [from, to), oldest first. */
  async list(from: number, to: number): Promise<Alert[]> {
    const ids = await this.redis.zrangebyscore(this.keys.alertIndex, Math.floor(from), `(${Math.ceil(to)}`);
    if (ids.length === 0) return [];
    const texts = await this.redis.hmget(this.keys.alertLog, ...ids);
    return texts.flatMap((t) => {
      if (t === null) return [];
      try {
        return [JSON.parse(t) as Alert];
      } catch {
        return [];
      }
    });
  }

  /** The outbox's head, claimed for `claimMs`, when it is due and this process holds the lease. */
  async claim(holder: string, now: number, claimMs: number): Promise<Delivery | null> {
    const text = (await scripts.run(this.redis, 'deliveryClaimed', [this.keys.alertLease, this.keys.alertDeliveries, this.keys.alertOutbox], [holder, now, claimMs])) as string | null;
    return text ? (JSON.parse(text) as Delivery) : null;
  }

  /** Delivered (or given up): out of the outbox. */
  async done(id: string): Promise<void> {
    await this.redis.multi().hdel(this.keys.alertDeliveries, id).zrem(this.keys.alertOutbox, id).exec();
  }

  /** Failed: back at the head, not before `due`. */
  async retry(d: Delivery): Promise<void> {
    const { claimedUntil: _c, ...rest } = d;
    await this.redis.hset(this.keys.alertDeliveries, d.id, JSON.stringify(rest));
  }

  /** Deliveries waiting (for /metrics and the tests). */
  async outboxSize(): Promise<number> {
    return this.redis.zcard(this.keys.alertOutbox);
  }
}
