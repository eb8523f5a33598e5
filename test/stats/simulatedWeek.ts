/**
 * A simulated week of finished customer calls, as the collector would have recorded them —
 * for the weekly-statistics tests, written through the collector's real Lua path.
 *
 * Shaped like a municipal contact centre: five office queues open 08:00–17:00 on weekdays
 * (busy Monday morning, a lunch dip, a bad Tuesday with long waits and breaches), an
 * emergency line (Spoed) around the clock so nights, weekends and the daylight-saving hours
 * have calls, transfers between queues (some more than twice), abandons, timeouts, unseen ends.
 * Plus the awkward ones: a wait across Sunday midnight, a call that began the week before and
 * was transferred into this one, and a call recorded twice under two Linkedids (merged).
 */
import type { CustomerCall, QueueVisit, TransferRecord } from '@belofte/collector/domain/types';
import { isoWeekSpan, localToUtc, type IsoWeek } from '@belofte/shared/time';
import { Rng } from '@belofte/simulator/rng';

export const OFFICE_QUEUES = ['Afval', 'Belastingen', 'Burgerzaken', 'Parkeren', 'Wmo-zorg'];
export const AGENTS = ['Anna de Vries', 'Bram Jansen', 'Chantal Bakker', 'Daan El Amrani', 'Eva van den Berg', 'Fatima Visser', 'Gijs Yılmaz', 'Hanneke Smit', 'Ibrahim Meijer', 'Joost de Boer'];

/** The simulator's seeded generator, as a function: the same load in every run. */
function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

interface Plan {
  /** Seconds each queue entry waits; the call's own shape decides the rest. */
  wait: () => number;
  outcome: () => 'answered' | 'abandoned' | 'shortAbandoned' | 'timedOut' | 'unknown';
}

export interface CallSpec {
  id: string;
  at: number;
  queues: string[];
  /** Wait per entry, seconds. */
  waits: number[];
  /** How the last entry ends (earlier ones are answered, then transferred). */
  last: 'answered' | 'abandoned' | 'shortAbandoned' | 'timedOut' | 'unknown';
  agents: string[];
  talks: number[];
  /** Transfer made by an unknown agent (Asterisk did not say who). */
  anonymousTransfer?: boolean;
  /** The first entry was moved unanswered into the next queue (Redirect or flow-out): no transfer. */
  movedOut?: boolean;
  caller?: string;
}

/** Builds the record the collector writes for a call of this shape. */
export function buildCall(s: CallSpec, guaranteeSeconds = 300, maxTransfers = 2): CustomerCall {
  const visits: QueueVisit[] = [];
  const transfers: TransferRecord[] = [];
  let t = s.at;
  s.queues.forEach((queue, k) => {
    const uid = `${s.id}.${k}`;
    const isLast = k === s.queues.length - 1;
    const outcome = isLast ? s.last : k === 0 && s.movedOut ? 'movedOut' : 'answered';
    const wait = s.waits[k]!;
    const v: QueueVisit = { id: `${uid}/${Math.floor(t / 1000)}`, queue, uniqueid: uid, joinedAt: t, status: 'waiting', answeredAt: null, holdSeconds: null, agent: null, endedAt: null, talkSeconds: null, endReason: null };
    if (outcome === 'answered') {
      v.answeredAt = t + wait * 1000 + 137;
      v.holdSeconds = wait;
      v.agent = s.agents[k]!;
      v.talkSeconds = s.talks[k]!;
      v.endedAt = v.answeredAt + v.talkSeconds * 1000 + 412;
      v.status = 'completed';
      v.endReason = isLast ? 'caller' : 'transfer';
    } else if (outcome === 'unknown') {
      v.status = 'unknown';
      v.endedAt = t + wait * 1000;
    } else {
      v.status = outcome;
      v.endedAt = t + wait * 1000 + 250;
    }
    visits.push(v);
    if (!isLast && v.status === 'movedOut') {
      t = v.endedAt! + 40;
    } else if (!isLast) {
      transfers.push({ id: `${s.id}/t${k + 1}`, at: v.endedAt!, kind: 'blind', agent: s.anonymousTransfer && k === (s.movedOut ? 1 : 0) ? null : v.agent, signals: ['event', 'complete'] });
      t = v.endedAt! + 1_800;
    }
  });
  const first = visits[0]!;
  const answered = visits.find((v) => v.answeredAt !== null) ?? null;
  const last = visits.at(-1)!;
  const outcome: CustomerCall['outcome'] = answered ? 'answered' : s.last === 'shortAbandoned' ? 'abandoned' : (s.last as CustomerCall['outcome']);
  const reached = answered?.answeredAt ?? last.endedAt!;
  return {
    linkedid: s.id,
    callerIdNum: s.caller ?? '0612345678',
    visits,
    firstJoinedAt: first.joinedAt,
    answeredAt: answered?.answeredAt ?? null,
    agent: answered?.agent ?? null,
    abandonedAt: !answered && (s.last === 'abandoned' || s.last === 'shortAbandoned') ? last.endedAt : null,
    transfers,
    breached: reached - first.joinedAt > guaranteeSeconds * 1000,
    overTransferLimit: transfers.length > maxTransfers,
    outcome,
    endedAt: last.endedAt! + 3_000,
    aliases: [],
  };
}

