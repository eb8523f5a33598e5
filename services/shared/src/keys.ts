/**
 * Every Redis key Belofte uses, built in one place.
 *
 * The live keys of one site (one phone switch, one collector: windows, who waits, calls in
 * progress, agents) share the hash tag `{site}`, so they live in one Redis Cluster slot and
 * every event's MULTI stays legal there. The durable keys — call records, the rollups and
 * indexes written with them — are spread over RECORD_SHARDS hash tags `{site.N}` by the
 * call's Linkedid, so a national centre's year of records is not one slot: a call's record
 * and its share of the rollups are one script in one slot, a period is read from every shard.
 */

/** How many slots (hash tags) a site's durable keys are spread over. */
export const RECORD_SHARDS = 16;

/** FNV-1a: a stable, even spread of Linkedids over the shards. */
function shardOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % RECORD_SHARDS;
}
import { AGENT_METRICS, WINDOW_METRICS, type AgentMetric, type WindowMetric } from './catalogue.ts';

export type { AgentMetric, WindowMetric };

/** A record's bucket: its first queue entry's hour since the epoch (UTC). */
export const recordHour = (ms: number): number => Math.floor(ms / 3_600_000);
/** The UTC day (days since the epoch) of a record hour. */
export const recordDay = (hour: number): number => Math.floor(hour / 24);
/** Hours per block of the by-id index: a year's lookups read about a dozen blocks. */
export const RECORD_WHERE_HOURS = 24 * 32;
/** The by-id index block of a record hour. */
export const recordWhereBlock = (hour: number): number => Math.floor(hour / RECORD_WHERE_HOURS);
/** When a record bucket expires (unix s): its hour's end, RETENTION_DAYS later. */
export const recordBucketExpiry = (hour: number, retentionDays: number): number => (hour + 1) * 3600 + retentionDays * 86_400;
/** When a by-id index block expires (unix s): with the last bucket it points into. */
export const recordWhereExpiry = (block: number, retentionDays: number): number => recordBucketExpiry((block + 1) * RECORD_WHERE_HOURS - 1, retentionDays);

export class Keys {
  readonly base: string;

  /**
   * SET of every site whose collector has run under this prefix: how one API finds the sites
   * to show when BELOFTE_SITES is not set. No hash tag: it is read and written on its own.
   */
  static siteRegistry(prefix: string): string {
    return `${prefix}:sites`;
  }

  static validSite(site: string): boolean {
    return /^[A-Za-z0-9_.-]+$/.test(site);
  }

  constructor(
    readonly prefix: string,
    readonly site: string,
  ) {
    if (!Keys.validSite(site)) throw new Error(`site name "${site}" may only hold letters, digits, '_', '.', '-'`);
    this.base = `${prefix}:{${site}}:`;
    this.durableBases = Array.from({ length: RECORD_SHARDS }, (_, i) => `${prefix}:{${site}.${i}}:`);
  }

  /** The durable bases (one hash tag each): a period is read from every one. */
  readonly durableBases: string[];

