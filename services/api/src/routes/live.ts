/** Live figures and the day's history as JSON. */
import { Hono } from 'hono';
import { readHistory } from '@belofte/shared/history';
import { startOfLocalDay } from '@belofte/shared/time';
import { BadWindow, normaliseWindow, type ApiContext } from '../context.ts';

export function liveRoutes(ctx: ApiContext): Hono {
  const app = new Hono();

  app.get('/api/live', async (c) => {
    let window: string;
    try {
      window = normaliseWindow(c.req.query('window'));
    } catch (e) {
      if (e instanceof BadWindow) return c.json({ error: 'bad_request', message: e.message }, 400);
      throw e;
    }
    return c.json(await ctx.live(window));
  });

  app.get('/api/history', async (c) => {
    const queue = c.req.query('queue');
    const stepText = c.req.query('step') ?? '15';
    const step = Number(stepText);
    if (!Number.isInteger(step) || step < 1 || step > 240) return c.json({ error: 'bad_request', message: `step must be whole minutes from 1 to 240, not ${JSON.stringify(stepText)}` }, 400);
    if (queue !== undefined && !/^[^\s]{1,128}$/.test(queue)) return c.json({ error: 'bad_request', message: 'queue must be a queue name' }, 400);
    // The day on the switch's clock, as the live figures count it.
    const now = ctx.switchNow();
    const from = startOfLocalDay(now, ctx.config.BELOFTE_TIMEZONE);
    return c.json(await readHistory(ctx.redis, ctx.keys, { from, to: now, stepMinutes: step, queue }));
  });

  return app;
}
