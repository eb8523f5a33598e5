/**
 * The stored record format (services/shared/src/storedRecord.ts) on the calls of the real
 * Asterisk captures and on hostile ones: what is read back is the record, to the microsecond,
 * with every name exactly as the switch sent it; encoding what was read gives the same text.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '@belofte/shared/callRecord';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { contributionOf, encodeContribution } from '@belofte/shared/rollup';
import { decodeRecord, encodeRecord, findableById, isMergedMarker, mergedMarker } from '@belofte/shared/storedRecord';
import { captures } from '../../../../test/support/captures.ts';
import { parseCapture } from '../ami/capture.ts';
import { CallTracker } from './tracker.ts';
import type { CustomerCall } from './types.ts';

/** What a record reads back as: times kept to the microsecond, transfers without the tracker's working notes. */
function expected(c: CustomerCall): CallRecord {
  const t = (ms: number | null) => (ms === null ? null : Math.round(ms * 1000) / 1000);
  return {
    ...c,
    firstJoinedAt: t(c.firstJoinedAt)!,
    answeredAt: t(c.answeredAt),
    abandonedAt: t(c.abandonedAt),
    endedAt: t(c.endedAt),
    visits: c.visits.map((v) => ({ ...v, joinedAt: t(v.joinedAt)!, answeredAt: t(v.answeredAt), endedAt: t(v.endedAt) })),
    transfers: c.transfers.map(({ signals: _, ...x }) => ({ ...x, at: t(x.at)! })),
  };
}

const rules = { thresholds: DEFAULT_THRESHOLDS, timeZone: 'Europe/Amsterdam' };

describe.each(captures())('capture $name', ({ amiPath }) => {
  const { events } = parseCapture(readFileSync(amiPath));
  const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
  for (const ev of events) tracker.process(ev);
  tracker.finish(events.at(-1)!.at);
  const calls = tracker.callList();

  it('reads every call back as it was, and encodes it again to the same text', () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) {
      const text = encodeRecord(c, 'stamp123');
      const back = decodeRecord(c.linkedid, text)!;
      expect(back.rules).toBe('stamp123');
      expect(back.record).toEqual(expected(c));
      expect(encodeRecord(back.record, 'stamp123')).toBe(text);
      // The rollup share of what is read back is the share of the call itself: the same counts
      // and seconds; an index entry's times differ at most beyond the microsecond.
      const us = (text: string) => text.split('\x1e').map((e) => e.replace(/\d+\.\d+/g, (x) => Number(x).toFixed(3)));
      expect(us(encodeContribution(contributionOf(back.record, rules)))).toEqual(us(encodeContribution(contributionOf(c, rules))));
    }
  });

  it('takes a fraction of the JSON', () => {
    const json = calls.reduce((n, c) => n + JSON.stringify(c).length, 0);
    const stored = calls.reduce((n, c) => n + encodeRecord(c, 'stamp123').length, 0);
    expect(stored / json).toBeLessThan(0.45);
  });
});

const base: CustomerCall = {
  linkedid: '1733140000.100',
  callerIdNum: '0612345678',
  visits: [
    { id: '1733140000.100/1733140002.123456', queue: 'Afval', uniqueid: '1733140000.100', joinedAt: 1733140002123.456, status: 'completed', answeredAt: 1733140010000.5, holdSeconds: 8, agent: 'Anna', endedAt: 1733140100000, talkSeconds: 90, endReason: 'transfer' },
    { id: 'odd-id', queue: 'Parkeren', uniqueid: 'Local/x;2', joinedAt: 1733140101000, status: 'abandoned', answeredAt: null, holdSeconds: null, agent: null, endedAt: 1733140200000, talkSeconds: null, endReason: null },
  ],
  firstJoinedAt: 1733140002123.456,
  answeredAt: 1733140010000.5,
  agent: 'Anna',
  abandonedAt: 1733140200000,
  transfers: [{ id: '1733140000.100/t1', at: 1733140100000, kind: 'blind', agent: 'Anna', signals: ['event'] }],
  breached: false,
  overTransferLimit: false,
  outcome: 'abandoned',
  endedAt: 1733140200000,
  aliases: ['1733140000.200'],
};

describe('stored record', () => {
  it('keeps ids that do not follow the pattern, aliases, and a call ended without an answer', () => {
    const back = decodeRecord(base.linkedid, encodeRecord(base, 's'))!.record;
    expect(back).toEqual(expected(base));
    expect(findableById(back)).toBe(true);
    expect(findableById({ ...back, visits: [back.visits[0]!] })).toBe(false);
    expect(findableById({ ...back, visits: [back.visits[0]!], breached: true })).toBe(true);
  });

  it('keeps every name exactly, separators, quotes, newlines and all', () => {
    const name = fc.string({ unit: 'binary', maxLength: 30 });
    fc.assert(
      fc.property(name, name, name, name, (queue, agent, caller, reason) => {
        const c: CustomerCall = {
          ...base,
          callerIdNum: caller,
          agent,
          visits: [{ ...base.visits[0]!, queue, agent, endReason: reason }, { ...base.visits[1]!, queue: agent }],
          transfers: [{ ...base.transfers[0]!, agent: queue }],
        };
        const text = encodeRecord(c, 's');
        const back = decodeRecord(c.linkedid, text)!.record;
        expect(back).toEqual(expected(c));
        expect(encodeRecord(back, 's')).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps any time to the microsecond', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e12, max: 4e12, noNaN: true }), fc.double({ min: -1e7, max: 1e8, noNaN: true }), (first, later) => {
        const c: CustomerCall = { ...base, firstJoinedAt: first, visits: [{ ...base.visits[0]!, joinedAt: first, answeredAt: first + later }], answeredAt: first + later };
        const back = decodeRecord(c.linkedid, encodeRecord(c, 's'))!.record;
        expect(Math.abs(back.firstJoinedAt - first)).toBeLessThanOrEqual(0.0005 + first * Number.EPSILON);
        expect(Math.abs(back.visits[0]!.answeredAt! - (first + later))).toBeLessThanOrEqual(0.0005 + first * Number.EPSILON * 4);
        expect(encodeRecord(back, 's')).toBe(encodeRecord(c, 's'));
      }),
      { numRuns: 300 },
    );
  });

  it('tells a merged marker from a record, and refuses text that is not a record', () => {
    expect(isMergedMarker(mergedMarker('x'))).toBe(true);
    expect(decodeRecord('a', mergedMarker('x'))).toBeNull();
    for (const bad of ['{"linkedid":"a"}', '[1,"s"]', '[2]', '[2,"s","",1,0,"a",[],[[9,"",0,"c",0]],[]]', '[2,"s","",1,0,"?",[],[],[]]', 'not json']) {
      expect(() => decodeRecord('a', bad), bad).toThrow();
    }
  });
});
