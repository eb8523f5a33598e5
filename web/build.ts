/**
 * Builds the web pages in memory for the API server to serve.
 *
 *   const assets = await buildWeb();
 *   assets.get('/')                  → { body: <html>, contentType: 'text/html; charset=utf-8' }
 *   assets.get('/assets/wallboard.js')
 *   assets.get('/assets/styles.css')  (uPlot's CSS + web/styles.css)
 *
 * Call it once at start and serve the map as is (it holds no secrets and no per-request data).
 * Pages reference their assets by absolute path (/assets/...), so a page can be served at any
 * route, including nested ones such as /agent/<id>.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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
  return out;
}
