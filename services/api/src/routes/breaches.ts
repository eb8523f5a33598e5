/** The breach register: list, one breach with its audit trail, and recording the follow-up. */
import { isoWeekSpan, localDate, localToUtc, parseIsoWeek, parseLocalDate, startOfNextLocalDay } from '@belofte/shared/time';
import type { ApiContext } from '../context.ts';
import { siteContext } from './stats.ts';
import { breachOf, COMPLAINT_FIELDS, complaintPatchProblem, followUpOf, isBreach, NO_FOLLOW_UP, readAudit, readFollowUpHashes, readFollowUps, recordFollowUp } from '../breaches/register.ts';
import { readCallbacks } from '../callbacks/state.ts';
import { BadRequest, type ApiRoutes } from '../openapi/routes.ts';
import type { Callback } from '../schemas/callbacks.ts';
import { BreachDetail, BreachesQuery, BreachIdParams, BreachSiteQuery, BreachList, ComplaintList, ComplaintsQuery, FollowUpPatch, type Breach } from '../schemas/breaches.ts';
import { ApiError } from '../schemas/registry.ts';

/** The longest range one request may ask for: a year (the register reads its index, O(breaches)). */
const MAX_RANGE_DAYS = 366;

/** A `from`/`to` parameter (local date or instant) as ms; a date's end is its next midnight. */
export function instantOf(text: string, end: boolean, timeZone: string): number {
  const d = parseLocalDate(text);
  if (!d) return Date.parse(text);
  return end ? startOfNextLocalDay(d, timeZone) : localToUtc(d.year, d.month, d.day, 0, 0, timeZone);
}

/** Today's local date on the switch's clock: where complaint deadlines stand. */
export const todayOf = (ctx: ApiContext): string => localDate(ctx.switchNow(), ctx.config.BELOFTE_TIMEZONE);

/** The callback list's word on a breach's caller (the same call, the same id). */
const calledBackOf = (c: Callback | undefined) => (c?.calledBack ? { at: c.calledBackAt, by: c.calledBackBy, reached: c.reached } : null);

async function detail(ctx: ApiContext, id: string): Promise<BreachDetail | null> {
  const record = await ctx.records.one(id);
  if (!record || !isBreach(record)) return null;
  const [followUps, audit, callbacks] = await Promise.all([readFollowUps(ctx.redis, ctx.keys, [id], todayOf(ctx)), readAudit(ctx.redis, ctx.keys, id), readCallbacks(ctx.redis, ctx.keys, [id])]);
  return { ...breachOf(record, followUps.get(id) ?? NO_FOLLOW_UP, calledBackOf(callbacks.get(id))), audit };
}

const notFound = (id: string) => ({
  error: 'not_found',
  message: `no breach ${JSON.stringify(id)}: no finished call with that id in the records (kept RETENTION_DAYS days), or that call broke no norm`,
});

/** The most urgent first: a step overdue, then the nearest due date of a step not done. */
function urgency(b: Breach): [number, string] {
  const steps = b.followUp.complaint ? Object.values(b.followUp.complaint.deadlines) : [];
  const open = steps.filter((d) => d.doneOn === null && d.due !== null);
  const next = open.map((d) => d.due!).sort()[0] ?? '9999-12-31';
  return [steps.some((d) => d.overdue) ? 0 : 1, next];
}

