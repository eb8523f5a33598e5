/**
 * docker-compose.yml and the Dockerfile say what the README promises. Neither can be run on
 * this test machine (no container runtime that can start a container, and no base image to
 * pull: see the README), so this reads them and checks them against the build.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENTRIES } from '../../scripts/build.ts';
import { repoRoot } from '../support/captures.ts';

const file = path.join(repoRoot, 'docker-compose.yml');

interface Service {
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  restart?: string;
}

describe('docker-compose.yml', () => {
  const doc = parse(readFileSync(file, 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const s = doc.services;
  const bundle = (svc: Service) => /^dist\/(\w+)\.js$/.exec(svc.command?.[1] ?? '')?.[1];

  it('runs every Belofte process from the production bundles, with node', () => {
    for (const [name, svc] of Object.entries(s)) {
      if (name === 'redis') continue;
      expect(svc.command![0], name).toBe('node');
      expect(Object.keys(ENTRIES), name).toContain(bundle(svc));
    }
    expect(s.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(s.redis!.profiles).toBeUndefined();
  });

  it('against a real switch: the collector takes AMI_HOST as given, with no simulator to fall back on', () => {
    expect(s.collector!.profiles).toEqual(['switch']);
    expect(s.api!.profiles).toEqual(['switch']);
    expect(s.collector!.environment!.AMI_HOST).toBe('${AMI_HOST:-}');
    // It stops on a missing AMI_HOST (exit 2): not restarted forever.
    expect(s.collector!.restart).toMatch(/^on-failure/);
    expect(s.collector!.ports).toEqual(['${COLLECTOR_METRICS_PORT:-9464}:9464']);
    expect(s.collector!.environment!.COLLECTOR_METRICS_PORT).toBe(9464);
  });

  it('the demo: a simulator, a collector on it, its own manager token and three played weeks', () => {
    const demo = Object.entries(s).filter(([, v]) => v.profiles?.includes('demo')).map(([k]) => k).sort();
    expect(demo).toEqual(['demo-api', 'demo-collector', 'simulator', 'week']);
    expect(s['demo-collector']!.environment!.AMI_HOST).toBe('simulator');
    expect(s['demo-collector']!.ports).toEqual(['${COLLECTOR_METRICS_PORT:-9464}:9464']);
    expect(s['demo-api']!.environment!.MANAGER_TOKENS).toBe('${MANAGER_TOKENS:-demo=belofte-demo-manager}');
    expect(bundle(s.week!)).toBe('week');
    expect(s.week!.environment!.SIMULATOR_WEEK).toBe('previous');
    expect(s.week!.restart).toBe('no');
  });

  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  it.skipIf(compose.status !== 0)('passes `docker compose config`', () => {
    const r = spawnSync('docker', ['compose', '-f', file, 'config', '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const stages = text.split(/^FROM /m).slice(1);
  const last = stages.at(-1)!;

  it('builds in one stage and runs from another, without dev dependencies, as a non-root user', () => {
    expect(stages.length).toBe(2);
    expect(stages[0]).toMatch(/^RUN npm ci\b/m);
    expect(stages[0]).toMatch(/^RUN npm run build$/m);
    expect(last).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(last).toMatch(/^COPY --from=build \/app\/dist dist$/m);
    expect(last).toMatch(/^COPY --from=build \/app\/web\/dist web\/dist$/m);
    expect(last).toMatch(/^USER node$/m);
    expect(last).not.toMatch(/tsx|esbuild/);
    expect(last).toMatch(/^CMD \["node", "dist\/api\.js"\]$/m);
  });
});
