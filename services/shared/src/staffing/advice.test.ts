import { describe, expect, it } from 'vitest';
import type { RecordedVisit } from '../callRecord.ts';
import { agentsNeeded } from './erlang.ts';
import { sampleQueues, staffingAdvice } from './advice.ts';

const NOW = Date.parse('2026-11-16T10:00:00Z');
const MIN = 60_000;
let n = 0;
function visit(o: Partial<RecordedVisit> & { joinedMinutesAgo: number }): RecordedVisit {
  const joinedAt = NOW - o.joinedMinutesAgo * MIN;
  return {
    id: `v${++n}`,
    queue: 'support',
    uniqueid: `u${n}`,
    joinedAt,
    status: 'completed',
    answeredAt: null,
    holdSeconds: null,
    agent: null,
    endedAt: null,
    talkSeconds: null,
    endReason: null,
    ...o,
  };
}
/** Waited `wait` s, then talked `talk` s. */
const answered = (ago: number, wait: number, talk: number, queue = 'support') =>
  visit({ joinedMinutesAgo: ago, queue, answeredAt: NOW - ago * MIN + wait * 1000, holdSeconds: wait, endedAt: NOW - ago * MIN + (wait + talk) * 1000, talkSeconds: talk });
const abandoned = (ago: number, wait: number) => visit({ joinedMinutesAgo: ago, status: 'abandoned', endedAt: NOW - ago * MIN + wait * 1000 });

describe('staffing advice from the last hour', () => {
  it('takes arrivals from 30 minutes, handle time and patience from 60, and says how many agents Erlang A needs', () => {
    const visits = [
      // Older than an hour: not counted at all.
      answered(75, 10, 100),
      // 30-60 minutes ago: handle time and patience, not arrivals.
      answered(50, 30, 200), abandoned(45, 60),
      // The last half hour: 6 arrivals.
      answered(25, 0, 300), answered(20, 20, 100), answered(15, 10, 200), answered(10, 0, 200), abandoned(5, 30),
      visit({ joinedMinutesAgo: 1, status: 'waiting' }),
    ];
    const sample = sampleQueues(visits, NOW).get('support')!;
    expect(sample).toEqual({ arrivals: 6, conversations: 5, talkSeconds: 1000, abandons: 2, waitedSeconds: 30 + 60 + 0 + 20 + 10 + 0 + 30 + 60 });
    const s = staffingAdvice({ sample, wrapupSeconds: 10, agentsAvailable: 3, targetSeconds: 20, serviceLevelTarget: 0.8 });
    expect(s).toMatchObject({ arrivalsPerHour: 12, handleSeconds: 210, patienceSeconds: 105, agentsAvailable: 3, sample: { arrivals: 6, conversations: 5, abandons: 2 } });
    expect(s.agentsNeeded).toBe(agentsNeeded({ arrivalsPerSecond: 12 / 3600, handleSeconds: 210, patienceSeconds: 105 }, 20, 0.8).agents);
    expect(s.agentsNeeded).toBeGreaterThan(0);
  });

  it('says nothing (null) while there is too little traffic, and uses Erlang C when nobody gave up', () => {
    const few = sampleQueues([answered(20, 5, 100), answered(10, 5, 100)], NOW).get('support');
    expect(staffingAdvice({ sample: few, wrapupSeconds: 0, agentsAvailable: 2, targetSeconds: 20, serviceLevelTarget: 0.8 }).agentsNeeded).toBeNull();
    expect(staffingAdvice({ sample: undefined, wrapupSeconds: 0, agentsAvailable: 0, targetSeconds: 20, serviceLevelTarget: 0.8 })).toMatchObject({
      agentsNeeded: null, arrivalsPerHour: 0, handleSeconds: null, patienceSeconds: null,
    });
    const patient = sampleQueues([1, 5, 9, 13, 17, 21].map((ago) => answered(ago, 15, 240)), NOW).get('support');
    const s = staffingAdvice({ sample: patient, wrapupSeconds: 0, agentsAvailable: 1, targetSeconds: 20, serviceLevelTarget: 0.8 });
    expect(s.patienceSeconds).toBeNull();
    expect(s.agentsNeeded).toBe(agentsNeeded({ arrivalsPerSecond: 12 / 3600, handleSeconds: 240, patienceSeconds: null }, 20, 0.8).agents);
  });

  it('keeps queues apart and aims at each queue its own target', () => {
    const visits = [0, 3, 6, 9, 12, 15, 18, 21].flatMap((ago) => [answered(ago + 1, 5, 180), answered(ago + 1, 5, 180, 'vergunningen')]);
    const samples = sampleQueues(visits, NOW);
    const strict = staffingAdvice({ sample: samples.get('support'), wrapupSeconds: 0, agentsAvailable: 2, targetSeconds: 10, serviceLevelTarget: 0.95 });
    const lenient = staffingAdvice({ sample: samples.get('vergunningen'), wrapupSeconds: 0, agentsAvailable: 2, targetSeconds: 60, serviceLevelTarget: 0.6 });
    expect(strict.arrivalsPerHour).toBe(lenient.arrivalsPerHour);
    expect(strict.agentsNeeded!).toBeGreaterThan(lenient.agentsNeeded!);
    expect(strict).toMatchObject({ targetSeconds: 10, serviceLevelTarget: 0.95 });
  });
});
