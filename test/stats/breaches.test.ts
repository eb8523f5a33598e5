/**
 * The breach register against the real Redis: which calls are breaches, what is shown of
 * them (caller masked), recording the follow-up (validated, atomic with its audit trail,
 * refused on a stale version), and the weekly statistics counting breaches by follow-up state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { localToUtc } from '@belofte/shared/time';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { buildCall } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const MARIEKE = 'manager-token-marieke-01';
const ANON = 'manager-token-unnamed-01';
const prefix = testPrefix('breaches');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;

const monday = (h: number, m = 0) => localToUtc(2026, 11, 16, h, m, TZ);
const tuesday = (h: number, m = 0) => localToUtc(2026, 11, 17, h, m, TZ);
const CALLS = [
  // Answered after 6:40: the guarantee broken.
  buildCall({ id: '1763283600.1', at: monday(9), queues: ['Afval'], waits: [400], last: 'answered', agents: ['Anna de Vries'], talks: [120], caller: '+31 (0)58 233 8899' }),
  // Hung up after 5:20 without anyone: broken too.
  buildCall({ id: '1763283600.2', at: monday(10), queues: ['Parkeren'], waits: [320], last: 'abandoned', agents: [], talks: [], caller: '0612345678' }),
  // Quickly answered each time, but passed on three times.
  buildCall({ id: '1763283600.3', at: tuesday(11), queues: ['Burgerzaken', 'Afval', 'Parkeren', 'Wmo-zorg'], waits: [5, 10, 8, 12], last: 'answered', agents: ['Bram Jansen', 'Chantal Bakker', 'Daan El Amrani', 'Eva van den Berg'], talks: [60, 40, 50, 300], caller: '0201234567' }),
  // Both.
  buildCall({ id: '1763283600.4', at: tuesday(14), queues: ['Belastingen', 'Afval', 'Parkeren', 'Afval'], waits: [310, 10, 8, 12], last: 'answered', agents: ['Fatima Visser', 'Gijs Yılmaz', 'Anna de Vries', 'Bram Jansen'], talks: [60, 40, 50, 300], caller: '' }),
  // Fine: no breach.
  buildCall({ id: '1763283600.5', at: tuesday(15), queues: ['Afval', 'Parkeren'], waits: [15, 30], last: 'answered', agents: ['Anna de Vries', 'Bram Jansen'], talks: [60, 100], caller: '0611111111' }),
  // Abandoned within the guarantee: in the abandoned list, not a breach.
  buildCall({ id: '1763283600.6', at: tuesday(16), queues: ['Afval'], waits: [75], last: 'abandoned', agents: [], talks: [], caller: '0687654321' }),
];

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 1000 });
  for (const call of CALLS) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: `Marieke=${MARIEKE},${ANON}`, BELOFTE_TIMEZONE: TZ, RETENTION_DAYS: '400' }));
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function call(method: string, path: string, body?: unknown, token = MARIEKE): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : null };
}

describe('GET /api/breaches', () => {
  it('lists the calls that broke the guarantee or the transfer limit, and nothing else', async () => {
    const { status, body, text } = await call('GET', '/api/breaches?week=2026-W47');
    expect(status).toBe(200);
    expect(body.count).toBe(4);
    expect(body.breaches.map((b: any) => [b.id, b.reasons])).toEqual([
      ['1763283600.1', ['guarantee']],
      ['1763283600.2', ['guarantee']],
      ['1763283600.3', ['transfers']],
      ['1763283600.4', ['guarantee', 'transfers']],
    ]);
    const [late, gaveUp, passedOn, both] = body.breaches;
    expect(late).toMatchObject({ queues: ['Afval'], firstQueue: 'Afval', waitSeconds: 400, transfers: 0, agents: ['Anna de Vries'], caller: '****8899', outcome: 'answered', state: 'open' });
    expect(late.at).toBe(new Date(monday(9)).toISOString());
    expect(late.followUp).toEqual({ complaintReceived: false, complaint: null, compensation: [], compensationAmount: 0, note: '', closed: false, version: 0, updatedAt: null, updatedBy: null });
    expect(gaveUp).toMatchObject({ outcome: 'abandoned', waitSeconds: 320, agents: [], caller: '****5678' });
    expect(passedOn).toMatchObject({ queues: ['Burgerzaken', 'Afval', 'Parkeren', 'Wmo-zorg'], transfers: 3, waitSeconds: 5, queueWaitSeconds: 35 });
    expect(passedOn.agents).toEqual(['Bram Jansen', 'Chantal Bakker', 'Daan El Amrani', 'Eva van den Berg']);
    expect(both.caller).toBeNull();
    // The whole number appears nowhere.
    for (const n of ['2338899', '12345678', '201234567']) expect(text).not.toContain(n);
  });

  it('takes from/to as local dates (to inclusive) or instants, and filters by queue and state', async () => {
    expect((await call('GET', '/api/breaches?from=2026-11-16&to=2026-11-16')).body.breaches.map((b: any) => b.id)).toEqual(['1763283600.1', '1763283600.2']);
    const r = await call('GET', `/api/breaches?from=${new Date(monday(9, 30)).toISOString()}&to=2026-11-17T12:00:00Z`);
    expect(r.body.breaches.map((b: any) => b.id)).toEqual(['1763283600.2', '1763283600.3']);
    expect((await call('GET', '/api/breaches?week=2026-W47&queue=Wmo-zorg')).body.breaches.map((b: any) => b.id)).toEqual(['1763283600.3']);
    expect((await call('GET', '/api/breaches?week=2026-W46')).body.count).toBe(0);
  });

  it.each([
    ['', 'from', /from: is required/],
    ['?from=2026-11-20&to=2026-11-16', 'to', /to: must be after from/],
    ['?from=2025-01-01&to=2026-11-16', 'to', /at most 366 days/],
    ['?week=2026-W47&from=2026-11-16', 'week', /either week or from/],
    ['?from=16-11-2026', 'from', /local date \(2026-11-16\) or an ISO 8601 instant/],
    ['?from=2026-02-30', 'from', /local date/],
    ['?week=2026-W47&state=pending', 'state', /state/],
    ['?week=2026-W47&sort=wait', 'sort', /unknown parameter "sort"/],
  ])('refuses %s naming %s', async (query, parameter, message) => {
    const r = await call('GET', `/api/breaches${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', parameter });
    expect(r.body.message).toMatch(message);
  });
});

describe('PATCH /api/breaches/<id>', () => {
  const id = '1763283600.1';

  it('records complaint, compensation and note, with who and when, atomically with an audit entry', async () => {
    const before = Date.now();
    const r = await call('PATCH', `/api/breaches/${id}`, { complaintReceived: true, compensation: ['coffee', 'apology', 'coffee'], note: 'Excuses gemaakt; kop koffie bij de balie.' });
    expect(r.status).toBe(200);
    const apologyAndCoffee = [
      { kind: 'apology', amount: null },
      { kind: 'coffee', amount: null },
    ];
    expect(r.body.followUp).toMatchObject({ complaintReceived: true, compensation: apologyAndCoffee, compensationAmount: 0, note: 'Excuses gemaakt; kop koffie bij de balie.', closed: false, version: 1, updatedBy: 'Marieke' });
    expect(Date.parse(r.body.followUp.updatedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(r.body.audit).toHaveLength(1);
    expect(r.body.audit[0]).toMatchObject({ by: 'Marieke', version: 1, changes: { complaintReceived: { from: null, to: true }, compensation: { from: null, to: apologyAndCoffee } } });
    // In Redis: one hash and one audit list, both kept for the retention period.
    const hash = await redis.hgetall(keys.breachFollowUp(id));
    expect(hash).toMatchObject({ complaintReceived: '1', version: '1', updatedBy: 'Marieke' });
    expect(JSON.parse(hash.compensation!)).toEqual([
      { kind: 'apology', amountCents: null },
      { kind: 'coffee', amountCents: null },
    ]);
    expect(await redis.llen(keys.breachAudit(id))).toBe(1);
    expect(await redis.ttl(keys.breachFollowUp(id))).toBeGreaterThan(399 * 86_400);
  });

  it('changes only the fields given; the same values again are no change', async () => {
    const r = await call('PATCH', `/api/breaches/${id}`, { closed: true }, ANON);
    expect(r.body.followUp).toMatchObject({ complaintReceived: true, closed: true, version: 2 });
    expect(r.body.followUp.updatedBy).toMatch(/^manager#[0-9a-f]{8}$/);
    expect(r.body.state).toBe('closed');
    const again = await call('PATCH', `/api/breaches/${id}`, { closed: true, compensation: ['coffee', 'apology'] });
    expect(again.body.followUp.version).toBe(2);
    expect(again.body.audit).toHaveLength(2);
    expect((await call('GET', `/api/breaches/${id}`)).body.audit.map((a: any) => Object.keys(a.changes))).toEqual([['complaintReceived', 'compensation', 'note'].sort(), ['closed']].map((k) => expect.arrayContaining(k)));
  });

  it('refuses a change made on a stale version with 409', async () => {
    const r = await call('PATCH', `/api/breaches/${id}`, { note: 'overschreven?', expectedVersion: 1 });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ error: 'conflict', message: expect.stringMatching(/version 2/) });
    expect((await call('PATCH', `/api/breaches/${id}`, { note: 'Aangevuld.', expectedVersion: 2 })).body.followUp.version).toBe(3);
  });

  it('keeps every one of many simultaneous changes', async () => {
    const other = '1763283600.3';
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call('PATCH', `/api/breaches/${other}`, { note: `poging ${i}` })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const detail = (await call('GET', `/api/breaches/${other}`)).body;
    expect(detail.followUp.version).toBe(20);
    expect(detail.audit.map((a: any) => a.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it.each([
    [{ compensation: ['cake'] }, 'compensation.0.kind', /apology/],
    [{}, 'body', /at least one of complaintReceived, complaint, compensation, note, closed/],
    [{ note: 'x'.repeat(2001) }, 'note', /at most 2000/],
    [{ closed: 'yes' }, 'closed', /boolean/],
    [{ closed: true, by: 'someone else' }, 'by', /unknown field "by"/],
    ['{not json', 'body', /not valid JSON/],
  ])('refuses %j naming %s', async (body, parameter, message) => {
    const r = await call('PATCH', `/api/breaches/${id}`, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', parameter });
    expect(r.body.message).toMatch(message);
  });

  it('answers 404 for an unknown call and for a call that broke no norm', async () => {
    for (const other of ['1763283600.99', '1763283600.5']) {
      const r = await call('PATCH', `/api/breaches/${other}`, { note: 'x' });
      expect(r.status).toBe(404);
      expect(r.body.error).toBe('not_found');
    }
    expect((await call('GET', '/api/breaches/no%20such')).status).toBe(400);
  });
});

describe('follow-up in the weekly statistics, and the abandoned list', () => {
  it('counts breaches by follow-up state', async () => {
    await call('PATCH', '/api/breaches/1763283600.2', { compensation: [{ kind: 'parking', amount: 4.5 }] });
    const s = (await call('GET', '/api/stats/weekly?week=2026-W47')).body;
    expect(s.total.week).toMatchObject({ breaches: 4, breachesOpen: 3, breachesClosed: 1, breachesWithComplaint: 1, breachesCompensated: 2, guaranteeBreaches: 3, overTransferLimit: 2 });
    expect(s.queues.Afval.week).toMatchObject({ breaches: 1, breachesClosed: 1 });
    expect(s.total.days[0]).toMatchObject({ breaches: 2, breachesClosed: 1, breachesCompensated: 2 });
    expect((await call('GET', '/api/breaches?week=2026-W47&state=closed')).body.breaches.map((b: any) => b.id)).toEqual(['1763283600.1']);
    expect((await call('GET', '/api/breaches?week=2026-W47&state=open')).body.count).toBe(3);
  });

  it('lists abandoned entries: when, queue, how long they waited, masked caller', async () => {
    const r = await call('GET', '/api/stats/abandoned?week=2026-W47');
    expect(r.status).toBe(200);
    expect(r.body.entries).toEqual([
      { id: '1763283600.2', at: new Date(monday(10)).toISOString(), leftAt: expect.any(String), queue: 'Parkeren', waitedSeconds: 320, short: false, caller: '****5678' },
      { id: '1763283600.6', at: new Date(tuesday(16)).toISOString(), leftAt: expect.any(String), queue: 'Afval', waitedSeconds: 75, short: false, caller: '****4321' },
    ]);
    expect((await call('GET', '/api/stats/abandoned?week=2026-W47&queue=Afval')).body.entries).toHaveLength(1);
  });
});