  /** SET of queue names seen. */
  get queues(): string {
    return `${this.base}queues`;
  }
  /** SET of agent names seen. */
  get agentNames(): string {
    return `${this.base}agentnames`;
  }
  /** Sliding window: ZSET of ids scored by event time (ms). ZADD NX makes every count idempotent. */
  window(metric: WindowMetric, queue: string): string {
    return this.windowPrefix(metric) + queue;
  }
  /** A window's key without its queue: scripts that walk every queue get these in ARGV. */
  windowPrefix(metric: WindowMetric): string {
    return `${this.base}w:${WINDOW_METRICS[metric].redis}:`;
  }
  agentWindow(metric: AgentMetric, agent: string): string {
    return this.agentWindowPrefix(metric) + agent;
  }
  agentWindowPrefix(metric: AgentMetric): string {
    return `${this.base}aw:${AGENT_METRICS[metric].redis}:`;
  }
  /** HASH visit id → join time (ms) of callers waiting now. */
  waiting(queue: string): string {
    return this.waitingPrefix + queue;
  }
  get waitingPrefix(): string {
    return `${this.base}waiting:`;
  }
  /** HASH agent name → JSON state. */
  get agents(): string {
    return `${this.base}agents`;
  }
  /** HASH linkedid → JSON of calls in progress (what a restarted collector picks up). */
  get calls(): string {
    return `${this.base}calls`;
  }
  /**
   * HASH Linkedid → stored record (storedRecord.ts) of the finished calls of one durable base
   * whose first queue entry is in one UTC hour (hours since the epoch): a period is read hour
   * by hour, and the hash expires with the retention period of its hour, so no index is needed.
   */
  recordBucket(base: string, hour: number): string {
    return `${base}r:${hour}`;
  }
  /**
   * ZSET of the UTC days (days since the epoch, scored by themselves) that have record buckets
   * in one durable base: a rebuild or the retention pass reads only those days' buckets.
   * Trimmed to RETENTION_DAYS by the collector.
   */
  recordDays(base: string): string {
    return `${base}days`;
  }
  /**
   * HASH Linkedid → record hour, of the calls someone follows up by id alone (breaches, callers
   * left unanswered: storedRecord.findableById), per block of RECORD_WHERE_HOURS hours.
   */
  recordWhere(base: string, block: number): string {
    return `${base}where:${block}`;
  }
  /**
   * Base of the durable keys of a call (its record and what it adds to the rollups and
   * indexes, services/shared/src/rollup.ts): one Lua script writes them together.
   */
  durableBase(linkedid: string): string {
    return this.durableBases[shardOf(linkedid)]!;
  }
  /** Before record format 2: one STRING per call and a ZSET of them per durable base (read only to move them). */
  legacyRecord(linkedid: string): string {
    return `${this.durableBase(linkedid)}c:${linkedid}`;
  }
  legacyRecordsIndex(base: string): string {
    return `${base}records`;
  }
  /** HASH rules stamp → rules spec (rollup.ts): what a stored record was counted with. */
  get rollupRules(): string {
    return `${this.base}rollup-rules`;
  }
  /**
   * STRING: first-entry time (ms) up to which callers' numbers have been removed from the call
   * records (PHONE_RETENTION_DAYS); written only by the collector's retention pass.
   */
  get callersForgottenUntil(): string {
    return `${this.base}callers-forgotten-until`;
  }
  /**
   * HASH of a breach's follow-up (breach id = the call's linkedid): complaintReceived,
   * compensation (JSON list), note, closed, version, updatedAt, updatedBy. Written by the API
   * only, through one Lua script together with the audit entry; kept as long as call records.
   */
  breachFollowUp(id: string): string {
    return `${this.base}breach:${id}`;
  }
  /** LIST of JSON audit entries of a breach's follow-up, oldest first: who changed what, when. */
  breachAudit(id: string): string {
    return `${this.base}breach:${id}:audit`;
  }
  /**
   * ZSET breach id → its call's first queue entry (ms): every breach that may have a
   * follow-up (a superset: an id is added before its first change is recorded), so a period's
   * follow-up counts read O(follow-ups), not a hash per breach. Trimmed to RETENTION_DAYS.
   */
  get breachFollowUps(): string {
    return `${this.base}breach-followups`;
  }
  /** STRING, set once every follow-up recorded before breachFollowUps existed is in it. */
  get breachFollowUpsComplete(): string {
    return `${this.base}breach-followups:complete`;
  }
  /**
   * Alerts (written by the API process holding the alert lease, through its Lua scripts):
   * the lease itself (STRING: the holder's id, with an expiry), the active alerts (HASH
   * `<rule>:<queue>` → alert JSON), every alert (HASH id → JSON, indexed by firing time in a
   * ZSET), and the webhook outbox (HASH delivery id → JSON, ordered in a ZSET).
   */
  get alertLease(): string {
    return `${this.base}alerts:lease`;
  }
  get alertsActive(): string {
    return `${this.base}alerts:active`;
  }
  get alertLog(): string {
    return `${this.base}alerts:log`;
  }
  get alertIndex(): string {
    return `${this.base}alerts:index`;
  }
  get alertDeliveries(): string {
    return `${this.base}alerts:deliveries`;
  }
  get alertOutbox(): string {
    return `${this.base}alerts:outbox`;
  }
  /** HASH of a callback-list entry's state (id = the call's linkedid), like breachFollowUp. */
  callback(id: string): string {
    return `${this.base}callback:${id}`;
  }
  /** LIST of JSON audit entries of a callback-list entry, oldest first. */
  callbackAudit(id: string): string {
    return `${this.base}callback:${id}:audit`;
  }
  /** HASH of the collector's connection health. */
  get health(): string {
    return `${this.base}health`;
  }
  /** Pub/sub channel: a change notice after every applied batch. */
  get changes(): string {
    return `${this.base}changes`;
  }
}
