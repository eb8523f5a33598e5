/** The callback list (terugbellijst): the day's callers to call back, and marking them called back. */
import { localDate, localToUtc, parseLocalDate, startOfNextLocalDay } from '@belofte/shared/time';
import type { Principal } from '../auth/tokens.ts';
import { buildList, entryOf, isCallbackEntry, leftAt } from '../callbacks/list.ts';
import { readCallbackAudit, readCallbacks, recordCallback } from '../callbacks/state.ts';
import type { ApiContext } from '../context.ts';
import { BadRequest, type ApiRoutes } from '../openapi/routes.ts';
import { CallbackDetail, CallbackIdParams, CallbackList, CallbackPatch, CallbacksQuery } from '../schemas/callbacks.ts';
import { ApiError } from '../schemas/registry.ts';
import { siteContext } from './stats.ts';

/** Numbers in full for the people who call back; the wallboard (and an open board) sees the last four digits. */
const fullNumbers = (p: Principal | null) => p?.role === 'supervisor' || p?.role === 'manager';

const notFound = (id: string) => ({
  error: 'not_found',
  message: `no callback entry ${JSON.stringify(id)}: no finished call with that id that ended unanswered (records are kept RETENTION_DAYS days)`,
});

export function callbackRoutes(api: ApiRoutes, ctx: ApiContext): void {
  const tz = ctx.config.BELOFTE_TIMEZONE;

  /** The local day of a call that ended unanswered: [from, to). */
  const dayOf = (ms: number) => {
    const d = parseLocalDate(localDate(ms, tz))!;
    return { from: localToUtc(d.year, d.month, d.day, 0, 0, tz), to: startOfNextLocalDay(d, tz) };
  };

  async function detail(id: string, principal: Principal | null): Promise<CallbackDetail | null> {
    const record = await ctx.records.one(id);
    if (!record || !isCallbackEntry(record)) return null;
    const day = dayOf(leftAt(record)!);
    const [sameDay, inProgress, callbacks, audit] = await Promise.all([
      ctx.records.finished(day.from, day.to),
      ctx.records.inProgress(),
      readCallbacks(ctx.redis, ctx.keys, [id]),
      readCallbackAudit(ctx.redis, ctx.keys, id),
    ]);
    const answered = [...sameDay, ...inProgress].filter((r) => r.answeredAt !== null);
    return { ...entryOf(record, callbacks.get(id)!, answered, { fullNumbers: fullNumbers(principal), to: day.to }), audit };
  }

  api.add(
    {
      method: 'get',
      path: '/api/callbacks',
      operationId: 'listCallbacks',
      tag: 'callbacks',
      summary: 'The callback list: every caller of the day who abandoned or left without being answered',
      description:
        'With who called them back and when, the time to callback, and "called again" when the same number was answered later that day. ' +
        'Numbers in full for supervisors and managers; the wallboard sees the last 4 digits.',
      access: 'wallboard',
      query: CallbacksQuery,
      responses: { 200: { description: 'By leaving time, oldest first.', schema: CallbackList } },
    },
    async ({ query, principal }, c) => {
      const sc = await siteContext(ctx, query.site);
      const date = query.date ?? localDate(sc.switchNow(), tz);
      const d = parseLocalDate(date)!;
      const from = localToUtc(d.year, d.month, d.day, 0, 0, tz);
      const to = startOfNextLocalDay(d, tz);
      // A caller who joined before midnight and left after it belongs to the day they left.
      const [records, inProgress] = await Promise.all([sc.records.finished(from, to), sc.records.inProgress()]);
      const candidates = records.filter((r) => {
        const left = leftAt(r);
        return left !== null && left >= from && left < to;
      });
      const callbacks = await readCallbacks(sc.redis, sc.keys, candidates.map((r) => r.linkedid));
      const { entries, summary } = buildList(records, inProgress, { from, to, fullNumbers: fullNumbers(principal), callbacks });
      const shown = entries.filter((e) => (!query.queue || e.queue === query.queue) && (query.state === 'all' || e.state === 'open'));
      return c.json({ date, timeZone: tz, from: new Date(from).toISOString(), to: new Date(to).toISOString(), queue: query.queue ?? null, state: query.state, summary, count: shown.length, entries: shown });
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/callbacks/{id}',
      operationId: 'getCallback',
      tag: 'callbacks',
      summary: 'One entry of the callback list, with the audit trail of every change to it',
      access: 'wallboard',
      params: CallbackIdParams,
      responses: { 200: { description: 'The entry.', schema: CallbackDetail }, 404: { description: 'No such entry.', schema: ApiError } },
    },
    async ({ params, principal }, c) => {
      const e = await detail(params.id, principal);
      return e ? c.json(e) : c.json(notFound(params.id), 404);
    },
  );

  api.add(
    {
      method: 'patch',
      path: '/api/callbacks/{id}',
      operationId: 'recordCallback',
      tag: 'callbacks',
      summary: 'Mark a caller called back (who, when, reached or not), or undo it; add a note',
      description:
        'Only the fields given change. Who (the supervisor or manager token\'s name) and when are recorded, and every change is kept in the audit trail, atomically with it. ' +
        'Send expectedVersion (the callback.version you saw) to be refused with 409 rather than overwrite a colleague\'s change.',
      access: 'supervisor',
      params: CallbackIdParams,
      body: CallbackPatch,
      responses: {
        200: { description: 'The entry after the change (unchanged when nothing differed).', schema: CallbackDetail },
        404: { description: 'No such entry.', schema: ApiError },
        409: { description: 'expectedVersion is not the current version: someone changed it meanwhile.', schema: ApiError },
      },
    },
    async ({ params, body, principal }, c) => {
      const record = await ctx.records.one(params.id);
      if (!record || !isCallbackEntry(record)) return c.json(notFound(params.id), 404);
      const now = Date.now();
      if (body.calledBackAt !== undefined) {
        const at = Date.parse(body.calledBackAt);
        if (at > now + 60_000) throw new BadRequest('calledBackAt', 'calledBackAt: is in the future');
        if (at < leftAt(record)!) throw new BadRequest('calledBackAt', 'calledBackAt: is before the caller left the queue');
      }
      const current = (await readCallbacks(ctx.redis, ctx.keys, [params.id])).get(params.id)!;
      const result = await recordCallback(ctx.redis, ctx.keys, { id: params.id, patch: body, current, by: principal?.name ?? 'unknown', at: now, keepSeconds: ctx.config.RETENTION_DAYS * 86_400 });
      if (result.status === 'conflict') {
        return c.json({ error: 'conflict', message: `the entry was changed meanwhile: it is at version ${result.version}, not ${body.expectedVersion}; reload it and make your change again` }, 409);
      }
      ctx.log.info({ callback: params.id, by: principal?.name, version: result.version, status: result.status }, 'callback recorded');
      return c.json((await detail(params.id, principal))!);
    },
  );
}
