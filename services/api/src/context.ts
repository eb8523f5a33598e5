/** What every route and the push service share: one read path to the figures. */
import { Cluster, type Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@belofte/shared/config';
import { queueSettingsOf, thresholdsOf } from '@belofte/shared/config';
import type { QueueSettings } from '@belofte/shared/queueSettings';
import { addFigures, emptyFigures, type LiveSnapshot, type QueueFigures, type SiteFigures, type Thresholds } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { logRedisErrors } from '@belofte/shared/startup';
import { startOfLocalDay, type LiveWindow } from '@belofte/shared/time';
import { AlertStore } from './alerts/store.ts';
import { Authority } from './auth/tokens.ts';
import { CallRecords } from './records/reader.ts';
import { StaffingAdvisor } from './staffing/advisor.ts';
import { RollupReader } from './stats/rollups.ts';
import { FollowedUpBreaches } from './breaches/followUpIndex.ts';
import type { AgentSnapshot } from './schemas/agents.ts';
import { agentSnapshots } from './stats/agentView.ts';

export interface ApiContext {
  config: Config;
  /** The API's client: live figures, agents' views, writes. */
  redis: Redis | Cluster;
  /**
   * The client that reports and lists read through (rollups, indexes, follow-ups): a second
   * connection, so that a report's replies never stand in line before a live read's on one
   * socket. Made on first use; closed by close() or when `redis` ends.
   */
  readonly bulk: Redis | Cluster;
  keys: Keys;
  thresholds: Thresholds;
  /** Per-queue targets, names and board order (BELOFTE_QUEUES). */
  queueSettings: QueueSettings;
  log: Logger;
  /** Who may do what, from the tokens in the environment. */
  authority: Authority;
  /** The collector's call records (finished and in progress). */
  records: CallRecords;
  /** The rollups and indexes kept with the records: what periods and lists are read from. */
  rollups: RollupReader;
  /** The breaches of a period that may have a follow-up: what a period's follow-up counts read. */
  followedUp: FollowedUpBreaches;
  /** The alerts in Redis (the evaluator writes them; every process reads them). */
  alerts: AlertStore;
  /** Reads the live figures for a window (parsed once, where the request was validated), with the active alerts. */
  live(window: LiveWindow, now?: number): Promise<LiveSnapshot>;
  /** The same figures without the alerts (what the alert rules look at). */
  figures(window: LiveWindow, now?: number): Promise<LiveSnapshot>;
  /** The own view of each of these agents, today and this week on the switch's clock (one read for all). */
  agents(ids: string[], now?: number): Promise<Map<string, AgentSnapshot>>;
  /** The switch's clock now, as the collector last reported its offset. */
  switchNow(now?: number): number;
  /** The sites this API shows: BELOFTE_SITES, or BELOFTE_SITE and every site a collector registered. */
  sites(): Promise<string[]>;
  /**
   * This context for one site's records, rollups and breaches (undefined: BELOFTE_SITE, the
   * API's own, or the first of BELOFTE_SITES when it is not listed). A site not shown is a BadSite.
   */
  atSite(site: string | undefined): Promise<ApiContext>;
  /** Closes what the context opened itself (the `bulk` client). */
  close(): void;
}

export class BadSite extends Error {}

/** How often a discovering API looks for sites that started since (a new collector). */
const SITE_DISCOVERY_MS = 10_000;

/** CLIENT LIST's name for the reports' connection (ApiContext.bulk). */
export const BULK_CONNECTION_NAME = 'belofte-api-reports';

/**
 * The reports' connection, made on first use from `redis`'s own options. A week's report
 * asks for some 250 rollup hashes (about 1 MB of replies at a busy centre); on the API's one
 * client a live read sent while they are under way is answered only after all of them have
 * been read and parsed. It ends with the client it copies (every owner closes that one).
 */
function bulkConnection(redis: Redis | Cluster, log: Logger): { get(): Redis | Cluster; close(): void } {
  let bulk: Redis | Cluster | null = null;
  const close = () => {
    bulk?.disconnect();
    bulk = null;
  };
  return {
    get() {
      if (bulk) return bulk;
      // The API's client already closed: its reads fail as it does, no new connection.
      if (redis.status === 'end') return redis;
      bulk = redis instanceof Cluster ? redis.duplicate() : redis.duplicate({ connectionName: BULK_CONNECTION_NAME });
      logRedisErrors(bulk, log, { connection: BULK_CONNECTION_NAME });
      redis.once('end', close);
      return bulk;
    },
    close,
  };
}

export function createContext(config: Config, redis: Redis | Cluster, log: Logger): ApiContext {
  const thresholds = thresholdsOf(config);
  const queueSettings = queueSettingsOf(config);
  const authority = new Authority(config);
  const bulk = bulkConnection(redis, log);
  const sites = new Map<string, SiteReader>();
  const siteOf = (name: string) => {
    let s = sites.get(name);
    if (!s) sites.set(name, (s = new SiteReader(config, redis, bulk.get, log, name, queueSettings)));
    return s;
  };
  const home = siteOf(config.BELOFTE_SITE);
  let known: { at: number; names: string[] } | null = null;
  const siteNames = async (): Promise<string[]> => {
    if (config.BELOFTE_SITES) return config.BELOFTE_SITES;
    if (known && Date.now() - known.at < SITE_DISCOVERY_MS) return known.names;
    let registered: string[];
    try {
      registered = await redis.smembers(Keys.siteRegistry(config.REDIS_PREFIX));
    } catch {
      // Redis away (or not yet connected at start-up): the sites known so far, at least our own.
      // The figures' own reads report the outage; discovery must not turn it into a crash.
      return known?.names ?? [config.BELOFTE_SITE];
    }
    const names = [...new Set([config.BELOFTE_SITE, ...registered.filter((n) => Keys.validSite(n))])].sort((a, b) =>
      a === config.BELOFTE_SITE ? -1 : b === config.BELOFTE_SITE ? 1 : a.localeCompare(b),
    );
    known = { at: Date.now(), names };
    return names;
  };

  const contextOf = (s: SiteReader): ApiContext => ({
    config,
    redis,
    get bulk() {
      return bulk.get();
    },
    close: bulk.close,
    keys: s.keys,
    thresholds,
    queueSettings,
    log,
    authority,
    records: s.records,
    rollups: s.rollups,
    followedUp: s.followedUp,
    alerts: s.alerts,
    agents(ids, now = Date.now()) {
      return agentSnapshots({ redis, keys: s.keys, records: s.records, rollups: s.agentRollups, thresholds, timeZone: config.BELOFTE_TIMEZONE }, ids, now + s.clockOffsetMs);
    },
    switchNow(now = Date.now()) {
      return now + s.clockOffsetMs;
    },
    sites: siteNames,
    async atSite(site) {
      // The API's own site needs no discovery (and no Redis: start-up asks for it first).
      if (site === config.BELOFTE_SITE && (!config.BELOFTE_SITES || config.BELOFTE_SITES.includes(site))) return contextOf(home);
      const names = await siteNames();
      // Default: the API's own site, or the first listed when BELOFTE_SITES leaves it out.
      if (site === undefined) return contextOf(siteOf(names.includes(config.BELOFTE_SITE) ? config.BELOFTE_SITE : names[0]!));
      if (!names.includes(site)) throw new BadSite(`unknown site ${JSON.stringify(site)}: this API shows ${names.map((n) => JSON.stringify(n)).join(', ')} (BELOFTE_SITES)`);
      return contextOf(siteOf(site));
    },
    figures: (window, now = Date.now()) => s.figures(window, now),
    async live(window, now = Date.now()) {
      const names = await siteNames();
      if (names.length === 1) {
        const one = await siteOf(names[0]!).live(window, now);
        return { ...one, sites: { [names[0]!]: siteSummary(one) } };
      }
      const parts = await Promise.all(names.map(async (n) => [n, await siteOf(n).live(window, now)] as const));
      return combineSites(parts, s.clockOffsetMs);
    },
  });
  return contextOf(home);
}

function siteSummary(snap: LiveSnapshot): SiteFigures {
  return { total: snap.total, health: snap.health, clockOffsetMs: snap.clockOffsetMs ?? 0 };
}

/**
 * One document for several sites: queues and agents keyed `<site>/<name>` (each with its
 * `site`), per site its total and health, and the total of all recomputed from the summed
 * counts (never an average of service levels).
 */
export function combineSites(parts: ReadonlyArray<readonly [string, LiveSnapshot]>, clockOffsetMs: number): LiveSnapshot {
  const first = parts[0]![1];
  const queues: Record<string, QueueFigures> = Object.create(null);
  const agents: LiveSnapshot['agents'] = Object.create(null);
  const sites: Record<string, SiteFigures> = Object.create(null);
  let total = emptyFigures();
  const down: string[] = [];
  let lastEventAt: string | null = null;
  for (const [site, snap] of parts) {
    for (const [q, f] of Object.entries(snap.queues)) queues[`${site}/${q}`] = { ...f, site, queue: q };
    for (const [name, a] of Object.entries(snap.agents)) agents[`${site}/${name}`] = { ...a, site };
    sites[site] = siteSummary(snap);
    // Each site's total counts people once (an agent in two queues is one person); sites add up.
    total = addFigures(total, snap.total);
    if (snap.health.stale) down.push(`${site}: ${snap.health.reason ?? 'stale'}`);
    if (snap.health.lastEventAt && (!lastEventAt || snap.health.lastEventAt > lastEventAt)) lastEventAt = snap.health.lastEventAt;
  }
  return {
    at: first.at,
    window: first.window,
    from: first.from,
    thresholds: first.thresholds,
    timeZone: first.timeZone,
    total,
    queues,
    agents,
    sites,
    clockOffsetMs,
    alerts: parts.flatMap(([, s]) => s.alerts ?? []),
    health: {
      collectorConnected: parts.every(([, s]) => s.health.collectorConnected),
      lastEventAt,
      stale: down.length > 0,
      reason: down.length > 0 ? down.join('; ') : null,
    },
  };
}

/** One site's keys, records, rollups, staffing advice and switch clock. */
class SiteReader {
  readonly keys: Keys;
  readonly records: CallRecords;
  /** Reports' and lists' reads, on the bulk connection. */
  readonly rollups: RollupReader;
  /** Agents' own views (a few fields each), on the live connection. */
  readonly agentRollups: RollupReader;
  readonly followedUp: FollowedUpBreaches;
  readonly alerts: AlertStore;
  private readonly staffing: StaffingAdvisor;
  clockOffsetMs = 0;

  constructor(
    private readonly config: Config,
    private readonly redis: Redis | Cluster,
    bulk: () => Redis | Cluster,
    log: Logger,
    readonly name: string,
    private readonly queueSettings: QueueSettings,
  ) {
    this.keys = new Keys(config.REDIS_PREFIX, name);
    this.records = new CallRecords(redis, this.keys, { phoneRetentionMs: config.PHONE_RETENTION_DAYS * 86_400_000, retentionDays: config.RETENTION_DAYS, onBadRecord: (id, error) => log.warn({ id, error, site: name }, 'unreadable call record skipped') });
    this.rollups = new RollupReader(bulk, this.keys);
    this.agentRollups = new RollupReader(redis, this.keys);
    this.followedUp = new FollowedUpBreaches(bulk, this.keys, this.rollups, this.records, log);
    this.alerts = new AlertStore(redis, this.keys);
    this.staffing = new StaffingAdvisor(redis, this.keys, this.records, (queue) => {
      const p = queueSettings.profile(queue, name);
      return { targetSeconds: p.targets.targetSeconds, serviceLevelTarget: p.targets.serviceLevelTarget, wrapupSeconds: p.wrapupSeconds };
    });
  }

  /** The counts of a window, as read. */
  async figures(window: LiveWindow, now: number): Promise<LiveSnapshot> {
    const config = this.config;
    const thresholds = thresholdsOf(config);
    // Windows are placed on the switch's clock (the collector reports its offset; a
    // simulator may even run fast). Their end is open: an event stamped a little ahead of
    // this server's clock is still counted.
    const switchNow = now + this.clockOffsetMs;
    const midnight = startOfLocalDay(switchNow, config.BELOFTE_TIMEZONE);
    const from = window.ms === null ? midnight : switchNow - window.ms;
    const snapshot = await readFigures(this.redis, { keys: this.keys, thresholds, from, to: Number.MAX_SAFE_INTEGER, now, midnight, window: window.name });
    this.clockOffsetMs = snapshot.clockOffsetMs ?? 0;
    // The pages format every clock and time of day in this zone, not in the TV's own.
    return { ...snapshot, timeZone: config.BELOFTE_TIMEZONE };
  }

  /** The counts with staffing advice, queue names, targets and board order, and the active alerts. */
  async live(window: LiveWindow, now: number): Promise<LiveSnapshot> {
    const [snapshot, active] = await Promise.all([this.figures(window, now), this.alerts.active()]);
    snapshot.alerts = [...active.values()].sort((a, b) => a.firedAt.localeCompare(b.firedAt) || a.id.localeCompare(b.id));
    // Staffing looks at the last hour whatever the window of the counts.
    const advice = await this.staffing.advise(snapshot.queues, now + this.clockOffsetMs);
    for (const [queue, s] of advice) snapshot.queues[queue]!.staffing = s;
    // Board order and names, and the targets each queue's figures were counted against.
    // Queue names are data: no prototype, so a queue named `__proto__` is kept like any other.
    const ordered: typeof snapshot.queues = Object.create(null);
    for (const queue of this.queueSettings.sort(Object.keys(snapshot.queues), this.name)) {
      const p = this.queueSettings.profile(queue, this.name);
      ordered[queue] = { ...snapshot.queues[queue]!, displayName: p.displayName, targets: p.targets };
    }
    snapshot.queues = ordered;
    return snapshot;
  }
}
