/** Live figures and the day's history as JSON. */
import { readHistory } from '@belofte/shared/history';
import { Keys } from '@belofte/shared/keys';
import { startOfLocalDay, TODAY } from '@belofte/shared/time';
import type { ApiContext } from '../context.ts';
import type { ApiRoutes } from '../openapi/routes.ts';
import { HistoryQuery, HistorySchema, LiveQuery, LiveSnapshotSchema } from '../schemas/live.ts';

export function liveRoutes(api: ApiRoutes, ctx: ApiContext): void {
  api.add(
    {
      method: 'get',
      path: '/api/live',
      operationId: 'live',
      tag: 'live',
      summary: 'Live figures per queue and in total, and every agent: the wallboard',
      description: 'Open to anyone while WALLBOARD_TOKENS is not set.',
      access: 'wallboard',
      query: LiveQuery,
      responses: { 200: { description: 'The snapshot.', schema: LiveSnapshotSchema } },
    },
    async ({ query }, c) => c.json(await ctx.live(query.window ?? TODAY)),
  );

  api.add(
    {
      method: 'get',
      path: '/api/history',
      operationId: 'history',
      tag: 'live',
      summary: 'The service level through the day, for the wallboard chart',
      access: 'wallboard',
      query: HistoryQuery,
      responses: { 200: { description: 'Cumulative since local midnight at every step.', schema: HistorySchema } },
    },
    async ({ query }, c) => {
      // The day on the switch's clock, as the live figures count it.
      const now = ctx.switchNow();
      const from = startOfLocalDay(now, ctx.config.BELOFTE_TIMEZONE);
      // Several sites: all of them added up, or one site's queue as `<site>/<queue>`.
      const sites = await ctx.sites();
      const slash = query.queue?.indexOf('/') ?? -1;
      const oneSite = sites.length > 1 && query.queue !== undefined && slash > 0 && sites.includes(query.queue.slice(0, slash));
      const keys = oneSite ? [new Keys(ctx.config.REDIS_PREFIX, query.queue!.slice(0, slash))] : sites.map((s) => new Keys(ctx.config.REDIS_PREFIX, s));
      const queue = oneSite ? query.queue!.slice(slash + 1) : query.queue;
      return c.json(await readHistory(ctx.redis, keys, { from, to: now, stepMinutes: Number(query.step ?? '15'), queue }));
    },
  );
}