/** Every finished call of one ISO week (and the awkward ones at its edges). */
export function simulateWeek(week: IsoWeek, timeZone: string, seed: number): CustomerCall[] {
  const r = rng(seed);
  // Moves draw from a stream of their own, so the rest of the week is the same with or without them.
  const moves = rng(seed + 0x5eed);
  const pick = <T>(list: T[]) => list[Math.floor(r() * list.length)]!;
  const span = isoWeekSpan(week, timeZone);
  const tag = `${week.year}w${week.week}`;
  let n = 0;
  const calls: CustomerCall[] = [];
  const caller = () => (r() < 0.04 ? '' : `06${String(Math.floor(r() * 1e8)).padStart(8, '0')}`);

  const plan = (day: number, hour: number): Plan => {
    const badTuesday = day === 1 && hour >= 9 && hour < 15;
    const busy = (day === 0 && hour >= 9 && hour < 12) || badTuesday;
    return {
      wait: () => {
        const x = r();
        if (badTuesday) return x < 0.45 ? Math.floor(r() * 20) : x < 0.93 ? 20 + Math.floor(r() * 260) : 300 + Math.floor(r() * 400);
        if (busy) return x < 0.7 ? Math.floor(r() * 21) : x < 0.97 ? 21 + Math.floor(r() * 200) : 290 + Math.floor(r() * 60);
        return x < 0.88 ? Math.floor(r() * 21) : 21 + Math.floor(r() * 120);
      },
      outcome: () => {
        const x = r();
        const abandon = badTuesday ? 0.12 : busy ? 0.07 : 0.04;
        if (x < abandon) return 'abandoned';
        if (x < abandon + 0.01) return 'shortAbandoned';
        if (x < abandon + 0.03) return 'timedOut';
        if (x < abandon + 0.035) return 'unknown';
        return 'answered';
      },
    };
  };

  const addCall = (at: number, firstQueue: string, p: Plan) => {
    const x = r();
    const nTransfers = x < 0.8 ? 0 : x < 0.93 ? 1 : x < 0.98 ? 2 : x < 0.995 ? 3 : 4;
    const queues = [firstQueue];
    for (let k = 0; k < nTransfers; k++) queues.push(pick(OFFICE_QUEUES.filter((q) => q !== queues.at(-1))));
    const waits = queues.map(() => p.wait());
    const last = p.outcome();
    const agents = queues.map(() => pick(AGENTS));
    const talks = queues.map(() => 30 + Math.floor(r() * 570));
    // About one call in 50 waits first in another queue and is moved out of it, unanswered,
    // into this one (Redirect or flow-out); the first queue's wait is its own.
    const movedOut = moves() < 0.02;
    if (movedOut) {
      queues.unshift(OFFICE_QUEUES.find((q) => q !== firstQueue)!);
      waits.unshift(1 + Math.floor(moves() * 60));
      agents.unshift(AGENTS[0]!);
      talks.unshift(0);
    }
    calls.push(
      buildCall({
        id: `${tag}.${++n}`,
        at,
        queues,
        waits,
        last,
        agents,
        talks,
        anonymousTransfer: nTransfers > 0 && r() < 0.1,
        caller: caller(),
        movedOut,
      }),
    );
  };

  // Office queues: weekdays 08:00–17:00, by local hour.
  for (let day = 0; day < 5; day++) {
    const [y, m, d] = span.dates[day]!.split('-').map(Number) as [number, number, number];
    for (let hour = 8; hour < 17; hour++) {
      const base = hour === 12 ? 3 : hour >= 9 && hour < 12 ? 9 : 6;
      const perQueue = day === 0 && hour < 12 ? base + 4 : day === 4 && hour >= 14 ? base - 3 : base;
      for (const q of OFFICE_QUEUES) {
        const count = Math.max(0, perQueue + Math.floor(r() * 5) - 2);
        for (let i = 0; i < count; i++) addCall(localToUtc(y, m, d, hour, 0, timeZone) + Math.floor(r() * 3_600_000), q, plan(day, hour));
      }
    }
  }
  // Spoed: around the clock, by real time, so the hours of a daylight-saving change have calls.
  for (let at = span.from + Math.floor(r() * 1_800_000); at < span.to - 3_600_000; at += 600_000 + Math.floor(r() * 3_000_000)) {
    addCall(at, 'Spoed', plan(-1, -1));
  }

  // A wait across Sunday midnight into the next week: it stays with Sunday.
  calls.push(buildCall({ id: `${tag}.midnight`, at: span.to - 40_000, queues: ['Spoed'], waits: [95], last: 'answered', agents: ['Anna de Vries'], talks: [200] }));
  // Began late on the Sunday before; transferred into Afval just after this week began.
  calls.push(
    buildCall({ id: `${tag}.boundary`, at: span.from - 300_000, queues: ['Spoed', 'Afval', 'Parkeren', 'Burgerzaken'], waits: [15, 40, 30, 10], last: 'answered', agents: ['Bram Jansen', 'Chantal Bakker', 'Daan El Amrani', 'Eva van den Berg'], talks: [200, 60, 30, 120] }),
  );
  // Recorded twice: the collector later merged the two Linkedids into the kept one.
  const kept = buildCall({ id: `${tag}.merged`, at: span.dayStarts[2]! + 10 * 3_600_000, queues: ['Parkeren'], waits: [400], last: 'answered', agents: ['Fatima Visser'], talks: [100], caller: '+31 58 233 8899' });
  const gone = { ...structuredClone(kept), linkedid: `${tag}.merged-old` };
  kept.aliases = [gone.linkedid];
  // In the order the collector writes them: the merged-away record first, the kept one when it ends again.
  calls.push(gone, kept);
  return calls;
}
