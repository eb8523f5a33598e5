/** Weekly statistics (JSON or CSV) and the week's abandoned calls, for managers. */
import { formatIsoWeek, isoWeekOfInstant, isoWeekSpan, localDate, parseIsoWeek, type IsoWeek } from '@belofte/shared/time';
import { BadSite, type ApiContext } from '../context.ts';
import { maskCaller, readFollowUps, summary } from '../breaches/register.ts';
import type { ApiRoutes } from '../openapi/routes.ts';
import { AbandonedList, AbandonedQuery, WeeklyQuery, WeeklyStats, type AbandonedEntry } from '../schemas/stats.ts';
import { PeriodQuery, PeriodReport } from '../schemas/period.ts';
import { agentsCsv, figuresCsv, periodCsv } from '../stats/csv.ts';
import { periodSeries, recordsPeriodSource, rollupPeriodSource, type PeriodSource } from '../stats/period.ts';
import { periodOf, yearEarlier } from '../stats/periods.ts';
import { BadRequest } from '../openapi/routes.ts';
import { isBreach, weeklyStats } from '../stats/weekly.ts';
import { weeklyFromRollups } from '../stats/weeklyFromRollups.ts';

/** The context of the site asked for (?site=), or a 400 naming the sites there are. */
export async function siteContext(ctx: ApiContext, site: string | undefined): Promise<ApiContext> {
  try {
    return await ctx.atSite(site);
  } catch (e) {
    if (e instanceof BadSite) throw new BadRequest('site', `site: ${e.message}`);
    throw e;
  }
}

/** The week asked for, or the current one on the switch's clock. */
function weekOf(ctx: ApiContext, text: string | undefined): IsoWeek {
  return text ? parseIsoWeek(text)! : isoWeekOfInstant(ctx.switchNow(), ctx.config.BELOFTE_TIMEZONE);
}

/** The weekly statistics, from the rollups. */
export async function computeWeekly(ctx: ApiContext, week: IsoWeek, queue: string | null, now = Date.now()): Promise<WeeklyStats> {
  return weeklyFromRollups({
    rollups: ctx.rollups,
    week,
    timeZone: ctx.config.BELOFTE_TIMEZONE,
    thresholds: ctx.thresholds,
    queueSettings: ctx.queueSettings,
    site: ctx.keys.site,
    queue,
    followedUp: (from, to, timeZone) => ctx.followedUp.between(from, to, timeZone),
    followUps: async (ids) => new Map([...(await readFollowUps(ctx.bulk, ctx.keys, ids, localDate(ctx.switchNow(now), ctx.config.BELOFTE_TIMEZONE)))].map(([id, f]) => [id, summary(f)])),
    now,
  });
}

/** The same figures from every call record of the week: the reference implementation (tests, audits). */
export async function computeWeeklyFromRecords(ctx: ApiContext, week: IsoWeek, queue: string | null, now = Date.now()): Promise<WeeklyStats> {
  const span = isoWeekSpan(week, ctx.config.BELOFTE_TIMEZONE);
  const records = await ctx.records.finished(span.from, span.to, now);
  const followUps = await readFollowUps(ctx.redis, ctx.keys, records.filter(isBreach).map((r) => r.linkedid), localDate(ctx.switchNow(), ctx.config.BELOFTE_TIMEZONE));
  return weeklyStats({
    week,
    timeZone: ctx.config.BELOFTE_TIMEZONE,
    thresholds: ctx.thresholds,
    queueSettings: ctx.queueSettings,
    site: ctx.keys.site,
    queue,
    records,
    followUps: new Map([...followUps].map(([id, f]) => [id, summary(f)])),
    now,
  });
}

/** The period report's sources: the rollups (served) or every call record (the reference). */
export function periodSource(ctx: ApiContext, from: 'rollups' | 'records', now = Date.now()): PeriodSource {
  const today = localDate(ctx.switchNow(now), ctx.config.BELOFTE_TIMEZONE);
  const followUps = (ids: string[]) => readFollowUps(ctx.bulk, ctx.keys, ids, today);
  const timeZone = ctx.config.BELOFTE_TIMEZONE;
  if (from === 'rollups') return rollupPeriodSource({ timeZone, rollups: ctx.rollups, followedUp: (from, to, tz) => ctx.followedUp.between(from, to, tz), followUps });
  return recordsPeriodSource({ timeZone, thresholds: ctx.thresholds, records: (a, b) => ctx.records.finished(a, b, now), followUps });
}

export async function computePeriod(ctx: ApiContext, from: string, to: string | undefined, queue: string | null, now = Date.now(), source: 'rollups' | 'records' = 'rollups'): Promise<PeriodReport> {
  const p = periodOf(from, to);
  if ('parameter' in p) throw new BadRequest(p.parameter, p.message);
  const src = periodSource(ctx, source, now);
  const asked = await periodSeries(src, p, queue);
  const before = await periodSeries(src, yearEarlier(p), queue);
  return {
    ...asked,
    kind: p.kind,
    timeZone: ctx.config.BELOFTE_TIMEZONE,
    queue,
    thresholds: ctx.thresholds,
    today: localDate(ctx.switchNow(now), ctx.config.BELOFTE_TIMEZONE),
    generatedAt: new Date(now).toISOString(),
    yearEarlier: before,
  };
}

