/**
 * Every endpoint against every role: no token, an unknown token, the wallboard, an agent
 * asking for their own figures, an agent asking for another agent's, and a manager. The list
 * of endpoints is checked against the OpenAPI document, so a new endpoint without a row here
 * fails this test. Then the same without any tokens configured, and with managers only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';

const TOKENS = {
  none: null,
  unknown: 'not-one-of-ours-0000001',
  wallboard: 'wallboard-token-tv-hal-01',
  supervisor: 'supervisor-token-sanne-01',
  agentSelf: 'agent-token-anna-000001',
  agentOther: 'agent-token-bram-000001',
  manager: 'manager-token-000000001',
} as const;
type Role = keyof typeof TOKENS;
const ROLES = Object.keys(TOKENS) as Role[];

const prefix = testPrefix('auth');
const redis = connect();
const BREACH = '1763283600.77';
const ABANDONED = '1763283600.78';
const ANNA = 'Anna de Vries';
let api: RunningApi;

interface Endpoint {
  method: 'GET' | 'PATCH';
  /** As in the OpenAPI document. */
  doc: string;
  path: string;
  body?: unknown;
  ws?: boolean;
  expect: Record<Role, number>;
}

const OPEN = { none: 200, unknown: 200, wallboard: 200, supervisor: 200, agentSelf: 200, agentOther: 200, manager: 200 };
const WALLBOARD = { none: 401, unknown: 401, wallboard: 200, supervisor: 200, agentSelf: 403, agentOther: 403, manager: 200 };
const SUPERVISOR = { none: 401, unknown: 401, wallboard: 403, supervisor: 200, agentSelf: 403, agentOther: 403, manager: 200 };
const MANAGER = { none: 401, unknown: 401, wallboard: 403, supervisor: 403, agentSelf: 403, agentOther: 403, manager: 200 };
const AGENT = { none: 401, unknown: 401, wallboard: 403, supervisor: 403, agentSelf: 200, agentOther: 403, manager: 200 };
const upgraded = (m: Record<Role, number>) => Object.fromEntries(Object.entries(m).map(([r, s]) => [r, s === 200 ? 101 : s])) as Record<Role, number>;

const ENDPOINTS: Endpoint[] = [
  { method: 'GET', doc: '/api/live', path: '/api/live', expect: WALLBOARD },
  { method: 'GET', doc: '/api/history', path: '/api/history', expect: WALLBOARD },
  { method: 'GET', doc: '/ws', path: '/ws', ws: true, expect: upgraded(WALLBOARD) },
  { method: 'GET', doc: '/ws', path: `/ws?agent=${encodeURIComponent(ANNA)}`, ws: true, expect: upgraded(AGENT) },
  { method: 'GET', doc: '/api/stats/weekly', path: '/api/stats/weekly?week=2026-W47', expect: MANAGER },
  { method: 'GET', doc: '/api/stats/weekly', path: '/api/stats/weekly?week=2026-W47&format=csv', expect: MANAGER },
  { method: 'GET', doc: '/api/stats/abandoned', path: '/api/stats/abandoned?week=2026-W47', expect: MANAGER },
  { method: 'GET', doc: '/api/stats/period', path: '/api/stats/period?from=2026-11', expect: MANAGER },
  { method: 'GET', doc: '/api/complaints', path: '/api/complaints', expect: MANAGER },
  { method: 'GET', doc: '/api/stats/period', path: '/api/stats/period?from=2026-Q4&format=csv', expect: MANAGER },
  { method: 'GET', doc: '/api/breaches', path: '/api/breaches?week=2026-W47', expect: MANAGER },
  { method: 'GET', doc: '/api/breaches/{id}', path: `/api/breaches/${BREACH}`, expect: MANAGER },
  { method: 'PATCH', doc: '/api/breaches/{id}', path: `/api/breaches/${BREACH}`, body: { note: 'gesproken met de beller' }, expect: MANAGER },
  { method: 'GET', doc: '/api/alerts', path: '/api/alerts', expect: WALLBOARD },
  { method: 'GET', doc: '/api/callbacks', path: '/api/callbacks?date=2026-11-17', expect: WALLBOARD },
  { method: 'GET', doc: '/api/callbacks/{id}', path: `/api/callbacks/${ABANDONED}`, expect: WALLBOARD },
  { method: 'PATCH', doc: '/api/callbacks/{id}', path: `/api/callbacks/${ABANDONED}`, body: { calledBack: true, reached: true }, expect: SUPERVISOR },
  { method: 'GET', doc: '/api/agents/{id}', path: `/api/agents/${encodeURIComponent(ANNA)}`, expect: AGENT },
  { method: 'GET', doc: '/healthz', path: '/healthz', expect: OPEN },
  { method: 'GET', doc: '/readyz', path: '/readyz', expect: OPEN },
  { method: 'GET', doc: '/api/openapi.json', path: '/api/openapi.json', expect: OPEN },
  { method: 'GET', doc: '/api/docs', path: '/api/docs', expect: OPEN },
  // Pages hold no figures: they fetch them with the token from their own address.
  { method: 'GET', doc: '/', path: '/', expect: OPEN },
  { method: 'GET', doc: '/reports', path: '/reports', expect: OPEN },
  { method: 'GET', doc: '/callbacks', path: '/callbacks', expect: OPEN },
  { method: 'GET', doc: '/agent/{id}', path: `/agent/${encodeURIComponent(ANNA)}`, expect: OPEN },
];

async function request(base: string, e: Endpoint, token: string | null): Promise<{ status: number; body: string; type: string | null }> {
  if (e.ws) return socket(base, e.path, token);
  const res = await fetch(base + e.path, {
    method: e.method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(e.body ? { 'content-type': 'application/json' } : {}) },
    body: e.body ? JSON.stringify(e.body) : undefined,
  });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

