/**
 * Builds the web pages: `npm run build:web` (or `tsx web/build.ts [DIR]`) writes them to
 * web/dist, which the API serves as plain files; the API never imports this module.
 *
 *   web/dist/index.html, reports.html, agent.html   the pages
 *   web/dist/assets/wallboard.js, reports.js, …      their bundles (uPlot included)
 *   web/dist/assets/styles.css                       uPlot's CSS + styles.css + pages.css
 *   web/dist/favicon.svg
 *   web/dist/routes.json                             URL path → file, e.g. { "/": "index.html" }
 *
 * `buildWeb()` returns the same as a map in memory (the wallboard's browser test serves it).
 * Pages reference their assets by absolute path (/assets/...), so a page can be served at any
 * route, including nested ones such as /agent/<id>.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** One built file: the same shape the API serves (services/api/src/routes/web.ts). */
export interface WebAsset {
  body: Buffer | string;
  contentType: string;
}

export interface PageSpec {
  /** Bundle name: the script is served as /assets/<name>.js. */
  name: string;
  /** Exact URL paths that serve this page's HTML. */
  routes: string[];
  /** HTML file, relative to web/. */
  html: string;
  /** Entry module, relative to web/. */
  script: string;
}

/**
 * Every page. To add one (e.g. the agent view or reports), add a row and an HTML file that
 * loads /assets/<name>.js and /assets/styles.css. A route with a parameter, like
 * /agent/<id>, is listed here by its fixed part ('/agent'); the server decides how to map
 * '/agent/7' onto it, and the page reads the id from location.
 */
export const PAGES: PageSpec[] = [
  { name: 'wallboard', routes: ['/', '/index.html'], html: 'index.html', script: 'src/wallboard.ts' },
  { name: 'reports', routes: ['/reports', '/reports.html'], html: 'reports.html', script: 'src/reports.ts' },
  { name: 'period', routes: ['/reports/period'], html: 'period.html', script: 'src/period.ts' },
  { name: 'agent', routes: ['/agent'], html: 'agent.html', script: 'src/agent.ts' },
  { name: 'callbacks', routes: ['/callbacks', '/callbacks.html'], html: 'callbacks.html', script: 'src/callbacks.ts' },
];

/** Stylesheets bundled, in order, into /assets/styles.css (package paths or paths relative to web/). */
const STYLES = ['uplot/dist/uPlot.min.css', './styles.css', './pages.css', './alertStrip.css'];

export const WEB_DIR = dirname(fileURLToPath(import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf('.'));
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

const TARGET = ['chrome100', 'firefox100', 'safari15', 'edge100'];

export async function buildWeb(): Promise<Map<string, WebAsset>> {
  const out = new Map<string, WebAsset>();
  const outdir = join(WEB_DIR, '.virtual-assets');

  const [scripts, styles] = await Promise.all([
    build({
      absWorkingDir: WEB_DIR,
      entryPoints: Object.fromEntries(PAGES.map((p) => [p.name, join(WEB_DIR, p.script)])),
      outdir,
      write: false,
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: TARGET,
      minify: true,
      legalComments: 'none',
      logLevel: 'silent',
    }),
    build({
      absWorkingDir: WEB_DIR,
      stdin: {
        contents: STYLES.map((s) => `@import ${JSON.stringify(s)};`).join('\n'),
        resolveDir: WEB_DIR,
        sourcefile: 'styles-entry.css',
        loader: 'css',
      },
      outfile: join(outdir, 'styles.css'),
      write: false,
      bundle: true,
      target: TARGET,
      minify: true,
      logLevel: 'silent',
    }),
  ]);

  for (const file of [...scripts.outputFiles, ...styles.outputFiles]) {
    const path = `/assets/${relative(outdir, file.path).split('\\').join('/')}`;
    out.set(path, { body: file.text, contentType: contentType(path) });
  }

  for (const page of PAGES) {
    const html = await readFile(join(WEB_DIR, page.html), 'utf8');
    for (const route of page.routes) out.set(route, { body: html, contentType: CONTENT_TYPES['.html']! });
  }
  for (const file of STATIC) out.set(`/${file}`, { body: await readFile(join(WEB_DIR, file)), contentType: contentType(file) });
  return out;
}

/** Files served as they are. */
const STATIC = ['favicon.svg'];

/** Where `npm run build:web` writes the pages, and where the API reads them. */
export const DIST_DIR = join(WEB_DIR, 'dist');

/**
 * Builds every page into `dir` (default web/dist), replacing what was there in one rename, so
 * a server reading the folder never sees half a build.
 */
export async function writeWeb(dir = DIST_DIR): Promise<void> {
  const assets = await buildWeb();
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const routes: Record<string, string> = {};
  for (const page of PAGES) for (const route of page.routes) routes[route] = page.html;
  await mkdir(join(tmp, 'assets'), { recursive: true });
  for (const [path, asset] of assets) {
    if (routes[path]) continue;
    await writeFile(join(tmp, path.slice(1)), asset.body);
  }
  for (const page of PAGES) await writeFile(join(tmp, page.html), assets.get(page.routes[0]!)!.body);
  await writeFile(join(tmp, 'routes.json'), `${JSON.stringify(routes, null, 2)}\n`);
  const old = `${dir}.old-${process.pid}-${Date.now()}`;
  await rename(dir, old).catch(() => undefined);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? DIST_DIR;
  await writeWeb(dir);
  console.log(`web pages built into ${relative(process.cwd(), dir) || '.'}`);
}
