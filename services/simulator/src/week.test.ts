/**
 * A week in a minute: the simulator plays a whole municipal week (opening hours, a busy Monday
 * morning, a lunch dip, a quiet Friday afternoon, a bad Tuesday) on its own clock, seeded, and
 * lets nights and weekends pass in no real time. The truth of one played week is checked here;
 * test/e2e/week.test.ts holds Belofte's weekly report against it.
 */
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localParts } from '@belofte/shared/time';
import { AmiClient, field, type Frame } from './client.ts';
import { startSimulator, WEEK_PROFILE, weekStartOf, type Simulator, type TruthCall } from './index.ts';

const TZ = 'Europe/Amsterdam';
const WEEK = '2026-W47'; // Monday 16 to Sunday 22 November 2026
const MONDAY = weekStartOf(WEEK, TZ);

/** Plays the week with no client at all, as fast as the machine goes. */
async function play(seed: number, speed = 1e6) {
  const sim = await startSimulator({ port: 0, week: { week: WEEK, startOnLogin: false }, speed, seed });
  try {
    await sim.done;
    return { truth: sim.truth(), end: sim.now(), week: sim.week!, counters: sim.counters() };
  } finally {
    await sim.close();
  }
}

const locals = new Map<string, { weekday: number; hour: number; minutes: number }>();
/** Local weekday (0 = Monday), hour and minute of the day of an instant of the week. */
const local = (iso: string) => {
  let l = locals.get(iso);
  if (!l) {
    const ms = Date.parse(iso);
    const p = localParts(ms, TZ);
    l = { weekday: Math.floor((ms - MONDAY) / 86_400_000), hour: p.hour, minutes: p.hour * 60 + p.minute + p.second / 60 };
    locals.set(iso, l);
  }
  return l;
};
const breach = (c: TruthCall) => (c.waitSeconds ?? 0) > 300;

describe('a played week (2026-W47, seed 1)', () => {
  let played: Awaited<ReturnType<typeof play>>;
  const calls = () => played.truth.calls;
  const on = (weekday: number) => calls().filter((c) => local(c.joinedAt!).weekday === weekday);
  const between = (weekday: number, fromHour: number, toHour: number) =>
    on(weekday).filter((c) => local(c.joinedAt!).hour >= fromHour && local(c.joinedAt!).hour < toHour).length;

  beforeAll(async () => {
    played = await play(1);
  });

  it('is deterministic: the same seed plays the same week, whatever the speed', async () => {
    const again = await play(1, 200_000);
    expect(again.truth).toEqual(played.truth);
    const other = await play(2);
    expect(other.truth.calls.length).not.toBe(played.truth.calls.length);
  });

  it('runs from Monday 00:00 to Sunday 23:59:59 local and plays about as many calls as the hourly rates say', () => {
    expect(played.week).toMatchObject({ week: WEEK, from: MONDAY });
    expect(played.end).toBe(Date.parse('2026-11-22T23:00:00Z') - 1); // Sunday 23:59:59.999 CET
    expect(played.week.expectedCalls).toBeGreaterThan(2400);
    // The rates, Tuesday's waves and the odd extra of a seeded Poisson process.
    expect(calls().length).toBeGreaterThan(played.week.expectedCalls * 0.95);
    expect(calls().length).toBeLessThan(played.week.expectedCalls * 1.15);
    // Every call ended: nobody is left waiting when the doors close.
    expect(calls().filter((c) => c.outcome === 'unknown')).toEqual([]);
    for (const [name, q] of Object.entries(played.truth.queues)) expect(q.answered + q.abandoned + q.timedOut, name).toBe(q.offered);
  });

  it('rings only in opening hours: Monday to Friday, 08:30 to 17:00 local', () => {
    const outside = calls().filter((c) => {
      const t = local(c.joinedAt!);
      return t.weekday > 4 || t.minutes < 8 * 60 + 30 || t.minutes >= 17 * 60;
    });
    expect(outside).toEqual([]);
    for (let day = 0; day < 5; day++) expect(on(day).length, `weekday ${day}`).toBeGreaterThan(300);
  });

  it('is busier on Monday morning than on Friday afternoon, and dips at lunch', () => {
    const mondayMorning = between(0, 9, 12) / 3;
    const fridayAfternoon = between(4, 13, 17) / 4;
    expect(mondayMorning).toBeGreaterThan(2.5 * fridayAfternoon);
    const hour = (h: number) => [0, 1, 2, 3, 4].reduce((n, day) => n + between(day, h, h + 1), 0);
    // The rates say about 0.55 of the hours around it; every single day dips too.
    expect(hour(12)).toBeLessThan(0.7 * ((hour(11) + hour(13)) / 2));
    for (let day = 0; day < 5; day++) {
      expect(between(day, 12, 13), `weekday ${day}`).toBeLessThan(Math.min(between(day, 11, 12), between(day, 13, 14)));
    }
  });

  it('has a bad Tuesday: waits past five minutes, guarantee breaches and abandons; the other days keep the norm', () => {
    const perDay = [0, 1, 2, 3, 4].map((d) => {
      const day = on(d);
      const inTime = day.filter((c) => c.outcome === 'answered' && c.firstHoldtime! <= 20).length;
      return {
        breaches: day.filter(breach).length,
        abandoned: day.filter((c) => c.outcome === 'abandoned' || c.outcome === 'timedOut').length,
        serviceLevel: inTime / day.length,
        longestWait: Math.max(...day.map((c) => c.waitSeconds ?? 0)),
      };
    });
    const [, tuesday, ...rest] = perDay;
    expect(tuesday!.breaches).toBeGreaterThanOrEqual(10);
    expect(tuesday!.longestWait).toBeGreaterThan(400);
    expect(tuesday!.serviceLevel).toBeLessThan(0.65);
    for (const other of [perDay[0]!, ...rest]) {
      expect(other.breaches).toBeLessThanOrEqual(1);
      expect(other.serviceLevel).toBeGreaterThan(0.8);
      expect(tuesday!.abandoned).toBeGreaterThan(2 * other.abandoned);
    }
  });

  it('passes a few calls around more than twice', () => {
    const chains = calls().filter((c) => c.transfers > 2);
    expect(chains.length).toBeGreaterThanOrEqual(2);
    expect(chains.length).toBeLessThanOrEqual(20);
    expect(calls().filter((c) => c.transfers > 0).length).toBeGreaterThan(100);
  });
});

