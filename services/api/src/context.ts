/** What every route and the push service share: one read path to the figures. */
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@belofte/shared/config';
import { thresholdsOf } from '@belofte/shared/config';
import type { LiveSnapshot, Thresholds } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { startOfLocalDay, type LiveWindow } from '@belofte/shared/time';
import { AlertStore } from './alerts/store.ts';
import { Authority } from './auth/tokens.ts';
import { CallRecords } from './records/reader.ts';
import { StaffingAdvisor } from './staffing/advisor.ts';
import { RollupReader } from './stats/rollups.ts';
import type { AgentSnapshot } from './schemas/agents.ts';
import { agentSnapshots } from './stats/agentView.ts';

export interface ApiContext {
  config: Config;
  redis: Redis | Cluster;
  keys: Keys;
  thresholds: Thresholds;
  log: Logger;
  /** Who may do what, from the tokens in the environment. */
  authority: Authority;
  /** The collector's call records (finished and in progress). */
  records: CallRecords;
  /** The rollups and indexes kept with the records: what periods and lists are read from. */
  rollups: RollupReader;
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
}

export function createContext(config: Config, redis: Redis | Cluster, log: Logger): ApiContext {
  const keys = new Keys(config.REDIS_PREFIX, config.BELOFTE_SITE);
  const thresholds = thresholdsOf(config);
  let clockOffsetMs = 0;
  const rollups = new RollupReader(redis, keys);
  const alerts = new AlertStore(redis, keys);
  async function figures(window: LiveWindow, now = Date.now()): Promise<LiveSnapshot> {
    // Windows are placed on the switch's clock (the collector reports its offset; a
    // simulator may even run fast). Their end is open: an event stamped a little ahead of
    // this server's clock is still counted.
    const switchNow = now + clockOffsetMs;
    const midnight = startOfLocalDay(switchNow, config.BELOFTE_TIMEZONE);
    const from = window.ms === null ? midnight : switchNow - window.ms;
    const snapshot = await readFigures(redis, { keys, thresholds, from, to: Number.MAX_SAFE_INTEGER, now, midnight, window: window.name });
    clockOffsetMs = snapshot.clockOffsetMs ?? 0;
    return snapshot;
  }
  async function live(window: LiveWindow, now = Date.now()): Promise<LiveSnapshot> {
    const [snapshot, active] = await Promise.all([figures(window, now), alerts.active()]);
    // Staffing looks at the last hour whatever the window of the counts.
    const advice = await staffing.advise(snapshot.queues, now + clockOffsetMs);
    for (const [queue, s] of advice) snapshot.queues[queue]!.staffing = s;
    return { ...snapshot, alerts: [...active.values()].sort((a, b) => a.firedAt.localeCompare(b.firedAt) || a.id.localeCompare(b.id)) };
  }
  const records = new CallRecords(redis, keys, { phoneRetentionMs: config.PHONE_RETENTION_DAYS * 86_400_000, onBadRecord: (id, error) => log.warn({ id, error }, 'unreadable call record skipped') });
  const staffing = new StaffingAdvisor(redis, keys, records, () => ({
    targetSeconds: thresholds.targetSeconds,
    serviceLevelTarget: thresholds.serviceLevelTarget,
    wrapupSeconds: null,
  }));
  return {
    config,
    redis,
    keys,
    thresholds,
    log,
    authority: new Authority(config),
    records,
    alerts,
    rollups,
    agents(ids, now = Date.now()) {
      return agentSnapshots({ redis, keys, records, rollups, thresholds, timeZone: config.BELOFTE_TIMEZONE }, ids, now + clockOffsetMs);
    },
    switchNow(now = Date.now()) {
      return now + clockOffsetMs;
    },
    live,
    figures,
  };
}
