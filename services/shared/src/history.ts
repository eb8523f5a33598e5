/**
 * The service level through the day: cumulative since local midnight at every step,
 * read from the same sliding windows as the live figures.
 */
import type { Cluster, Redis } from 'ioredis';
import { perMetric, SERVICE_LEVEL_METRICS, serviceLevel, type ServiceLevelMetric } from './catalogue.ts';
import type { Keys } from './keys.ts';

export interface HistoryPoint {
  at: string;
  serviceLevel: number | null;
  offered: number;
  answered: number;
  answeredWithinTarget: number;
  abandoned: number;
}

export interface History {
  from: string;
  to: string;
  stepMinutes: number;
  points: HistoryPoint[];
}

/** What a point needs: the offers and everything the service level is computed from. */
const METRICS: Array<'offered' | ServiceLevelMetric> = ['offered', ...SERVICE_LEVEL_METRICS];

/**
 * `keys`: one site, or several (their counts are added up, the service level recomputed from
 * the sums). Each site is read with its own pipeline: a site's keys share one cluster slot.
 */
export async function readHistory(redis: Redis | Cluster, keys: Keys | Keys[], o: { from: number; to: number; stepMinutes: number; queue?: string }): Promise<History> {
  const stepMs = o.stepMinutes * 60_000;
  const steps = Math.max(1, Math.ceil((o.to - o.from) / stepMs));
  const bins = perMetric(METRICS, () => new Array<number>(steps).fill(0));
  for (const site of Array.isArray(keys) ? keys : [keys]) {
    const queues = o.queue ? [o.queue] : await redis.smembers(site.queues);
    const p = redis.pipeline();
    for (const q of queues) for (const m of METRICS) p.zrangebyscore(site.window(m, q), o.from, o.to, 'WITHSCORES');
    const res = (await p.exec()) ?? [];
    let i = 0;
    for (let qi = 0; qi < queues.length; qi++) {
      for (const m of METRICS) {
        const [err, list] = res[i++]!;
        if (err) throw err;
        const flat = list as string[];
        for (let j = 1; j < flat.length; j += 2) {
          const b = Math.min(steps - 1, Math.floor((Number(flat[j]) - o.from) / stepMs));
          bins[m][b]!++;
        }
      }
    }
  }
  const points: HistoryPoint[] = [];
  const acc = perMetric(METRICS, () => 0);
  for (let s = 0; s < steps; s++) {
    for (const m of METRICS) acc[m] += bins[m]![s]!;
    const end = Math.min(o.to, o.from + (s + 1) * stepMs);
    points.push({
      at: new Date(end).toISOString(),
      serviceLevel: serviceLevel(acc),
      offered: acc.offered,
      answered: acc.answered,
      answeredWithinTarget: acc.answeredWithinTarget,
      abandoned: acc.abandoned,
    });
  }
  return { from: new Date(o.from).toISOString(), to: new Date(o.to).toISOString(), stepMinutes: o.stepMinutes, points };
}
