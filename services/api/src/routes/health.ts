/** Liveness and readiness for orchestrators. */
import { Hono } from 'hono';
import type { ApiContext } from '../context.ts';

export function healthRoutes(ctx: ApiContext): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  // Ready means figures can be served: Redis answers.
  app.get('/readyz', async (c) => {
    try {
      await Promise.race([ctx.redis.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 1 s')), 1_000))]);
      return c.json({ status: 'ready' });
    } catch (e) {
      return c.json({ status: 'unready', reason: `Redis: ${(e as Error).message}` }, 503);
    }
  });
  return app;
}
