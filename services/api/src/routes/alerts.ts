/** The stored alerts. (The active ones are also in every live document, as `alerts`.) */
import { startOfLocalDay } from '@belofte/shared/time';
import type { ApiContext } from '../context.ts';
import { BadRequest, type ApiRoutes } from '../openapi/routes.ts';
import { AlertList, AlertsQuery } from '../schemas/alerts.ts';
import { instantOf } from './breaches.ts';
import { siteContext } from './stats.ts';

const MAX_RANGE_DAYS = 92;


export function alertRoutes(api: ApiRoutes, ctx: ApiContext): void {
  const tz = ctx.config.BELOFTE_TIMEZONE;
  api.add(
    {
      method: 'get',
      path: '/api/alerts',
      operationId: 'listAlerts',
      tag: 'alerts',
      summary: 'Alerts in a period: each fired once when its condition started and cleared once when it ended',
      description: `By firing time; alerts still active are listed too. At most ${MAX_RANGE_DAYS} days per request. The rules are set with ALERT_RULES.`,
      access: 'wallboard',
      query: AlertsQuery,
      responses: { 200: { description: 'Oldest first.', schema: AlertList } },
    },
    async ({ query }, c) => {
      const now = Date.now();
      const from = query.from ? instantOf(query.from, false, tz) : startOfLocalDay(now, tz);
      const to = query.to ? instantOf(query.to, true, tz) : now + 1;
      if (to <= from) throw new BadRequest('to', 'to: must be after from');
      if (to - from > MAX_RANGE_DAYS * 86_400_000 + 3_600_000) throw new BadRequest('to', `to: the range may be at most ${MAX_RANGE_DAYS} days; ask for a shorter period`);
      const sc = await siteContext(ctx, query.site);
      const [inPeriod, active] = await Promise.all([sc.alerts.list(from, to), sc.alerts.active()]);
      const ids = new Set(inPeriod.map((a) => a.id));
      const earlier = [...active.values()].filter((a) => !ids.has(a.id) && Date.parse(a.firedAt) < from);
      const alerts = [...earlier, ...inPeriod].sort((a, b) => a.firedAt.localeCompare(b.firedAt) || a.id.localeCompare(b.id));
      return c.json({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), count: alerts.length, alerts });
    },
  );
}
