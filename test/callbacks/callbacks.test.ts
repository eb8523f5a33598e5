/**
 * The callback list against the real Redis: who is on it, what each role sees of the number,
 * marking called back (versioned, audited, refused on a stale version, refused for the
 * wallboard), "called again" found by number without anyone marking it, the day's shares,
 * and the breach register showing that its caller was called back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { localDate, localToUtc } from '@belofte/shared/time';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { buildCall } from '../stats/simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const T = { wallboard: 'wallboard-token-tv-hal-01', supervisor: 'supervisor-token-sanne-01', manager: 'manager-token-marieke-01' };
const prefix = testPrefix('callbacks');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;

const tuesday = (h: number, m = 0) => localToUtc(2026, 11, 17, h, m, TZ);
const CALLS = [
  // Gave up after 5:20: on the list, and a breach.
  buildCall({ id: '1763370000.1', at: tuesday(9), queues: ['Afval'], waits: [320], last: 'abandoned', agents: [], talks: [], caller: '0612345678' }),
  // Sent out of Parkeren after a minute (timeout).
  buildCall({ id: '1763370000.2', at: tuesday(10), queues: ['Parkeren'], waits: [60], last: 'timedOut', agents: [], talks: [], caller: '+31 20 123 4567' }),
  // The first caller again, written differently, answered at 11:00: "called again".
  buildCall({ id: '1763370000.3', at: tuesday(11), queues: ['Afval'], waits: [12], last: 'answered', agents: ['Anna de Vries'], talks: [200], caller: '06-12 34 56 78' }),
  // Withheld number.
  buildCall({ id: '1763370000.4', at: tuesday(12), queues: ['Afval'], waits: [30], last: 'abandoned', agents: [], talks: [], caller: '' }),
  // Answered: not on the list.
  buildCall({ id: '1763370000.5', at: tuesday(13), queues: ['Afval'], waits: [10], last: 'answered', agents: ['Bram Jansen'], talks: [60], caller: '0699999999' }),
  // Transferred, then gave up in the second queue: listed on the queue they left.
  buildCall({ id: '1763370000.6', at: tuesday(14), queues: ['Burgerzaken', 'Wmo-zorg'], waits: [20, 90], last: 'abandoned', agents: ['Chantal Bakker'], talks: [30], caller: '0581234567' }),
  // Called at 23:58, gave up at 00:03 Wednesday: Wednesday's list.
  buildCall({ id: '1763370000.7', at: tuesday(23, 58), queues: ['Afval'], waits: [300], last: 'abandoned', agents: [], talks: [], caller: '0687654321' }),
];

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 1000 });
  for (const call of CALLS) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  api = await apiFor(
    testConfig(prefix, { WALLBOARD_TOKENS: T.wallboard, SUPERVISOR_TOKENS: `Sanne=${T.supervisor}`, MANAGER_TOKENS: `Marieke=${T.manager}`, BELOFTE_TIMEZONE: TZ, ALERT_RULES: 'off' }),
  );
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function call(method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url + path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('GET /api/callbacks', () => {
  it('lists every caller of the day who abandoned or left unanswered, with their wait, queue and state', async () => {
    const { status, body } = await call('GET', '/api/callbacks?date=2026-11-17', T.supervisor);
    expect(status).toBe(200);
    expect(body.entries.map((e: any) => [e.id, e.outcome, e.queue, e.waitSeconds, e.state])).toEqual([
      ['1763370000.1', 'abandoned', 'Afval', 320, 'calledAgain'],
      ['1763370000.2', 'timedOut', 'Parkeren', 60, 'open'],
      ['1763370000.4', 'abandoned', 'Afval', 30, 'open'],
      ['1763370000.6', 'abandoned', 'Wmo-zorg', 20 + 90, 'open'],
    ]);
    const [first, second, withheld, passedOn] = body.entries;
    expect(first.calledAgain).toEqual({ id: '1763370000.3', at: expect.stringMatching(/^2026-11-17T10:00:12/) });
    expect(first.breach).toBe('/api/breaches/1763370000.1');
    expect(second.breach).toBeNull();
    expect(withheld.caller).toBeNull();
    expect(passedOn.queues).toEqual(['Burgerzaken', 'Wmo-zorg']);
    expect(body.summary).toEqual({ callers: 4, calledBack: 0, calledBackWithinDay: 0, calledAgain: 1, open: 3, shareCalledBackWithinDay: 0, shareHandled: 0.25, medianMinutesToCallback: null });
    // A caller who left after midnight is on the next day's list.
    const wednesday = await call('GET', '/api/callbacks?date=2026-11-18', T.supervisor);
    expect(wednesday.body.entries.map((e: any) => e.id)).toEqual(['1763370000.7']);
  });

  it('shows numbers in full to supervisors and managers, the last four digits to the wallboard', async () => {
    const numbers = async (token: string) => (await call('GET', '/api/callbacks?date=2026-11-17', token)).body.entries.map((e: any) => e.caller);
    expect(await numbers(T.supervisor)).toEqual(['0612345678', '+31 20 123 4567', null, '0581234567']);
    expect(await numbers(T.manager)).toEqual(['0612345678', '+31 20 123 4567', null, '0581234567']);
    const masked = await numbers(T.wallboard);
    expect(masked).toEqual(['****5678', '****4567', null, '****4567']);
    const detail = await call('GET', '/api/callbacks/1763370000.2', T.wallboard);
    expect(detail.body.caller).toBe('****4567');
    expect(JSON.stringify((await call('GET', '/api/callbacks?date=2026-11-17', T.wallboard)).body)).not.toMatch(/0612345678|123 4567/);
  });

  it('defaults to today and filters by queue and state; refuses a bad date', async () => {
    const today = await call('GET', '/api/callbacks', T.supervisor);
    expect(today.body.date).toBe(localDate(Date.now(), TZ));
    expect((await call('GET', '/api/callbacks?date=2026-11-17&queue=Afval', T.supervisor)).body.entries.map((e: any) => e.id)).toEqual(['1763370000.1', '1763370000.4']);
    expect((await call('GET', '/api/callbacks?date=2026-11-17&state=open', T.supervisor)).body.count).toBe(3);
    const bad = await call('GET', '/api/callbacks?date=2026-02-30', T.supervisor);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ parameter: 'date', message: expect.stringMatching(/^date: must be a local date/) });
  });
});

describe('PATCH /api/callbacks/<id>', () => {
  it('records who called back, when and whether they were reached, versioned and audited', async () => {
    const r = await call('PATCH', '/api/callbacks/1763370000.2', T.supervisor, { calledBack: true, reached: false, calledBackAt: '2026-11-17T10:31:00+01:00', note: 'voicemail ingesproken' });
    expect(r.status).toBe(200);
    expect(r.body.callback).toMatchObject({ calledBack: true, reached: false, calledBackBy: 'Sanne', calledBackAt: '2026-11-17T09:31:00.000Z', version: 1, updatedBy: 'Sanne' });
    expect(r.body.state).toBe('calledBack');
    expect(r.body.minutesToCallback).toBe(30);
    // A colleague who saw version 0 is refused rather than overwriting it.
    const stale = await call('PATCH', '/api/callbacks/1763370000.2', T.manager, { reached: true, expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/version 1, not 0/);
    const again = await call('PATCH', '/api/callbacks/1763370000.2', T.manager, { reached: true, expectedVersion: 1 });
    expect(again.body.callback).toMatchObject({ reached: true, version: 2, updatedBy: 'Marieke', calledBackBy: 'Sanne' });
    // The same change twice is no change.
    expect((await call('PATCH', '/api/callbacks/1763370000.2', T.manager, { reached: true })).body.callback.version).toBe(2);
    const detail = await call('GET', '/api/callbacks/1763370000.2', T.supervisor);
    expect(detail.body.audit.map((a: any) => [a.by, a.version, Object.keys(a.changes).sort()])).toEqual([
      ['Sanne', 1, ['calledBack', 'calledBackAt', 'calledBackBy', 'note', 'reached']],
      ['Marieke', 2, ['reached']],
    ]);
    expect(detail.body.audit[1].changes.reached).toEqual({ from: false, to: true });
  });

  it('counts the share called back within the day and the time to callback', async () => {
    // Called back the next day: called back, but not within the day.
    await call('PATCH', '/api/callbacks/1763370000.6', T.supervisor, { calledBack: true, reached: true, calledBackAt: '2026-11-18T09:00:00+01:00' });
    const { body } = await call('GET', '/api/callbacks?date=2026-11-17', T.supervisor);
    expect(body.summary).toMatchObject({ callers: 4, calledBack: 2, calledBackWithinDay: 1, calledAgain: 1, open: 1, shareCalledBackWithinDay: 0.25, shareHandled: 0.75 });
    const sixth = body.entries.find((e: any) => e.id === '1763370000.6');
    expect(sixth.minutesToCallback).toBe(Math.round((Date.parse('2026-11-18T08:00:00Z') - Date.parse(sixth.leftAt)) / 60_000));
    expect(body.summary.medianMinutesToCallback).toBe((30 + sixth.minutesToCallback) / 2);
  });

  it('shows in the breach register that the caller was called back', async () => {
    const before = await call('GET', '/api/breaches/1763370000.1', T.manager);
    expect(before.body.calledBack).toBeNull();
    await call('PATCH', '/api/callbacks/1763370000.1', T.supervisor, { calledBack: true, reached: true, calledBackAt: '2026-11-17T12:00:00+01:00' });
    const after = await call('GET', '/api/breaches/1763370000.1', T.manager);
    expect(after.body.calledBack).toEqual({ at: '2026-11-17T11:00:00.000Z', by: 'Sanne', reached: true });
    const list = await call('GET', '/api/breaches?from=2026-11-17&to=2026-11-17', T.manager);
    expect(list.body.breaches.find((b: any) => b.id === '1763370000.1').calledBack).toMatchObject({ by: 'Sanne' });
    // Called back beats called again.
    expect((await call('GET', '/api/callbacks/1763370000.1', T.supervisor)).body.state).toBe('calledBack');
  });

  it('is refused for the wallboard, for calls that were answered, and for a time before the caller left', async () => {
    const wb = await call('PATCH', '/api/callbacks/1763370000.4', T.wallboard, { calledBack: true });
    expect(wb.status).toBe(403);
    expect(wb.body.message).toMatch(/supervisor or manager token/);
    expect((await call('PATCH', '/api/callbacks/1763370000.5', T.supervisor, { calledBack: true })).status).toBe(404);
    const early = await call('PATCH', '/api/callbacks/1763370000.4', T.supervisor, { calledBack: true, calledBackAt: '2026-11-17T08:00:00+01:00' });
    expect(early.status).toBe(400);
    expect(early.body.parameter).toBe('calledBackAt');
    const empty = await call('PATCH', '/api/callbacks/1763370000.4', T.supervisor, {});
    expect(empty.status).toBe(400);
    // Marking without a time: now, by the supervisor.
    const now = await call('PATCH', '/api/callbacks/1763370000.4', T.supervisor, { calledBack: true });
    expect(Date.parse(now.body.callback.calledBackAt)).toBeGreaterThan(Date.now() - 60_000);
    // Undo.
    const undo = await call('PATCH', '/api/callbacks/1763370000.4', T.supervisor, { calledBack: false });
    expect(undo.body.callback).toMatchObject({ calledBack: false, calledBackAt: null, calledBackBy: null, version: 2 });
    expect(undo.body.state).toBe('open');
  });
});
