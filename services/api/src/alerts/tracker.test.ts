import { describe, expect, it } from 'vitest';
import { parseRules } from '@belofte/shared/alertRules';
import { emptyFigures, type LiveSnapshot, type QueueFigures } from '@belofte/shared/figures';
import { observe, windowsNeeded } from './conditions.ts';
import { AlertTracker } from './tracker.ts';

const C = { guaranteeSeconds: 300, serviceLevelTarget: 0.8 };

function snap(queues: Record<string, Partial<QueueFigures>>, connected = true): LiveSnapshot {
  return {
    at: '', window: 'today', from: '', thresholds: { targetSeconds: 20, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 2, shortAbandonSeconds: 0 },
    total: emptyFigures(),
    queues: Object.fromEntries(Object.entries(queues).map(([q, f]) => [q, { ...emptyFigures(), ...f, agents: { ...emptyFigures().agents, ...f.agents } }])),
    agents: {},
    health: { collectorConnected: connected, lastEventAt: null, stale: !connected, reason: null },
  };
}

/** Runs the tracker over a timeline, keeping "firing" as the store would; returns what happened when. */
function run(rulesText: string, timeline: Array<[number, LiveSnapshot, LiveSnapshot?]>) {
  const rules = parseRules(rulesText, C);
  const tracker = new AlertTracker();
  const firing = new Set<string>();
  const log: string[] = [];
  for (const [t, today, windowed] of timeline) {
    const windows = new Map(windowsNeeded(rules).map((m) => [m, windowed ?? today]));
    const out = tracker.step(t, observe(rules, { today, windows }), firing, () => 0);
    for (const f of out.fire) {
      firing.add(f.key);
      log.push(`${t} fire ${f.key} ${f.value}`);
    }
    for (const c of out.clear) {
      firing.delete(c.key);
      log.push(`${t} clear ${c.key}`);
    }
  }
  return log;
}

const waitingFor = (s: number) => snap({ Afval: { waiting: 1, longestWaitSeconds: s, agents: { oncall: 2 } as QueueFigures['agents'] } });
const nobody = snap({ Afval: { waiting: 0, agents: { available: 2 } as QueueFigures['agents'] } });

describe('alert tracker', () => {
  it('fires once when the long wait starts and clears once when it ends', () => {
    expect(run('longWait clearFor=0s', [[0, waitingFor(100)], [1000, waitingFor(240)], [2000, waitingFor(241)], [3000, waitingFor(300)], [4000, nobody], [5000, nobody]])).toEqual([
      '1000 fire longWait:Afval 240',
      '4000 clear longWait:Afval',
    ]);
  });

  it('does not spam a flapping condition: it fires after `for` and clears after a calm `clearFor`', () => {
    const flap: Array<[number, LiveSnapshot]> = [];
    for (let t = 0; t < 20_000; t += 1000) flap.push([t, t % 2000 === 0 ? waitingFor(250) : nobody]);
    // Never held 3 s in a row: never fires.
    expect(run('longWait for=3s clearFor=5s', flap)).toEqual([]);
    // Fires at once, and every calm second between the flaps resets the clearing: one alert.
    expect(run('longWait clearFor=5s', flap)).toEqual(['0 fire longWait:Afval 250']);
    expect(run('longWait clearFor=5s', [...flap, ...[20, 21, 22, 23, 24, 25].map((s): [number, LiveSnapshot] => [s * 1000, nobody])])).toEqual([
      '0 fire longWait:Afval 250',
      '24000 clear longWait:Afval',
    ]);
  });

  it('service level: hysteresis between below and clearAt, and too few calls never fire', () => {
    const sl = (answered: number, within: number) => snap({ Afval: { answered, answeredWithinTarget: within, serviceLevel: within / answered } });
    const rules = 'serviceLevel below=80% clearAt=85% minCalls=20 for=0s clearFor=0s';
    expect(run(rules, [[0, sl(10, 1)]])).toEqual([]);
    expect(run(rules, [[0, sl(20, 15)], [1, sl(20, 16)], [2, sl(20, 17)], [3, sl(20, 15)]])).toEqual([
      '0 fire serviceLevel:Afval 0.75',
      // 80% is not below target, but not 85% either: still active.
      '2 clear serviceLevel:Afval',
      '3 fire serviceLevel:Afval 0.75',
    ]);
  });

  it('breach in the window, nobody staffed while callers wait, the switch disconnected', () => {
    expect(run('breach', [[0, snap({ Afval: { guaranteeBreaches: 0 } })], [1, snap({ Afval: { guaranteeBreaches: 1 } })], [2, snap({ Afval: { guaranteeBreaches: 0 } })]])).toEqual([
      '1 fire breach:Afval 1',
      '2 clear breach:Afval',
    ]);
    const unstaffed = snap({ Parkeren: { waiting: 2, agents: { paused: 3, loggedoff: 1 } as QueueFigures['agents'] } });
    const busy = snap({ Parkeren: { waiting: 2, agents: { oncall: 1 } as QueueFigures['agents'] } });
    expect(run('noAgent for=30s clearFor=0s', [[0, unstaffed], [29_999, unstaffed], [30_000, unstaffed], [31_000, busy]])).toEqual(['30000 fire noAgent:Parkeren 0', '31000 clear noAgent:Parkeren']);
    expect(run('disconnected for=30s clearFor=0s', [[0, snap({}, false)], [10_000, snap({}, true)], [20_000, snap({}, false)], [50_000, snap({}, false)], [51_000, snap({})]])).toEqual([
      '50000 fire disconnected:* 0',
      '51000 clear disconnected:*',
    ]);
  });

  it('only the queues a rule names; a firing alert whose queue is gone clears', () => {
    const both = snap({ Afval: { waiting: 1, longestWaitSeconds: 250 }, Parkeren: { waiting: 1, longestWaitSeconds: 250 } });
    expect(run('longWait queues=Parkeren clearFor=0s', [[0, both], [1, snap({})]])).toEqual(['0 fire longWait:Parkeren 250', '1 clear longWait:Parkeren']);
  });
});
