/**
 * deploy/prometheus/belofte-alerts.yml: parses as Prometheus rule groups, covers the conditions
 * of the built-in alert rules, and names only metrics Belofte exports (read from a running
 * API's and a collector's /metrics), so a renamed metric cannot silently leave a rule dead.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Collector } from '@belofte/collector/collector';
import { renderMetrics } from '@belofte/collector/metrics';
import { Keys } from '@belofte/shared/keys';
import { repoRoot } from '../support/captures.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, quietLog, testConfig, until, type RunningApi } from '../support/stack.ts';

interface Rule { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> }
const doc = parse(readFileSync(path.join(repoRoot, 'deploy', 'prometheus', 'belofte-alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
const rules = doc.groups.flatMap((g) => g.rules);

const prefix = testPrefix('prom-rules');
const redis = connect();
let api: RunningApi;

beforeAll(async () => {
  const keys = new Keys(prefix, 'main');
  await redis.multi().sadd(keys.queues, 'Afval').hset(keys.waiting('Afval'), 'v1', String(Date.now() - 10_000)).exec();
  api = await apiFor(testConfig(prefix, { ALERT_RULES: 'longWait; breach; serviceLevel; noAgent; disconnected' }), 5_000, undefined, { evaluateMs: 50 });
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('Prometheus alert rules', () => {
  it('are rule groups with an expression, a severity and a summary each', () => {
    expect(rules.length).toBeGreaterThanOrEqual(6);
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^Belofte[A-Z]\w+$/);
      expect(r.expr.trim().length).toBeGreaterThan(5);
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary).toBeTruthy();
      if (r.for) expect(r.for).toMatch(/^\d+[smh]$/);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  it.skipIf(promtool.status !== 0)('pass `promtool check rules` (Debian package prometheus)', () => {
    const r = spawnSync('promtool', ['check', 'rules', path.join(repoRoot, 'deploy', 'prometheus', 'belofte-alerts.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('cover every condition of the built-in rules', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const m of ['belofte_queue_longest_wait_seconds', 'belofte_queue_guarantee_breaches', 'belofte_queue_service_level', 'belofte_queue_agents_staffed', 'belofte_ami_connected', 'belofte_api_redis_read_errors_total', 'belofte_buffer_events']) {
      expect(exprs).toContain(m);
    }
  });

  it('name only metrics that Belofte exports', async () => {
    const text = await until(async () => {
      const t = await (await fetch(`${api.url}/metrics`)).text();
      return t.includes('belofte_queue_service_level_calls') ? t : undefined;
    }, 10_000, 'the evaluating process to export the queue figures');
    const exported = new Set([...text.matchAll(/^# TYPE (\w+)/gm), ...renderMetrics(new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1' }), redis, quietLog), 'main').matchAll(/^# TYPE (\w+)/gm)].map((m) => m[1]!));
    const named = new Set(rules.flatMap((r) => [...r.expr.matchAll(/\b(belofte_\w+)/g)].map((m) => m[1]!)));
    expect(named.size).toBeGreaterThan(5);
    for (const m of named) expect(exported, `${m} is not exported`).toContain(m);
  });
});