export function breachRoutes(api: ApiRoutes, ctx: ApiContext): void {
  const tz = ctx.config.BELOFTE_TIMEZONE;

  api.add(
    {
      method: 'get',
      path: '/api/complaints',
      operationId: 'listComplaints',
      tag: 'breaches',
      summary: 'Complaints about breaches across every period, with their charter deadlines: what is overdue, what is due soon',
      description: 'From the breach register of the last RETENTION_DAYS (at most 400 days), the most urgent first. Caller numbers are masked to their last 4 digits.',
      access: 'manager',
      query: ComplaintsQuery,
      responses: { 200: { description: 'The complaints.', schema: ComplaintList } },
    },
    async ({ query }, c) => {
      const now = ctx.switchNow();
      const today = todayOf(ctx);
      const from = now - Math.min(ctx.config.RETENTION_DAYS, 400) * 86_400_000;
      // Only breaches that were followed up can have a complaint.
      const entries = (await ctx.followedUp.between(from, now + 86_400_000, tz)).filter((b) => !query.queue || b.queues.includes(query.queue));
      // Only the breaches with a complaint are read in full.
      const p = ctx.redis.pipeline();
      for (const e of entries) p.hget(ctx.keys.breachFollowUp(e.id), COMPLAINT_FIELDS.receivedOn);
      const received = ((await p.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v as string | null;
      });
      const withComplaint = entries.filter((_, i) => received[i]);
      const ids = withComplaint.map((e) => e.id);
      const [records, followUps, callbacks] = await Promise.all([ctx.records.many(withComplaint), readFollowUps(ctx.redis, ctx.keys, ids, today), readCallbacks(ctx.redis, ctx.keys, ids)]);
      const breaches = records
        .filter(isBreach)
        .map((r) => breachOf(r, followUps.get(r.linkedid) ?? NO_FOLLOW_UP, calledBackOf(callbacks.get(r.linkedid))))
        .filter((b) => b.followUp.complaint && (query.state === 'all' || b.followUp.complaint.settledOn === null))
        .sort((a, b) => {
          const [ua, ub] = [urgency(a), urgency(b)];
          return ua[0] - ub[0] || ua[1].localeCompare(ub[1]) || a.at.localeCompare(b.at);
        });
      const steps = (b: Breach) => Object.values(b.followUp.complaint!.deadlines);
      const overdue = breaches.filter((b) => steps(b).some((d) => d.overdue)).length;
      const dueSoon = breaches.filter((b) => !steps(b).some((d) => d.overdue) && steps(b).some((d) => d.state === 'dueSoon')).length;
      return c.json({ today, state: query.state, queue: query.queue ?? null, count: breaches.length, overdue, dueSoon, breaches });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/breaches',
      operationId: 'listBreaches',
      tag: 'breaches',
      summary: 'Breaches in a period: calls that waited longer than the guarantee, or were transferred more than the limit',
      description: `By the time of the first queue entry. At most ${MAX_RANGE_DAYS} days per request. Caller numbers are masked to their last 4 digits.`,
      access: 'manager',
      query: BreachesQuery,
      responses: { 200: { description: 'Oldest first.', schema: BreachList } },
    },
    async ({ query }, c) => {
      const sc = await siteContext(ctx, query.site);
      const now = sc.switchNow();
      let from: number;
      let to: number;
      if (query.week) {
        const span = isoWeekSpan(parseIsoWeek(query.week)!, tz);
        ({ from, to } = span);
      } else {
        from = instantOf(query.from!, false, tz);
        to = query.to ? instantOf(query.to, true, tz) : now;
      }
      if (to <= from) throw new BadRequest('to', 'to: must be after from');
      if (to - from > MAX_RANGE_DAYS * 86_400_000 + 3_600_000) throw new BadRequest('to', `to: the range may be at most ${MAX_RANGE_DAYS} days; ask for a shorter period`);
      // The breach index: O(breaches in the period), then only their records.
      const listed = (await sc.rollups.breaches(from, to, tz)).filter((b) => !query.queue || b.queues.includes(query.queue));
      const records = (await sc.records.many(listed)).filter((r) => isBreach(r) && r.firstJoinedAt >= from && r.firstJoinedAt < to);
      const found = records.map((r) => r.linkedid);
      const [followUps, callbacks] = await Promise.all([readFollowUps(sc.redis, sc.keys, found, todayOf(sc)), readCallbacks(sc.redis, sc.keys, found)]);
      const breaches = records
        .map((r) => breachOf(r, followUps.get(r.linkedid) ?? NO_FOLLOW_UP, calledBackOf(callbacks.get(r.linkedid))))
        .filter((b) => query.state === 'all' || b.state === query.state)
        .sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
      return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), queue: query.queue ?? null, state: query.state, count: breaches.length, breaches });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/breaches/{id}',
      operationId: 'getBreach',
      tag: 'breaches',
      summary: 'One breach, with its follow-up and the audit trail of every change to it',
      access: 'manager',
      params: BreachIdParams,
      query: BreachSiteQuery,
      responses: { 200: { description: 'The breach.', schema: BreachDetail }, 404: { description: 'No such breach.', schema: ApiError } },
    },
    async ({ params, query }, c) => {
      const b = await detail(await siteContext(ctx, query.site), params.id);
      return b ? c.json(b) : c.json(notFound(params.id), 404);
    },
  );

  api.add(
    {
      method: 'patch',
      path: '/api/breaches/{id}',
      operationId: 'recordFollowUp',
      tag: 'breaches',
      summary: 'Record the follow-up of a breach: complaint received, compensation given, a note, closed',
      description:
        'Only the fields given change. The change, who made it (the manager token\'s name) and when are kept in the audit trail, atomically with the change. ' +
        'Send expectedVersion (the followUp.version you saw) to be refused with 409 rather than overwrite someone else\'s change.',
      access: 'manager',
      params: BreachIdParams,
      query: BreachSiteQuery,
      body: FollowUpPatch,
      responses: {
        200: { description: 'The breach after the change (unchanged when nothing differed).', schema: BreachDetail },
        404: { description: 'No such breach.', schema: ApiError },
        409: { description: 'expectedVersion is not the current version: someone changed it meanwhile.', schema: ApiError },
      },
    },
    async ({ params, query, body, principal }, c) => {
      const sc = await siteContext(ctx, query.site);
      const record = await sc.records.one(params.id);
      if (!record || !isBreach(record)) return c.json(notFound(params.id), 404);
      // A complaint's dates are checked against the stored ones; the write then expects the
      // version that was checked, so a change made in between is never combined unchecked
      // (without an expectedVersion of the client's own, it is read and checked again).
      let result: Awaited<ReturnType<typeof recordFollowUp>> | null = null;
      const pinned = body.complaint !== undefined;
      for (let attempt = 0; attempt < 50 && (result === null || (result.status === 'conflict' && body.expectedVersion === undefined)); attempt++) {
        let expectedVersion = body.expectedVersion;
        if (pinned) {
          const current = (await readFollowUpHashes(sc.redis, sc.keys, [params.id])).get(params.id) ?? {};
          const problem = complaintPatchProblem(current, body, { today: todayOf(sc), breachDate: localDate(record.firstJoinedAt, tz) });
          if (problem) throw new BadRequest(problem.parameter, problem.message);
          expectedVersion ??= followUpOf(current, todayOf(sc)).version;
        }
        result = await recordFollowUp(sc.redis, sc.keys, {
          id: params.id,
          firstJoinedAt: record.firstJoinedAt,
          patch: body,
          by: principal?.name ?? 'unknown',
          at: Date.now(),
          keepSeconds: ctx.config.RETENTION_DAYS * 86_400,
          expectedVersion,
        });
      }
      if (!result) throw new Error('follow-up not recorded');
      if (result.status === 'conflict') {
        return c.json({ error: 'conflict', message: `the follow-up was changed meanwhile: it is at version ${result.version}, not ${body.expectedVersion}; reload it and make your change again` }, 409);
      }
      ctx.log.info({ breach: params.id, by: principal?.name, version: result.version, status: result.status }, 'breach follow-up recorded');
      return c.json((await detail(sc, params.id))!);
    },
  );
}
