import { describe, expect, it } from 'vitest';
import { agentsNeeded, erlangA, erlangB, erlangC, erlangCServiceLevel, type QueueLoad } from './erlang.ts';

/** The textbook example: 100 calls in half an hour, 3-minute calls: 10 erlangs. */
const TEXTBOOK: QueueLoad = { arrivalsPerSecond: 100 / 1800, handleSeconds: 180, patienceSeconds: null };

describe('Erlang B and C against the published tables', () => {
  it('Erlang B: 10 erlangs on 10 lines lose 21.46 %; 2 on 2 lose 2/5', () => {
    expect(erlangB(10, 10)).toBeCloseTo(0.2146, 4);
    expect(erlangB(2, 2)).toBeCloseTo(0.4, 12);
  });

  it('Erlang C: 10 erlangs, 11 agents: 68.21 % wait; the textbook 80/20 example needs 14 agents (17.4 % wait, 88.8 % in 20 s)', () => {
    expect(erlangC(10, 11)).toBeCloseTo(0.6821, 4);
    expect(erlangC(10, 14)).toBeCloseTo(0.1741, 4);
    expect(erlangCServiceLevel(TEXTBOOK, 13, 20)).toBeCloseTo(0.7956, 4);
    expect(erlangCServiceLevel(TEXTBOOK, 14, 20)).toBeCloseTo(0.8884, 4);
    expect(agentsNeeded(TEXTBOOK, 20, 0.8)).toEqual({ agents: 14, serviceLevel: erlangCServiceLevel(TEXTBOOK, 14, 20) });
    // Too few agents for the traffic: everybody waits, nobody is answered in time.
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangCServiceLevel(TEXTBOOK, 9, 20)).toBe(0);
  });
});

describe('Erlang A', () => {
  it('becomes Erlang C when the callers are (almost) infinitely patient', () => {
    for (const n of [11, 12, 13, 14, 16]) {
      const a = erlangA({ ...TEXTBOOK, patienceSeconds: 1e9 }, n, 20);
      expect(a.serviceLevel).toBeCloseTo(erlangCServiceLevel(TEXTBOOK, n, 20), 5);
      expect(a.waitProbability).toBeCloseTo(erlangC(10, n), 5);
      expect(a.abandonProbability).toBeLessThan(1e-6);
    }
  });

  it('with patience equal to the handle time the calls in the system are Poisson: P(wait) = P(Poisson(a) ≥ n)', () => {
    // θ = μ: every caller leaves at rate μ whether talking or waiting, as in M/M/∞ (Palm).
    const poissonTail = (a: number, n: number) => {
      let term = Math.exp(-a);
      let below = 0;
      for (let k = 0; k < n; k++) {
        below += term;
        term *= a / (k + 1);
      }
      return 1 - below;
    };
    for (const [a, n] of [[10, 10], [10, 13], [3, 2], [40, 45]] as const) {
      const out = erlangA({ arrivalsPerSecond: a / 200, handleSeconds: 200, patienceSeconds: 200 }, n, 20);
      expect(out.waitProbability).toBeCloseTo(poissonTail(a, n), 8);
    }
  });

  it('needs fewer agents than Erlang C when callers give up, and more as they grow patient', () => {
    const impatient = agentsNeeded({ ...TEXTBOOK, patienceSeconds: 60 }, 20, 0.8).agents!;
    const patient = agentsNeeded({ ...TEXTBOOK, patienceSeconds: 600 }, 20, 0.8).agents!;
    const erlangCNeed = agentsNeeded(TEXTBOOK, 20, 0.8).agents!;
    expect(impatient).toBeLessThan(erlangCNeed);
    expect(impatient).toBeLessThanOrEqual(patient);
    expect(patient).toBeLessThanOrEqual(erlangCNeed);
    // An overloaded queue (more traffic than agents) is stable with abandons: some callers give up.
    const overloaded = erlangA({ ...TEXTBOOK, patienceSeconds: 120 }, 8, 20);
    expect(overloaded.abandonProbability).toBeGreaterThan(0.1);
    expect(overloaded.serviceLevel).toBeGreaterThan(0);
    expect(overloaded.serviceLevel).toBeLessThan(0.5);
  });

  it('the advised number is the fewest that reach the target, and the service level grows with every agent', () => {
    const load: QueueLoad = { arrivalsPerSecond: 250 / 3600, handleSeconds: 240, patienceSeconds: 150 };
    const need = agentsNeeded(load, 20, 0.8);
    expect(need.agents).not.toBeNull();
    expect(erlangA(load, need.agents!, 20).serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(erlangA(load, need.agents! - 1, 20).serviceLevel).toBeLessThan(0.8);
    let last = -1;
    for (let n = 0; n <= need.agents! + 5; n++) {
      const sl = erlangA(load, n, 20).serviceLevel;
      expect(sl).toBeGreaterThanOrEqual(last);
      last = sl;
    }
    expect(agentsNeeded({ ...load, arrivalsPerSecond: 0 }, 20, 0.8)).toEqual({ agents: 0, serviceLevel: 1 });
  });

  it('agrees with a plain simulation of the same queue (M/M/n+M, 200,000 callers)', () => {
    const load: QueueLoad = { arrivalsPerSecond: 120 / 3600, handleSeconds: 180, patienceSeconds: 90 };
    for (const n of [5, 7]) {
      const sim = simulateQueue(load, n, 20, 200_000, 7 + n);
      const model = erlangA(load, n, 20);
      expect(sim.serviceLevel).toBeCloseTo(model.serviceLevel, 2);
      expect(sim.abandoned).toBeCloseTo(model.abandonProbability, 2);
      expect(sim.waited).toBeCloseTo(model.waitProbability, 2);
    }
  });

  it('refuses a number of agents that is not a whole number', () => {
    expect(() => erlangA(TEXTBOOK, 2.5, 20)).toThrow(/whole number/);
  });
});

/**
 * An independent check: first-come first-served with n agents, each caller with its own
 * exponential patience, played call by call (the wait of a caller only depends on the ones
 * before it).
 */
function simulateQueue(load: QueueLoad, n: number, target: number, calls: number, seed: number) {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const exp = (mean: number) => -mean * Math.log(1 - uniform());
  const free = new Array<number>(n).fill(0); // when each agent is next free
  let t = 0;
  let inTime = 0;
  let abandoned = 0;
  let waited = 0;
  for (let i = 0; i < calls; i++) {
    t += exp(1 / load.arrivalsPerSecond);
    const patience = exp(load.patienceSeconds!);
    let k = 0;
    for (let j = 1; j < n; j++) if (free[j]! < free[k]!) k = j;
    const start = Math.max(t, free[k]!);
    if (start > t) waited++;
    if (start - t > patience) {
      abandoned++;
      continue;
    }
    if (start - t <= target) inTime++;
    free[k] = start + exp(load.handleSeconds);
  }
  return { serviceLevel: inTime / calls, abandoned: abandoned / calls, waited: waited / calls };
}
