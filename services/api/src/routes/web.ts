/**
 * The wallboard pages and their assets, read once at start from the built folder (web/dist,
 * made by `npm run build:web`; see web/build.ts). The API serves them as plain files and never
 * imports web/.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

export interface WebAsset {
  body: Buffer | string;
  contentType: string;
}

/** The folder `npm run build:web` writes. */
export const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Raised when the pages were never built: the message says what to run. */
export class WebNotBuilt extends Error {}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out;
}

/** URL path → content, from a built folder: its routes.json maps page routes onto HTML files. */
export function loadWebAssets(dir = WEB_DIST): Map<string, WebAsset> {
  const manifest = path.join(dir, 'routes.json');
  if (!existsSync(manifest)) {
    throw new WebNotBuilt(`the wallboard pages are not built (no ${path.relative(process.cwd(), manifest) || manifest}): run \`npm run build:web\` first`);
  }
  const assets = new Map<string, WebAsset>();
  for (const file of listFiles(dir)) {
    if (file === 'routes.json' || file.endsWith('.html')) continue;
    assets.set(`/${file}`, { body: readFileSync(path.join(dir, file)), contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  }
  const routes = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, string>;
  for (const [route, file] of Object.entries(routes)) {
    assets.set(route, { body: readFileSync(path.join(dir, file), 'utf8'), contentType: CONTENT_TYPES['.html']! });
  }
  return assets;
}

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
      // A TV must pick up a new build after a restart.
      'cache-control': 'no-cache',
    });
  });
  return app;
}
