/**
 * The charter's follow-up of a breach against the real Redis: the compensation ledger
 * (validated amounts in euros, audited like every follow-up change) and the complaint with its
 * deadlines in working days (due dates, overdue, due soon), with dates checked against each
 * other, against the breach and against today.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays } from '@belofte/api/complaints/workingDays';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { localDate, startOfLocalDay } from '@belofte/shared/time';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { buildCall } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const MANAGER = 'manager-token-ledger-01';
const prefix = testPrefix('charter-follow-up');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;

const DAY = 86_400_000;
const today = () => localDate(Date.now(), TZ);
const daysAgo = (n: number) => localDate(Date.now() - n * DAY, TZ);
// Breaches 40 days ago: room for complaints received at any date since.
const OLD = startOfLocalDay(Date.now() - 40 * DAY, TZ) + 10 * 3_600_000;
const LEDGER = 'ledger.1';
const LATE = 'complaint.late';
const SOON = 'complaint.soon';
const MET = 'complaint.met';

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 1000 });
  for (const [i, id] of [LEDGER, LATE, SOON, MET].entries()) {
    writer.enqueue([{ kind: 'callFinished', call: buildCall({ id, at: OLD + i * 60_000, queues: ['Afval'], waits: [400], last: 'answered', agents: ['Anna de Vries'], talks: [60], caller: '0612345678' }) }]);
  }
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: `Marieke=${MANAGER}`, BELOFTE_TIMEZONE: TZ }));
});

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(api.url + path, {
    method,
    headers: { authorization: `Bearer ${MANAGER}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('compensation ledger', () => {
  it('records kinds with amounts in euros, totals them in cents, and audits every change', async () => {
    const r = await call('PATCH', `/api/breaches/${LEDGER}`, { compensation: ['apology', { kind: 'parking', amount: 4.5 }, { kind: 'travel', amount: '12,35' }, { kind: 'parking', amount: '0.10' }] });
    expect(r.status).toBe(200);
    expect(r.body.followUp.compensation).toEqual([
      { kind: 'apology', amount: null },
      { kind: 'parking', amount: 0.1 },
      { kind: 'parking', amount: 4.5 },
      { kind: 'travel', amount: 12.35 },
    ]);
    expect(r.body.followUp.compensationAmount).toBe(16.95);
    expect(JSON.parse((await redis.hget(keys.breachFollowUp(LEDGER), 'compensation'))!)).toContainEqual({ kind: 'travel', amountCents: 1235 });
    const changed = await call('PATCH', `/api/breaches/${LEDGER}`, { compensation: ['apology', { kind: 'travel', amount: 20 }] });
    expect(changed.body.followUp).toMatchObject({ version: 2, compensationAmount: 20 });
    expect(changed.body.audit).toHaveLength(2);
    expect(changed.body.audit[1]).toMatchObject({
      by: 'Marieke',
      version: 2,
      changes: {
        compensation: {
          from: [
            { kind: 'apology', amount: null },
            { kind: 'parking', amount: 0.1 },
            { kind: 'parking', amount: 4.5 },
            { kind: 'travel', amount: 12.35 },
          ],
          to: [
            { kind: 'apology', amount: null },
            { kind: 'travel', amount: 20 },
          ],
        },
      },
    });
    // The same ledger in another order is no change.
    const same = await call('PATCH', `/api/breaches/${LEDGER}`, { compensation: [{ kind: 'travel', amount: '20.00' }, 'apology'] });
    expect(same.body.followUp.version).toBe(2);
  });

  it.each([
    [[{ kind: 'parking', amount: -2 }], 'compensation.0', /must not be negative/],
    [[{ kind: 'travel', amount: 3.456 }], 'compensation.0', /at most two decimals/],
    [[{ kind: 'travel', amount: '3,4.5' }], 'compensation.0', /at most two decimals/],
    [[{ kind: 'travel', amount: 0 }], 'compensation.0', /from 0.01/],
    [[{ kind: 'travel', amount: 20_000 }], 'compensation.0', /to 10000 euros/],
    [[{ kind: 'parking' }], 'compensation.0', /required for parking/],
    [['travel'], 'compensation.0.amount', /required for travel/],
    [[{ kind: 'coffee', amount: 3 }], 'compensation.0', /coffee costs no money/],
    [[{ kind: 'cake', amount: 3 }], 'compensation.0', /apology/],
    [[{ kind: 'other', amount: 3, what: 'flowers' }], 'what', /unknown field "what"/],
  ])('refuses %j naming %s, and changes nothing', async (compensation, parameter, message) => {
    const r = await call('PATCH', `/api/breaches/${LEDGER}`, { compensation });
    expect(r.status).toBe(400);
    expect(r.body.parameter.startsWith(parameter)).toBe(true);
    expect(r.body.message).toMatch(message);
    expect((await call('GET', `/api/breaches/${LEDGER}`)).body.followUp.version).toBe(2);
  });
});

describe('complaint deadlines', () => {
  it('puts the callback and the progress message on the 5th working day and settling at 10 weeks', async () => {
    const received = daysAgo(3);
    const r = await call('PATCH', `/api/breaches/${SOON}`, { complaint: { receivedOn: received, phoneKnown: true } });
    expect(r.status).toBe(200);
    const c = r.body.followUp.complaint;
    expect(r.body.followUp.complaintReceived).toBe(true);
    expect(c).toMatchObject({ receivedOn: received, phoneKnown: true, calledBackOn: null, progressMessageOn: null, settledOn: null });
    expect(c.deadlines.callback.due).toBe(addWorkingDays(received, 5));
    expect(c.deadlines.progressMessage.due).toBe(addWorkingDays(received, 5));
    const settleDue = new Date(Date.parse(`${received}T12:00:00Z`) + 70 * DAY).toISOString().slice(0, 10);
    expect(c.deadlines.settled).toEqual({ due: settleDue, doneOn: null, state: 'pending', overdue: false });
    // Received three calendar days ago: at most three working days passed, so not overdue.
    expect(c.deadlines.callback.overdue).toBe(false);
    expect(['pending', 'dueSoon']).toContain(c.deadlines.callback.state);
  });

  it('shows a step not done past its due date as overdue, and one done in time as met', async () => {
    const late = (await call('PATCH', `/api/breaches/${LATE}`, { complaint: { receivedOn: daysAgo(30), phoneKnown: true } })).body.followUp.complaint;
    expect(late.deadlines.callback).toMatchObject({ state: 'missed', overdue: true });
    expect(late.deadlines.progressMessage).toMatchObject({ state: 'missed', overdue: true });
    expect(late.deadlines.settled).toMatchObject({ state: 'pending', overdue: false });
    const received = daysAgo(30);
    const met = (await call('PATCH', `/api/breaches/${MET}`, { complaint: { receivedOn: received, phoneKnown: false, settledOn: addWorkingDays(received, 2) } })).body;
    expect(met.followUp.complaint.deadlines).toMatchObject({ callback: { state: 'notNeeded', due: null }, progressMessage: { state: 'notNeeded' }, settled: { state: 'met', overdue: false } });
    // Every step recorded in the audit trail, date by date.
    expect(met.audit.at(-1).changes).toMatchObject({ complaintReceivedOn: { from: null, to: received }, complaintPhoneKnown: { from: null, to: false }, complaintSettledOn: { from: null, to: addWorkingDays(received, 2) } });
    // Recording the callback late: missed, no longer overdue.
    const called = (await call('PATCH', `/api/breaches/${LATE}`, { complaint: { calledBackOn: daysAgo(1) } })).body.followUp.complaint;
    expect(called.deadlines.callback).toMatchObject({ state: 'missed', overdue: false, doneOn: daysAgo(1) });
    // The register lists them with their deadlines.
    const list = (await call('GET', `/api/breaches?from=${daysAgo(41)}&to=${today()}`)).body.breaches;
    expect(list.find((b: any) => b.id === LATE).followUp.complaint.deadlines.progressMessage.overdue).toBe(true);
  });

  it('clears the complaint with complaintReceived: false; clears a step with null', async () => {
    const cleared = (await call('PATCH', `/api/breaches/${LATE}`, { complaint: { calledBackOn: null } })).body.followUp.complaint;
    expect(cleared.calledBackOn).toBeNull();
    const none = (await call('PATCH', `/api/breaches/${MET}`, { complaintReceived: false })).body.followUp;
    expect(none).toMatchObject({ complaintReceived: false, complaint: null });
  });

  it.each([
    [{ complaint: { calledBackOn: daysAgo(1) } }, 'complaint.receivedOn', /is required/],
    [{ complaint: { receivedOn: daysAgo(-2) } }, 'complaint.receivedOn', /in the future/],
    [{ complaint: { receivedOn: daysAgo(60) } }, 'complaint.receivedOn', /before the breach/],
    [{ complaint: { receivedOn: daysAgo(10), settledOn: daysAgo(12) } }, 'complaint.settledOn', /before the complaint was received/],
    [{ complaint: { receivedOn: daysAgo(10), calledBackOn: daysAgo(-1) } }, 'complaint.calledBackOn', /in the future/],
    [{ complaint: { receivedOn: '2026-02-30' } }, 'complaint.receivedOn', /local date that exists/],
    [{ complaint: { receivedOn: daysAgo(10), phone: '0612345678' } }, 'phone', /unknown field/],
    [{ complaintReceived: false, complaint: { receivedOn: daysAgo(10) } }, 'complaint', /complaintReceived: false/],
  ])('refuses %j naming %s', async (body, parameter, message) => {
    const r = await call('PATCH', `/api/breaches/${MET}`, body);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', parameter });
    expect(r.body.message).toMatch(message);
  });
});

describe('in the period report', () => {
  it('counts complaints by deadline met, missed and open, and totals the compensation by kind', async () => {
    const month = localDate(OLD, TZ).slice(0, 7);
    const r = await call('GET', `/api/stats/period?from=${month}`);
    expect(r.status).toBe(200);
    const f = r.body.total.period;
    // LATE: received 30 days ago, not called back nor told, not settled; SOON: received 3 days
    // ago, nothing due yet; MET: its complaint was withdrawn. LEDGER: an apology and travel.
    expect(f).toMatchObject({
      breaches: 4,
      complaints: 2,
      callbackMet: 0,
      callbackMissed: 1,
      callbackOpen: 1,
      progressMessageMet: 0,
      progressMessageMissed: 1,
      progressMessageOpen: 1,
      settledMet: 0,
      settledMissed: 0,
      settledOpen: 2,
      compensationApology: 1,
      compensationTravel: 1,
      compensationParking: 0,
      compensationTravelAmount: 20,
      compensationAmount: 20,
    });
    expect(r.body.queues.Afval.period.complaints).toBe(2);
    expect(r.body.total.months[0]).toMatchObject({ month, complaints: 2, compensationAmount: 20 });
  });
});

describe('GET /api/complaints', () => {
  it('lists the complaints not yet settled across every week, overdue first, with their deadlines', async () => {
    const r = await call('GET', '/api/complaints');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ today: today(), state: 'open', queue: null, count: 2, overdue: 1 });
    expect(r.body.breaches.map((b: any) => b.id)).toEqual([LATE, SOON]);
    expect(r.body.breaches[0].followUp.complaint.deadlines.progressMessage.overdue).toBe(true);
    expect(r.body.breaches[0].caller).toBe('****5678');
    // Settled: no longer open, still in state=all.
    await call('PATCH', `/api/breaches/${SOON}`, { complaint: { settledOn: today() } });
    expect((await call('GET', '/api/complaints')).body.breaches.map((b: any) => b.id)).toEqual([LATE]);
    expect((await call('GET', '/api/complaints?state=all')).body.breaches.map((b: any) => b.id).sort()).toEqual([LATE, SOON].sort());
    expect((await call('GET', '/api/complaints?queue=Parkeren')).body.count).toBe(0);
    expect((await call('GET', '/api/complaints?state=closed')).status).toBe(400);
  });
});