describe('playing a week over AMI', () => {
  let sim: Simulator | undefined;
  let client: AmiClient | undefined;
  afterEach(async () => {
    client?.close();
    await sim?.close();
    sim = client = undefined;
  });

  const ts = (f: Frame) => Number(field(f, 'Timestamp')) * 1000;
  const at = (hhmm: string) => MONDAY + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000;

  it('waits at Monday 00:00 for the first login; agents log in before opening, take coffee and lunch, and log out after closing', async () => {
    sim = await startSimulator({ port: 0, week: { week: WEEK, days: 1 }, speed: 1e6, seed: 3 });
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.now()).toBe(MONDAY);
    client = await AmiClient.connect(sim.port);
    await client.login('belofte', 'belofte', 'agent');
    await sim.done;
    await client.action({ Action: 'Ping' });
    const events = client.events;
    const named = (name: string) => events.filter((f) => field(f, 'Event') === name);

    const added = named('QueueMemberAdded');
    expect(added.map((f) => field(f, 'MemberName')).sort()).toEqual(['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6', 'agent7', 'agent8', 'agent9']);
    for (const f of added) {
      expect(field(f, 'Membership')).toBe('dynamic');
      expect(ts(f)).toBeGreaterThanOrEqual(at('08:14'));
      expect(ts(f)).toBeLessThan(at('08:30'));
    }
    const joins = named('QueueCallerJoin');
    expect(joins.length).toBe(Object.values(sim.truth().queues).reduce((n, q) => n + q.offered, 0));
    expect(Math.min(...joins.map(ts))).toBeGreaterThanOrEqual(at('08:30'));

    const pauses = named('QueueMemberPause').filter((f) => field(f, 'Paused') === '1');
    const lunches = pauses.filter((f) => field(f, 'PausedReason') === 'lunch');
    expect(lunches.length).toBeGreaterThanOrEqual(6);
    for (const f of lunches) expect(ts(f)).toBeGreaterThanOrEqual(at('12:00'));
    expect(pauses.filter((f) => field(f, 'PausedReason') === 'koffie').length).toBeGreaterThanOrEqual(6);

    const removed = named('QueueMemberRemoved');
    expect(removed.length).toBe(9);
    for (const f of removed) expect(ts(f)).toBeGreaterThanOrEqual(at('17:00'));
    // The night: nobody logged in, nobody waiting, the clock at the end of the played day.
    const status = await client.list({ Action: 'QueueStatus' }, 'QueueStatusComplete');
    expect(status.filter((f) => ['QueueMember', 'QueueEntry'].includes(field(f, 'Event')!))).toEqual([]);
    expect(sim.now()).toBe(at('23:59') + 59_999);
  });

  it('lets nights and weekends pass in no real time', async () => {
    // A quarter of an hour open a day: waiting out the week at this speed would take 30 s.
    const profile = { ...WEEK_PROFILE, opens: '08:30', closes: '08:45', trouble: {} };
    sim = await startSimulator({ port: 0, week: { week: WEEK, startOnLogin: false, profile }, speed: 20_000, seed: 1 });
    const t0 = performance.now();
    await sim.done;
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(sim.counters().idleSkippedMs).toBeGreaterThan(6.5 * 86_400_000);
    expect(sim.truth().calls.length).toBeGreaterThan(20);
  });

  it('holds the week back for a client that reads slowly, rather than dropping it', async () => {
    sim = await startSimulator({ port: 0, week: { week: WEEK, days: 1 }, speed: 1e6, seed: 4 });
    // A bare socket that only counts: Monday with all its firehose is some 20 MB.
    const socket = net.connect(sim.port, '127.0.0.1');
    const JOIN = 'Event: QueueCallerJoin\r\n';
    let joins = 0;
    let tail = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const text = tail + chunk;
      joins += text.split(JOIN).length - 1;
      // Shorter than JOIN: a match cut by the chunk edge is counted once, with the next chunk.
      tail = text.slice(-(JOIN.length - 1));
    });
    socket.write('Action: Login\r\nUsername: belofte\r\nSecret: belofte\r\n\r\n');
    // Not reading for a while: megabytes of Monday pile up, and the switch waits for it.
    socket.pause();
    await new Promise((r) => setTimeout(r, 600));
    const held = sim.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(sim.now()).toBe(held);
    expect(sim.now()).toBeLessThan(at('17:00'));
    socket.resume();
    await sim.done;
    // The last bytes are still on their way on a loaded machine: wait for them (a condition,
    // not a clock), then compare. A dropped event would leave the count short for good.
    const offered = Object.values(sim.truth().queues).reduce((n, q) => n + q.offered, 0);
    for (const end = Date.now() + 20_000; joins < offered && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(sim.counters().backlogHolds).toBeGreaterThanOrEqual(1);
    expect(socket.destroyed).toBe(false);
    socket.destroy();
    expect(joins).toBe(offered);
  });
});
