/**
 * The OpenAPI document: well-formed, every reference resolves, every route documented with
 * who may call it — and every JSON answer the API actually gives matches the schema the
 * document names for it, field for field (nothing undocumented, nothing missing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import * as agents from '@belofte/api/schemas/agents';
import * as breaches from '@belofte/api/schemas/breaches';
import * as health from '@belofte/api/schemas/health';
import * as live from '@belofte/api/schemas/live';
import * as registry from '@belofte/api/schemas/registry';
import { outputs } from '@belofte/api/schemas/registry';
import * as stats from '@belofte/api/schemas/stats';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';

const MANAGER = 'manager-token-openapi-01';
const prefix = testPrefix('openapi');
const redis = connect();
let api: RunningApi;
let doc: { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys: new Keys(prefix, 'main'), retentionDays: 3650, maxBuffered: 100 });
  writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: '1763370000.9', at: Date.parse('2026-11-17T09:00:00Z'), queues: ['Afval', 'Parkeren', 'Afval', 'Wmo-zorg'], waits: [330, 5, 5, 5], last: 'answered', agents: ['Anna de Vries', 'Bram Jansen', 'Anna de Vries', 'Eva van den Berg'], talks: [60, 60, 60, 60] }) }]);
  writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: '1763370000.10', at: Date.parse('2026-11-17T10:00:00Z'), queues: ['Afval'], waits: [40], last: 'abandoned', agents: [], talks: [] }) }]);
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER }));
  doc = await (await fetch(`${api.url}/api/openapi.json`)).json();
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

/** The registered output schema with this component id, found among the schema modules' exports. */
function schemaById(id: string): z.ZodType {
  for (const mod of [stats, breaches, agents, live, registry, health]) {
    for (const value of Object.values(mod)) {
      if (value && typeof value === 'object' && 'safeParse' in value && outputs.get(value as z.ZodType)?.id === id) return value as z.ZodType;
    }
  }
  throw new Error(`no registered schema ${id}`);
}

describe('GET /api/openapi.json', () => {
  it('is OpenAPI 3.1 whose every $ref resolves, with unique operation ids and an access rule on each', () => {
    expect(doc.openapi).toBe('3.1.0');
    const refs = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.add(String(x)) : walk(x);
    };
    walk(doc);
    for (const ref of refs) expect(doc.components.schemas, ref).toHaveProperty(ref.replace('#/components/schemas/', ''));
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    for (const o of ops) expect(['public', 'wallboard', 'supervisor', 'manager', 'agent']).toContain(o['x-belofte-access']);
  });

  it('states the one version of the product, package.json\'s', async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((doc as unknown as { info: { version: string } }).info.version).toBe(pkg.version);
  });

  it('documents the parameters the API checks, with their allowed values', () => {
    const weekly = doc.paths['/api/stats/weekly']!.get;
    const params = Object.fromEntries(weekly.parameters.map((p: any) => [p.name, p]));
    expect(Object.keys(params)).toEqual(['week', 'queue', 'site', 'format', 'part', 'lang', 'decimal']);
    expect(params.format.schema.enum).toEqual(['json', 'csv']);
    expect(params.week.schema.pattern).toBe('^\\d{4}-W\\d{2}$');
    expect(doc.paths['/api/breaches/{id}']!.patch.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/FollowUpPatch');
    const patch = doc.components.schemas.FollowUpPatch as any;
    expect(patch.properties.compensation.items.properties.kind.enum).toEqual(['apology', 'coffee', 'parking', 'travel', 'other']);
    expect(patch.additionalProperties).toBe(false);
  });

  it.each([
    ['/api/live', 'get'],
    ['/api/history', 'get'],
    ['/api/stats/weekly?week=2026-W47', 'get'],
    ['/api/stats/abandoned?week=2026-W47', 'get'],
    ['/api/breaches?week=2026-W47', 'get'],
    ['/api/breaches/1763370000.9', 'get'],
    ['/api/agents/Anna%20de%20Vries', 'get'],
    ['/healthz', 'get'],
    ['/readyz', 'get'],
  ])('%s answers exactly the documented schema', async (path, method) => {
    const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${MANAGER}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    const template = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path.split('?')[0]!))!;
    const ref: string = doc.paths[template]![method].responses['200'].content['application/json'].schema.$ref;
    const schema = schemaById(ref.split('/').pop()!);
    // Parsing strips what the schema does not know: equal means nothing undocumented.
    expect(schema.parse(body)).toEqual(body);
  });

  it('documents errors too: a refused parameter answers the Error schema', async () => {
    const res = await fetch(`${api.url}/api/stats/weekly?week=nope`, { headers: { authorization: `Bearer ${MANAGER}` } });
    const body = await res.json();
    expect(schemaById('Error').parse(body)).toEqual(body);
    expect(doc.paths['/api/stats/weekly']!.get.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
  });

  it('has a readable page listing every endpoint', async () => {
    const html = await (await fetch(`${api.url}/api/docs`)).text();
    for (const p of Object.keys(doc.paths)) expect(html).toContain(`<code>${p.replace(/&/g, '&#38;')}</code>`);
    expect(html).toMatch(/manager token/);
  });
});
