/**
 * The production build (`npm run build`, what the Dockerfile's last stage runs): plain
 * JavaScript bundles that run with node alone, beside nothing but the production dependencies
 * (no tsx, esbuild, TypeScript, vitest or Playwright), and serve the built pages as files.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServices, ENTRIES } from '../../scripts/build.ts';
import { writeWeb } from '../../web/build.ts';
import { repoRoot } from '../support/captures.ts';
import { cleanPrefix, connect, redisUrl, testPrefix } from '../support/redis.ts';

const app = mkdtempSync(path.join(tmpdir(), 'belofte-prod-'));
const prefix = testPrefix('prod');
const redis = connect();
const children: ChildProcess[] = [];
let imports: Record<string, string[]>;

/** Every package `npm ci --omit=dev` installs (top-level names), from npm's own listing. */
function productionPackages(): string[] {
  const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: repoRoot, encoding: 'utf8' });
  const names = new Set<string>();
  for (const line of ls.stdout.split('\n')) {
    const rel = path.relative(path.join(repoRoot, 'node_modules'), line);
    if (!line || rel.startsWith('..')) continue;
    const parts = rel.split(path.sep);
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names].sort();
}

const DEV = ['tsx', 'esbuild', 'typescript', 'vitest', 'playwright-core', 'fast-check', 'yaml'];

beforeAll(async () => {
  // An app folder laid out as the image's last stage: production packages only, no workspace
  // links (the bundles carry Belofte's own code), the Lua scripts at their source places.
  const packages = productionPackages().filter((p) => !p.startsWith('@belofte/'));
  expect(packages).toEqual(expect.arrayContaining(['hono', 'ioredis', 'pino', 'ws', 'zod']));
  for (const dev of DEV) expect(packages).not.toContain(dev);
  for (const p of packages) {
    mkdirSync(path.dirname(path.join(app, 'node_modules', p)), { recursive: true });
    symlinkSync(path.join(repoRoot, 'node_modules', p), path.join(app, 'node_modules', p));
  }
  symlinkSync(path.join(repoRoot, 'services'), path.join(app, 'services'));
  // package.json holds the version the API states (the image copies it too).
  symlinkSync(path.join(repoRoot, 'package.json'), path.join(app, 'package.json'));
  imports = await buildServices(path.join(app, 'dist'));
  await writeWeb(path.join(app, 'web/dist'));
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(app, { recursive: true, force: true });
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

/** Starts `node dist/<name>.js`; resolves with the first JSON line of stdout that `pick` accepts. */
function startBundle(name: string, args: string[], env: Record<string, string>, pick: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AMI_|REDIS_|PORT$|SIMULATOR_|COLLECTOR_|.*_TOKENS$|VITEST|NODE_OPTIONS)/.test(k)));
  const child = spawn(process.execPath, [path.join(app, 'dist', `${name}.js`), ...args], {
    cwd: app,
    env: { ...base, NODE_ENV: 'production', REDIS_URL: redisUrl, REDIS_PREFIX: prefix, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const doc = JSON.parse(line) as Record<string, unknown>;
        if (pick(doc)) return resolve(doc);
      }
    });
    child.on('exit', (code) => reject(new Error(`dist/${name}.js exited with ${code}: ${err}${out}`)));
  });
}

describe('the production build', () => {
  it('imports, at run time, only production dependencies', () => {
    expect(Object.keys(imports).sort()).toEqual(Object.keys(ENTRIES).sort());
    const allowed = new Set(productionPackages());
    for (const [bundle, list] of Object.entries(imports)) {
      for (const spec of list) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        expect(allowed.has(pkg), `${bundle} imports ${spec}`).toBe(true);
      }
    }
  });

  it('runs the simulator, the collector and the API with node alone, and serves the built pages', async () => {
    const sim = await startBundle('simulator', ['--port', '0', '--speed', '20'], {}, (l) => l.event === 'listening');
    await startBundle('collector', [], { AMI_HOST: '127.0.0.1', AMI_PORT: String(sim.port), COLLECTOR_METRICS_PORT: '0' }, (l) => l.msg === 'connected to the phone switch');
    const ready = await startBundle('api', [], { PORT: '0' }, (l) => l.msg === 'wallboard ready');
    const url = String(ready.url).replace('localhost', '127.0.0.1');

    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toBe(readFileSync(path.join(app, 'web/dist/index.html'), 'utf8'));
    expect(html).toContain('href="/favicon.svg"');
    for (const asset of ['assets/wallboard.js', 'assets/styles.css', 'favicon.svg', 'reports']) expect((await fetch(`${url}${asset}`)).status, asset).toBe(200);

    // The collector's agents (logged in from the simulator's QueueStatus) reach /api/live.
    let agents = 0;
    for (let i = 0; i < 200 && agents === 0; i++) {
      const live = (await (await fetch(`${url}api/live`)).json()) as { agents: Record<string, unknown>; health: { collectorConnected: boolean } };
      agents = live.health.collectorConnected ? Object.keys(live.agents).length : 0;
      if (agents === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(agents).toBeGreaterThan(0);
  }, 60_000);
});
