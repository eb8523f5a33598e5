/**
 * Erlang A (M/M/n+M, "Palm's queue"): Poisson arrivals, exponential handle times, n agents,
 * and callers who give up after an exponential patience. Erlang C is its special case with
 * infinitely patient callers; it overstates the agents needed wherever callers do abandon,
 * because every caller who gives up shortens the wait of those behind.
 *
 * Pure maths, no I/O. The service level is Belofte's (README "Figure definitions"): answered
 * within the target ÷ every call that ended (answered + abandoned), so a caller who gave up
 * within the target counts against it, exactly as the live figures count it.
 *
 * How it is computed: the number of callers in the system is a birth–death chain (arrivals λ;
 * departures min(k, n)·μ + max(k − n, 0)·θ). An arriving caller sees its stationary
 * distribution (PASTA). One who finds j callers waiting ahead is answered within T when j + 1
 * "moves up" (an agent frees: n·μ, someone ahead gives up: θ each) all come before T and before
 * the caller's own patience runs out; that probability is computed for every j at once by
 * uniformisation of the caller's own little chain, which stays exact and stable where the
 * closed hypo-exponential form cancels catastrophically.
 */

export interface QueueLoad {
  /** Calls offered per second (λ). */
  arrivalsPerSecond: number;
  /** Mean handle time in seconds: talk plus wrap-up (1/μ). */
  handleSeconds: number;
  /** Mean patience of a waiting caller in seconds (1/θ); null: nobody gives up (Erlang C). */
  patienceSeconds: number | null;
}

export interface QueueOutlook {
  /** Share of all offered calls answered within the target (answered within T ÷ offered). */
  serviceLevel: number;
  /** Share of callers who have to wait at all. */
  waitProbability: number;
  /** Share of callers who give up before they are answered. */
  abandonProbability: number;
}

/** Erlang B: the share of calls lost with n lines and `erlangs` of offered traffic. */
export function erlangB(erlangs: number, lines: number): number {
  // The stable recursion B(k) = a·B(k−1) / (k + a·B(k−1)).
  let b = 1;
  for (let k = 1; k <= lines; k++) b = (erlangs * b) / (k + erlangs * b);
  return b;
}

/** Erlang C: the share of callers who wait, with n agents and `erlangs` of traffic (1 when n ≤ a). */
export function erlangC(erlangs: number, agents: number): number {
  if (agents <= erlangs) return 1;
  const b = erlangB(erlangs, agents);
  return (agents * b) / (agents - erlangs * (1 - b));
}

/** Erlang C's service level: answered within `targetSeconds` (nobody abandons). */
export function erlangCServiceLevel(load: Omit<QueueLoad, 'patienceSeconds'>, agents: number, targetSeconds: number): number {
  const a = load.arrivalsPerSecond * load.handleSeconds;
  if (agents <= a) return 0;
  return 1 - erlangC(a, agents) * Math.exp((-(agents - a) * targetSeconds) / load.handleSeconds);
}

/** Stationary tail below this share of the mode is dropped. */
const NEGLIGIBLE_LOG = Math.log(1e-16);
/** At most this many waiting callers are modelled (a queue far past any target). */
const MAX_QUEUE = 20_000;