/** The abandoned entries that joined in [from, to), from the abandoned-calls index. */
export async function abandonedEntries(ctx: ApiContext, from: number, to: number, queue: string | null): Promise<AbandonedEntry[]> {
  // Past PHONE_RETENTION_DAYS the index's masked digits are not served either, as the records
  // no longer hold the number (an entry is at or after its call's first entry, so never later).
  const forgetBefore = Date.now() - ctx.config.PHONE_RETENTION_DAYS * 86_400_000;
  return (await ctx.rollups.abandoned(from, to, ctx.config.BELOFTE_TIMEZONE))
    .filter((e) => !queue || e.queue === queue)
    .map((e) => ({
      id: e.id,
      at: new Date(e.at).toISOString(),
      leftAt: new Date(e.leftAt).toISOString(),
      queue: e.queue,
      waitedSeconds: Math.max(0, Math.round((e.leftAt - e.at) / 1000)),
      short: e.short,
      caller: e.at < forgetBefore ? null : e.caller,
    }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

/** The same list from every call record of the period: the reference implementation. */
export async function abandonedEntriesFromRecords(ctx: ApiContext, from: number, to: number, queue: string | null): Promise<AbandonedEntry[]> {
  const records = await ctx.records.finished(from, to);
  const entries: AbandonedEntry[] = [];
  for (const r of records) {
    for (const v of r.visits) {
      if (v.status !== 'abandoned' && v.status !== 'shortAbandoned') continue;
      if (v.joinedAt < from || v.joinedAt >= to || (queue && v.queue !== queue)) continue;
      const left = v.endedAt ?? v.joinedAt;
      entries.push({
        id: r.linkedid,
        at: new Date(v.joinedAt).toISOString(),
        leftAt: new Date(left).toISOString(),
        queue: v.queue,
        waitedSeconds: Math.max(0, Math.round((left - v.joinedAt) / 1000)),
        short: v.status === 'shortAbandoned',
        caller: maskCaller(r.callerIdNum),
      });
    }
  }
  return entries.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
}

export function statsRoutes(api: ApiRoutes, ctx: ApiContext): void {
  api.add(
    {
      method: 'get',
      path: '/api/stats/period',
      operationId: 'periodReport',
      tag: 'statistics',
      summary: "The charter's report over months, a quarter or a year: per month and in total, per queue and overall, with the same period a year earlier",
      description:
        'from/to: months (2026-01), quarters (2026-Q1) or a year (2026), of one form, at most 12 months. Local calendar months in BELOFTE_TIMEZONE; ' +
        'every month is the sum of its days as the weekly statistics count them. Complaints and compensation are booked with their breach. format=csv gives one table for Excel.',
      access: 'manager',
      query: PeriodQuery,
      responses: {
        200: {
          description: 'The report.',
          schema: PeriodReport,
          also: { contentType: 'text/csv; charset=utf-8', description: 'With format=csv: the weekly CSV\'s conventions (UTF-8 with BOM, ";" and decimal comma or "," and point, CRLF); a row per series × queue/total × month and the whole period.' },
        },
      },
    },
    async ({ query }, c) => {
      const report = await computePeriod(ctx, query.from, query.to, query.queue ?? null);
      if (query.format === 'json') return c.json(report);
      const name = `belofte-${report.from}${report.to !== report.from ? `_${report.to}` : ''}${query.queue ? `-${query.queue.replace(/[^A-Za-z0-9_.-]/g, '_')}` : ''}.csv`;
      return c.body(periodCsv(report, query.lang, query.decimal), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/stats/weekly',
      operationId: 'weeklyStats',
      tag: 'statistics',
      summary: 'Weekly statistics per queue and in total, per day and per hour of the day, and per agent',
      description:
        'ISO week (Monday to Sunday) in BELOFTE_TIMEZONE. From the durable call records: finished calls only. ' +
        'format=csv gives one table for Excel: part=figures (a row per queue/total and week/day/hour) or part=agents.',
      access: 'manager',
      query: WeeklyQuery,
      responses: {
        200: {
          description: 'The statistics.',
          schema: WeeklyStats,
          also: { contentType: 'text/csv; charset=utf-8', description: 'With format=csv: UTF-8 with BOM, ";" and decimal comma (decimal=point: "," and decimal point), CRLF, one header row.' },
        },
      },
    },
    async ({ query }, c) => {
      const sc = await siteContext(ctx, query.site);
      const week = weekOf(sc, query.week);
      const stats = await computeWeekly(sc, week, query.queue ?? null);
      if (query.format === 'json') return c.json(stats);
      const csv = query.part === 'agents' ? agentsCsv(stats, query.lang, query.decimal) : figuresCsv(stats, query.lang, query.decimal);
      const name = `belofte-${formatIsoWeek(week)}${query.queue ? `-${query.queue.replace(/[^A-Za-z0-9_.-]/g, '_')}` : ''}-${query.part}.csv`;
      return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/stats/abandoned',
      operationId: 'abandonedCalls',
      tag: 'statistics',
      summary: "The week's abandoned queue entries: when, which queue, how long the caller waited",
      access: 'manager',
      query: AbandonedQuery,
      responses: { 200: { description: 'Oldest first.', schema: AbandonedList } },
    },
    async ({ query }, c) => {
      const sc = await siteContext(ctx, query.site);
      const week = weekOf(sc, query.week);
      const span = isoWeekSpan(week, ctx.config.BELOFTE_TIMEZONE);
      const entries = await abandonedEntries(sc, span.from, span.to, query.queue ?? null);
      return c.json({ week: formatIsoWeek(week), from: new Date(span.from).toISOString(), to: new Date(span.to).toISOString(), queue: query.queue ?? null, entries });
    },
  );
}
