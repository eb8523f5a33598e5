/** docker-compose.yml parses and says what the README promises. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../support/captures.ts';

const file = path.join(repoRoot, 'docker-compose.yml');

describe('docker-compose.yml', () => {
  const doc = parse(readFileSync(file, 'utf8')) as { services: Record<string, { command?: string[]; profiles?: string[]; environment?: Record<string, string> }> };

  it('runs Redis with append-only persistence, the collector and the API', () => {
    expect(Object.keys(doc.services).sort()).toEqual(['api', 'collector', 'redis', 'simulator']);
    expect(doc.services.redis!.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
    expect(doc.services.collector!.command!.join(' ')).toMatch(/collector\/src\/main\.ts/);
    expect(doc.services.api!.command!.join(' ')).toMatch(/api\/src\/main\.ts/);
  });

  it('adds the simulator only in the demo profile', () => {
    expect(doc.services.simulator!.profiles).toEqual(['demo']);
    expect(doc.services.redis!.profiles).toBeUndefined();
  });

  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  it.skipIf(compose.status !== 0)('passes `docker compose config`', () => {
    const r = spawnSync('docker', ['compose', '-f', file, 'config', '--quiet'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
