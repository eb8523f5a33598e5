import { describe, expect, it } from 'vitest';
import type { CallRecord, RecordedVisit } from '@belofte/shared/callRecord';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { isoWeekSpan, localToUtc } from '@belofte/shared/time';
import { dayIndex, dedupeRecords, tallyAgents, visitWaitSeconds, weeklyStats } from './weekly.ts';

const TZ = 'Europe/Amsterdam';
const W47 = { year: 2026, week: 47 };
const at = (day: number, h: number, m = 0) => localToUtc(2026, 11, 16 + day, h, m, TZ);

function visit(o: Partial<RecordedVisit> & Pick<RecordedVisit, 'queue' | 'joinedAt'>): RecordedVisit {
  return { id: `${o.queue}/${o.joinedAt}`, uniqueid: 'u', status: 'completed', answeredAt: null, holdSeconds: null, agent: null, endedAt: null, talkSeconds: null, endReason: null, ...o };
}

function call(linkedid: string, visits: RecordedVisit[], extra: Partial<CallRecord> = {}): CallRecord {
  return { linkedid, callerIdNum: '0612345678', visits, firstJoinedAt: visits[0]!.joinedAt, answeredAt: null, agent: null, abandonedAt: null, transfers: [], breached: false, overTransferLimit: false, outcome: 'answered', endedAt: visits.at(-1)!.endedAt, ...extra };
}

describe('weekly figures', () => {
  it('takes the wait from HoldTime when answered, from the queue time otherwise, none when the end is unknown', () => {
    expect(visitWaitSeconds(visit({ queue: 'A', joinedAt: 0, answeredAt: 30_400, holdSeconds: 30 }))).toBe(30);
    expect(visitWaitSeconds(visit({ queue: 'A', joinedAt: 0, status: 'abandoned', endedAt: 61_600 }))).toBe(62);
    expect(visitWaitSeconds(visit({ queue: 'A', joinedAt: 0, status: 'unknown', endedAt: 99_000 }))).toBeNull();
  });

  it('drops a record that another lists among its aliases', () => {
    const kept = call('b', [visit({ queue: 'A', joinedAt: at(0, 9) })], { aliases: ['a'] });
    const gone = call('a', [visit({ queue: 'A', joinedAt: at(0, 9) })]);
    expect(dedupeRecords([gone, kept]).map((r) => r.linkedid)).toEqual(['b']);
  });

  it('puts an instant in its local day, 23- and 25-hour days included', () => {
    const autumn = isoWeekSpan({ year: 2026, week: 43 }, TZ);
    expect(dayIndex(autumn, Date.parse('2026-10-25T22:59:59Z'))).toBe(6); // 23:59:59 CET on the 25-hour Sunday
    expect(dayIndex(autumn, Date.parse('2026-10-25T23:00:00Z'))).toBe(-1);
    expect(dayIndex(autumn, Date.parse('2026-10-18T22:00:00Z'))).toBe(0);
  });

  it('books entries per queue, calls on their first queue, and the total as the sum', () => {
    const transferred = call(
      't',
      [
        visit({ queue: 'Afval', joinedAt: at(1, 9), answeredAt: at(1, 9) + 5_000, holdSeconds: 5, agent: 'Anna', talkSeconds: 60, endedAt: at(1, 9, 2) }),
        visit({ queue: 'Parkeren', joinedAt: at(1, 9, 2), answeredAt: at(1, 9, 3), holdSeconds: 58, agent: 'Bram', talkSeconds: 100, endedAt: at(1, 9, 5) }),
      ],
      { transfers: [{ id: 't/1', at: at(1, 9, 2), kind: 'blind', agent: 'Anna' }] },
    );
    const s = weeklyStats({ week: W47, timeZone: TZ, thresholds: DEFAULT_THRESHOLDS, records: [transferred], followUps: new Map() });
    expect(s.queues.Afval!.week).toMatchObject({ offered: 1, answeredWithinTarget: 1, calls: 1, callsTransferred1: 1 });
    expect(s.queues.Parkeren!.week).toMatchObject({ offered: 1, answeredWithinTarget: 0, serviceLevel: 0, calls: 0 });
    expect(s.total.week).toMatchObject({ offered: 2, answered: 2, answeredWithinTarget: 1, serviceLevel: 0.5, calls: 1, averageWaitSeconds: 31.5, longestWaitSeconds: 58, averageTalkSeconds: 80 });
    expect(s.total.days[1]!.offered).toBe(2);
    expect(s.total.hours[9]!.offered).toBe(2);
    expect(s.agents.map((a) => [a.agent, a.week.answered, a.week.transfersMade])).toEqual([
      ['Anna', 1, 1],
      ['Bram', 1, 0],
    ]);
    // With a queue filter, Anna's transfer belongs to Afval, where she had the caller.
    const span = isoWeekSpan(W47, TZ);
    expect(tallyAgents([transferred], { span, maxTransfers: 2, queue: 'Parkeren' }).map((a) => [a.agent, a.week.transfersMade])).toEqual([['Bram', 0]]);
    expect(tallyAgents([transferred], { span, maxTransfers: 2, queue: 'Afval' }).map((a) => [a.agent, a.week.transfersMade])).toEqual([['Anna', 1]]);
  });

  it('keeps a queue and an agent whose names are object keys of JavaScript (`__proto__`, `constructor`)', () => {
    const odd = call('p', [visit({ queue: '__proto__', joinedAt: at(2, 10), answeredAt: at(2, 10) + 3_000, holdSeconds: 3, agent: 'constructor', talkSeconds: 30, endedAt: at(2, 10, 1) })]);
    const plain = call('q', [visit({ queue: 'Afval', joinedAt: at(2, 11), answeredAt: at(2, 11) + 4_000, holdSeconds: 4, agent: 'Anna', talkSeconds: 40, endedAt: at(2, 11, 1) })]);
    const s = weeklyStats({ week: W47, timeZone: TZ, thresholds: DEFAULT_THRESHOLDS, records: [odd, plain], followUps: new Map() });
    expect(Object.keys(s.queues).sort()).toEqual(['Afval', '__proto__']);
    expect(Object.hasOwn(s.queues, '__proto__')).toBe(true);
    expect(s.queues['__proto__']!.week).toMatchObject({ offered: 1, answered: 1 });
    // The total is still the sum of the queues shown, through JSON as the API sends it.
    const sent = JSON.parse(JSON.stringify(s)) as typeof s;
    expect(Object.keys(sent.queues).sort()).toEqual(['Afval', '__proto__']);
    expect(Object.values(sent.queues).reduce((n, q) => n + q.week.offered, 0)).toBe(sent.total.week.offered);
    expect(s.agents.map((a) => a.agent).sort()).toEqual(['Anna', 'constructor']);
  });

  it('counts an agent answering a call already transferred twice', () => {
    const c = call('x', [visit({ queue: 'A', joinedAt: at(2, 10), answeredAt: at(2, 10, 5), holdSeconds: 3, agent: 'Eva', talkSeconds: 9, endedAt: at(2, 10, 6) })], {
      transfers: [
        { id: 'x/1', at: at(2, 10, 1), kind: 'blind', agent: null },
        { id: 'x/2', at: at(2, 10, 3), kind: 'attended', agent: 'Joost' },
      ],
    });
    const [eva] = tallyAgents([c], { span: isoWeekSpan(W47, TZ), maxTransfers: 2, agent: 'Eva' });
    expect(eva!.week).toMatchObject({ answered: 1, answeredAtTransferLimit: 1, talkSeconds: 9 });
    expect(eva!.days[2]!.answeredAtTransferLimit).toBe(1);
  });
});
