/**
 * Scale-out: the live path against a 3-node Redis Cluster on loopback. Every live key of a site
 * carries its {site} hash tag, so every event's MULTI stays in one slot; its call records,
 * rollups and indexes are spread over {site.N} tags (a script each, in one slot); two
 * collectors (two switches, two site names) share the cluster, each with its own API, and one
 * more API shows both sites together.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ownCluster, type OwnCluster } from '../support/redis.ts';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { testPrefix } from '../support/redis.ts';
import { apiFor, asTruth, startLivePath, testConfig, type LivePath, type RunningApi, untilQueuesEqual } from '../support/stack.ts';
import { SCENARIO } from '../e2e/scenario.ts';

let cluster: OwnCluster | undefined;
const paths: LivePath[] = [];
let both: RunningApi | undefined;
afterAll(async () => {
  await both?.stop().catch(() => undefined);
  for (const p of paths) await p.stop().catch(() => undefined);
  await cluster?.stop();
});

describe('Redis Cluster', () => {
  it('runs the live path for two sites on one 3-node cluster, each site exactly as played', async () => {
    cluster = await ownCluster(mkdtempSync(path.join(tmpdir(), 'belofte-cluster-')));
    const prefix = testPrefix('cluster');
    for (const site of ['stadhuis', 'wijkpost']) {
      paths.push(await startLivePath({ name: `cluster-${site}`, prefix, scenario: SCENARIO, speed: 50, env: { REDIS_CLUSTER_NODES: cluster.nodes, BELOFTE_SITE: site, BELOFTE_SITES: site } }));
    }
    for (const p of paths) {
      await p.sim.done;
      await untilQueuesEqual(p, p.sim.truth().queues, { timeoutMs: 15_000 });
    }
    // Each site's keys are in the cluster, all in one slot per site.
    const { execFileSync } = await import('node:child_process');
    for (const site of ['stadhuis', 'wijkpost']) {
      const slots = new Set<string>();
      let keys = 0;
      for (const node of cluster.nodes.split(',')) {
        const port = node.split(':')[1]!;
        const found = execFileSync('redis-cli', ['-p', port, '--scan', '--pattern', `*{${site}}*`], { encoding: 'utf8' }).split('\n').filter(Boolean);
        keys += found.length;
        for (const k of found.slice(0, 5)) slots.add(execFileSync('redis-cli', ['-p', port, 'cluster', 'keyslot', k], { encoding: 'utf8' }).trim());
      }
      expect(keys).toBeGreaterThan(10);
      expect(slots.size).toBe(1);
      // The records spread: more than one slot, and each record's rollups and index beside it.
      const durable = new Map<string, string[]>();
      for (const node of cluster.nodes.split(',')) {
        const port = node.split(':')[1]!;
        for (const k of execFileSync('redis-cli', ['-p', port, '--scan', '--pattern', `*{${site}.*}*`], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
          const tag = /\{[^}]+\}/.exec(k)![0];
          durable.set(tag, [...(durable.get(tag) ?? []), k]);
        }
      }
      const recordSlots = new Set<string>();
      for (const [tag, found] of durable) {
        const port = cluster.nodes.split(',')[0]!.split(':')[1]!;
        const slotsOfTag = new Set(found.map((k) => execFileSync('redis-cli', ['-p', port, 'cluster', 'keyslot', k], { encoding: 'utf8' }).trim()));
        expect(slotsOfTag.size, tag).toBe(1);
        // Record buckets (one per hour), with their rollups and days index beside them.
        if (found.some((k) => /:r:\d+$/.test(k))) {
          recordSlots.add([...slotsOfTag][0]!);
          expect(found.some((k) => /:rq:\d{4}-/.test(k)), `${tag} holds its records' rollups`).toBe(true);
          expect(found.some((k) => /:days$/.test(k)), `${tag} holds its days index`).toBe(true);
        }
      }
      expect(recordSlots.size).toBeGreaterThan(1);
    }
    expect(paths[0]!.latest()!.total.offered).toBe(paths[1]!.latest()!.total.offered);

    // One API for both sites, on the same cluster: each site's queues as played, the total their sum.
    both = await apiFor(testConfig(prefix, { REDIS_CLUSTER_NODES: cluster.nodes, BELOFTE_SITE: 'stadhuis', BELOFTE_SITES: 'stadhuis,wijkpost' }), 200);
    const s = (await (await fetch(`${both.url}/api/live?window=24h`)).json()) as LiveSnapshot;
    expect(Object.keys(s.sites!)).toEqual(['stadhuis', 'wijkpost']);
    for (const [i, site] of ['stadhuis', 'wijkpost'].entries()) {
      for (const [queue, t] of Object.entries(paths[i]!.sim.truth().queues)) expect(asTruth(s.queues[`${site}/${queue}`]!), `${site}/${queue}`).toEqual(t);
    }
    expect(s.total.offered).toBe(paths[0]!.latest()!.total.offered + paths[1]!.latest()!.total.offered);
    expect(s.total.answeredWithinTarget).toBe(s.sites!.stadhuis!.total.answeredWithinTarget + s.sites!.wijkpost!.total.answeredWithinTarget);
  }, 120_000);
});
