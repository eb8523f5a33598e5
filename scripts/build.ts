/**
 * `npm run build`: what the production image runs, so it needs no dev dependency (no tsx, no
 * esbuild, no TypeScript at run time):
 *
 *   web/dist/            the pages (web/build.ts)
 *   dist/api.js          the API           (node dist/api.js)
 *   dist/collector.js    the collector     (node dist/collector.js)
 *   dist/simulator.js    the AMI simulator (node dist/simulator.js --port 5038)
 *   dist/week.js         plays SIMULATOR_WEEK and the two weeks before it into Redis, then exits
 *
 * Each process is one ESM bundle of Belofte's own code; packages from npm stay imports, resolved
 * from node_modules (`npm ci --omit=dev`). Lua scripts and the pages are read at run time from
 * their places in the source tree, so a module's `import.meta.url` is rewritten to the URL of
 * its source file, relative to the bundle: ship `services/` (the .lua files) beside `dist/`.
 *
 * `tsx scripts/build.ts --out DIR` writes the bundles elsewhere (tests).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { writeWeb } from '../web/build.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const ENTRIES = {
  api: 'services/api/src/main.ts',
  collector: 'services/collector/src/main.ts',
  simulator: 'services/simulator/src/main.ts',
  week: 'scripts/week.ts',
};

/** Packages from npm stay imports; Belofte's workspace packages (@belofte/*) are bundled. */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@belofte/') || args.path.startsWith('node:') ? undefined : { path: args.path, external: true }));
  },
};

/** `import.meta.url` of a bundled module = its source file's URL, relative to the bundle. */
function sourceUrls(outdir: string): Plugin {
  return {
    name: 'source-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const rel = path.relative(outdir, args.path).split(path.sep).join('/');
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/** Builds the bundles; returns every package each one imports at run time (from esbuild's metafile). */
export async function buildServices(outdir = path.join(root, 'dist')): Promise<Record<string, string[]>> {
  const result = await build({
    metafile: true,
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(root, file)])),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [npmPackagesExternal, sourceUrls(outdir)],
  });
  const imports: Record<string, string[]> = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue;
    imports[path.basename(file, '.js')] = [...new Set(output.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path))].sort();
  }
  return imports;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  await writeWeb();
  await buildServices(values.out ? path.resolve(values.out) : undefined);
  console.log(`built web/dist and ${values.out ?? 'dist'}/{${Object.keys(ENTRIES).join(',')}}.js`);
}