/** Opens a WebSocket, the token in ?token= as the pages do; resolves with 101 or the refusal. */
function socket(base: string, path: string, token: string | null): Promise<{ status: number; body: string; type: string | null }> {
  const url = new URL(base.replace(/^http/, 'ws') + path);
  if (token) url.searchParams.set('token', token);
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (data) => {
      resolve({ status: 101, body: String(data), type: 'application/json' });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    ws.once('error', (e) => reject(e));
  });
}

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys: new Keys(prefix, 'main'), retentionDays: 3650, maxBuffered: 100 });
  writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: BREACH, at: Date.parse('2026-11-17T09:00:00Z'), queues: ['Afval'], waits: [420], last: 'answered', agents: [ANNA], talks: [90] }) }]);
  writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: ABANDONED, at: Date.parse('2026-11-17T10:00:00Z'), queues: ['Afval'], waits: [80], last: 'abandoned', agents: [], talks: [] }) }]);
  await writer.flush();
  api = await apiFor(
    testConfig(prefix, {
      WALLBOARD_TOKENS: TOKENS.wallboard,
      SUPERVISOR_TOKENS: `Sanne=${TOKENS.supervisor}`,
      MANAGER_TOKENS: `Marieke=${TOKENS.manager}`,
      AGENT_TOKENS: `${ANNA}=${TOKENS.agentSelf},Bram Jansen=${TOKENS.agentOther}`,
    }),
    200,
  );
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('with tokens for every role', () => {
  it('the table below covers every endpoint of the OpenAPI document', async () => {
    const doc = (await (await fetch(`${api.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-belofte-access': string }>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(new Set(ENDPOINTS.map((e) => `${e.method} ${e.doc}`))).toEqual(new Set(documented));
  });

  for (const e of ENDPOINTS) {
    it(`${e.method} ${e.path}: ${ROLES.map((r) => `${r} ${e.expect[r]}`).join(', ')}`, async () => {
      for (const role of ROLES) {
        const r = await request(api.url, e, TOKENS[role]);
        expect(r.status, `${role} → ${e.method} ${e.path}: ${r.body.slice(0, 200)}`).toBe(e.expect[role]);
        if (r.status === 401 || r.status === 403) {
          expect(r.type).toMatch(/application\/json/);
          const body = JSON.parse(r.body) as { error: string; message: string };
          expect(body.error).toBe(r.status === 401 ? 'unauthorized' : 'forbidden');
          expect(body.message.length).toBeGreaterThan(20);
          if (role === 'agentOther' && e.expect.agentSelf === 200) expect(body.message).toMatch(/agent "Bram Jansen".*only that agent's own figures/);
        }
      }
    });
  }

  it('reads the token only from a well-formed Authorization header on HTTP', async () => {
    const weekly = `${api.url}/api/stats/weekly?week=2026-W47`;
    expect((await fetch(weekly, { headers: { authorization: `Basic ${TOKENS.manager}` } })).status).toBe(401);
    expect((await fetch(`${weekly}&token=${TOKENS.manager}`)).status).toBe(401);
    expect((await fetch(weekly, { headers: { authorization: `bearer ${TOKENS.manager}` } })).status).toBe(200);
  });

  it("an agent's socket carries their own view, a manager's any agent's", async () => {
    const own = await socket(api.url, `/ws?agent=${encodeURIComponent(ANNA)}`, TOKENS.agentSelf);
    expect(JSON.parse(own.body)).toMatchObject({ agent: ANNA, thisWeek: expect.any(Object), today: expect.any(Object) });
    const bram = await socket(api.url, `/ws?agent=${encodeURIComponent('Bram Jansen')}`, TOKENS.manager);
    expect(JSON.parse(bram.body)).toMatchObject({ agent: 'Bram Jansen' });
    const bad = await socket(api.url, '/ws?window=5x', TOKENS.wallboard);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: 'bad_request' });
  });
});

describe('with no tokens configured', () => {
  let open: RunningApi;
  beforeAll(async () => {
    open = await apiFor(testConfig(prefix), 200);
  });
  afterAll(async () => open?.stop());

  it('the wallboard is open; everything else refuses, saying how to configure tokens', async () => {
    for (const e of ENDPOINTS) {
      const r = await request(open.url, e, null);
      const wallboard = e.expect === WALLBOARD || (e.ws && !e.path.includes('agent='));
      const expected = e.expect === OPEN || wallboard ? (e.ws ? 101 : 200) : 403;
      expect(r.status, `${e.method} ${e.path}`).toBe(expected);
      if (expected === 403) {
        const body = JSON.parse(r.body) as { error: string; message: string };
        expect(body.error).toBe('not_configured');
        expect(body.message).toMatch(e.expect === AGENT || e.path.includes('agent=') ? /AGENT_TOKENS/ : e.expect === SUPERVISOR ? /SUPERVISOR_TOKENS/ : /MANAGER_TOKENS/);
      }
    }
  });
});

describe('with manager tokens only', () => {
  let managed: RunningApi;
  beforeAll(async () => {
    managed = await apiFor(testConfig(prefix, { MANAGER_TOKENS: TOKENS.manager }), 200);
  });
  afterAll(async () => managed?.stop());

  it('keeps the wallboard open, lets the manager see an agent, and asks others for a token', async () => {
    expect((await fetch(`${managed.url}/api/live`)).status).toBe(200);
    const agent = ENDPOINTS.find((e) => e.doc === '/api/agents/{id}')!;
    expect((await request(managed.url, agent, TOKENS.manager)).status).toBe(200);
    expect((await request(managed.url, agent, null)).status).toBe(401);
    expect((await request(managed.url, agent, TOKENS.agentSelf)).status).toBe(401);
  });
});