/** Erlang A: how a queue with this load and these agents fares against an answer target. */
export function erlangA(load: QueueLoad, agents: number, targetSeconds: number): QueueOutlook {
  const { arrivalsPerSecond: lambda, handleSeconds } = load;
  if (!(lambda > 0) || !(handleSeconds > 0)) return { serviceLevel: 1, waitProbability: 0, abandonProbability: 0 };
  if (!Number.isInteger(agents) || agents < 0) throw new RangeError(`agents must be a whole number ≥ 0, not ${agents}`);
  const mu = 1 / handleSeconds;
  const theta = load.patienceSeconds === null || !Number.isFinite(load.patienceSeconds) ? 0 : 1 / load.patienceSeconds;
  if (theta === 0) {
    const waitProbability = agents * mu > lambda ? erlangC(lambda / mu, agents) : 1;
    return { serviceLevel: erlangCServiceLevel(load, agents, targetSeconds), waitProbability, abandonProbability: 0 };
  }
  const n = agents;
  // Log weights of the stationary distribution, states 0 .. n + J.
  const logW: number[] = [0];
  let maxLog = 0;
  for (let k = 1; ; k++) {
    const death = Math.min(k, n) * mu + Math.max(k - n, 0) * theta;
    const lw = logW[k - 1]! + Math.log(lambda) - Math.log(death);
    logW.push(lw);
    if (lw > maxLog) maxLog = lw;
    // Past the agents the weights fall for good once λ < n·μ + (k − n)·θ.
    if (k > n && lambda < death && lw - maxLog < NEGLIGIBLE_LOG) break;
    if (k - n > MAX_QUEUE) break;
  }
  let z = 0;
  const p = logW.map((lw) => {
    const v = Math.exp(lw - maxLog);
    z += v;
    return v;
  });
  for (let k = 0; k < p.length; k++) p[k]! /= z;

  let immediate = 0;
  for (let k = 0; k < Math.min(n, p.length); k++) immediate += p[k]!;
  let queued = 0;
  for (let k = n; k < p.length; k++) queued += (k - n) * p[k]!;
  // Little's law on the waiting room: callers give up at θ per waiting caller.
  const abandonProbability = Math.min(1, (theta * queued) / lambda);

  // The arriving caller's position: j callers ahead (mass p[n + j]).
  let mass = p.slice(n);
  const J = mass.length - 1;
  if (J < 0 || targetSeconds <= 0) {
    return { serviceLevel: targetSeconds <= 0 ? 0 : immediate, waitProbability: 1 - immediate, abandonProbability };
  }
  // Uniformisation: every position leaves at n·μ + (j + 1)·θ at most; Λ covers them all.
  const uniform = n * mu + (J + 1) * theta;
  const steps = uniform * targetSeconds;
  const advance = (j: number) => (n * mu + j * theta) / uniform;
  let served = 0; // answered within m steps
  let within = 0; // Σ Poisson(m; ΛT) · served
  let logPois = -steps;
  let cumulative = 0;
  let next = new Array<number>(mass.length).fill(0);
  for (let m = 0; ; m++) {
    if (m > 0) logPois += Math.log(steps) - Math.log(m);
    const pois = Math.exp(logPois);
    within += pois * served;
    cumulative += pois;
    if ((m > steps && 1 - cumulative < 1e-13) || m > steps + 40 * Math.sqrt(steps + 1) + 100) break;
    // One step: move up one place (position 0 moves into an agent's ear), give up (θ), or stay.
    served += mass[0]! * advance(0);
    for (let j = 0; j <= J; j++) {
      const stay = 1 - advance(j) - theta / uniform;
      next[j] = mass[j]! * stay + (j < J ? mass[j + 1]! * advance(j + 1) : 0);
    }
    [mass, next] = [next, mass];
  }
  return { serviceLevel: Math.min(1, immediate + within), waitProbability: 1 - immediate, abandonProbability };
}

export interface StaffingNeed {
  /** Fewest agents that reach the service-level target; null when no number within reach does. */
  agents: number | null;
  /** The service level with that many agents. */
  serviceLevel: number | null;
}

/** Upper bound of the search: far more agents than any contact centre puts on one queue. */
const MAX_AGENTS = 2_000;

/**
 * The fewest agents with which the queue reaches `serviceLevelTarget` within `targetSeconds`
 * (Erlang A; the service level only grows with every agent added, so a bisection finds it).
 */
export function agentsNeeded(load: QueueLoad, targetSeconds: number, serviceLevelTarget: number): StaffingNeed {
  if (!(load.arrivalsPerSecond > 0)) return { agents: 0, serviceLevel: 1 };
  const meets = (n: number) => erlangA(load, n, targetSeconds).serviceLevel >= serviceLevelTarget;
  let hi = Math.max(1, Math.ceil(load.arrivalsPerSecond * load.handleSeconds));
  while (!meets(hi)) {
    if (hi >= MAX_AGENTS) return { agents: null, serviceLevel: null };
    hi = Math.min(MAX_AGENTS, hi * 2);
  }
  let lo = 0; // 0 agents never answer anyone
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (meets(mid)) hi = mid;
    else lo = mid;
  }
  return { agents: hi, serviceLevel: erlangA(load, hi, targetSeconds).serviceLevel };
}
