/** The wallboard pages and their assets, built once in memory at start. */
import { Hono } from 'hono';
import type { WebAsset } from '../../../../web/build.ts';

export function webRoutes(assets: Map<string, WebAsset>): Hono {
  const app = new Hono();
  app.get('*', (c, next) => {
    const path = c.req.path;
    // /agent/<id> serves the agent page; the page reads the id from its URL.
    const asset = assets.get(path) ?? (path.startsWith('/agent/') ? assets.get('/agent') : undefined);
    if (!asset) return next();
    const body = typeof asset.body === 'string' ? asset.body : new Uint8Array(asset.body);
    return c.body(body, 200, {
      'content-type': asset.contentType,
      // Assets are rebuilt at every start; a TV must pick up a new build after a restart.
      'cache-control': 'no-cache',
    });
  });
  return app;
}
