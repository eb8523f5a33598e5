/**
 * Where calls come from: a scripted scenario (tests) or the endless demo traffic (newcomers).
 * Both turn calls into CallPlans for the switch; neither knows about AMI.
 */
import type { Scheduler, SimClock } from './clock.ts';
import type { CallPlan, TransferPlan } from './model.ts';
import type { Rng } from './rng.ts';
import type { Switch } from './switch.ts';
import type { WeekCalendar, WorkDay } from './week.ts';

// ------------------------------------------------------------------ scenario format

/**
 * A transfer made by the agent of one answered leg. A bare string (as in quiet-morning and
 * transfer-chain scenarios) is a blind transfer to that queue.
 */
export interface ScenarioTransfer {
  kind?: 'blind' | 'attended';
  to: string;
  /** Seconds of talk before the transfer starts (default: scenario.transferAfterSeconds, 3). */
  after?: number;
  /** Attended: seconds from *2 to the agent hanging up (default: scenario.consultSeconds, 3). */
  consult?: number;
}

export interface ScenarioCall {
  /** Seconds after the scenario start when the call is originated (it joins the queue 0.5 s later). */
  at: number;
  queue: string;
  /** Seconds until a rung agent answers (default 2); >= 15 (the ring timeout) rings out. */
  ring?: number;
  /** Per-agent ring seconds, overriding `ring` (e.g. { agent1: 99 }: agent1 never answers). */
  ringByAgent?: Record<string, number>;
  /** Seconds of conversation of each answered leg (default 30). */
  talk?: number;
  /** The caller hangs up this many seconds after `at`, whatever is happening (the capture driver's meaning). */
  patience?: number;
  /** Queue() timeout: seconds a queue entry may wait before it times out of the queue. */
  timeout?: number;
  transfers?: Array<string | ScenarioTransfer>;
  /** Who ends the conversation when `talk` is over (default 'agent', as in the captures). */
  hangupBy?: 'agent' | 'caller';
  /** Caller ID (default 06100000NN / "Caller N", as in the captures). */
  number?: string;
  name?: string;
}

/**
 * A member action. Either the short form `{ at, agent, pause, reason? }`, or the AMI-shaped
 * form of the capture scenarios `{ at, Action: 'QueuePause', Interface, Paused, Reason }`.
 */
export interface ScenarioAction {
  at: number;
  agent?: string;
  pause?: boolean;
  reason?: string;
  /** Restrict a pause to one queue, or the queue for `member`. */
  queue?: string;
  /** Log the agent in to / out of `queue` (QueueMemberAdded / QueueMemberRemoved). */
  member?: 'add' | 'remove';
  /** false: the agent's device becomes unavailable (Status 5); true: back. */
  available?: boolean;
  Action?: string;
  Interface?: string;
  Paused?: string | boolean;
  Reason?: string;
  Queue?: string;
  MemberName?: string;
}

export interface Scenario {
  description?: string;
  calls: ScenarioCall[];
  actions?: ScenarioAction[];
  transferAfterSeconds?: number;
  consultSeconds?: number;
  /** Queue wrap-up time in seconds (default 0, as in the captures). */
  wrapupSeconds?: number;
  /**
   * Start the scenario clock (at = 0) when the first AMI client logs in, so a test that connects
   * after starting the simulator misses nothing. Default false: at = 0 is the simulator start.
   */
  startOnLogin?: boolean;
  /** Informational (the capture scenarios carry it); not used. */
  maxSeconds?: number;
}

function defaultNumber(index: number): string {
  return `06${10000000 + index}`;
}

export function scenarioPlan(scenario: Scenario, call: ScenarioCall, index: number): CallPlan {
  const after = scenario.transferAfterSeconds ?? 3;
  const consult = scenario.consultSeconds ?? 3;
  const transfers: TransferPlan[] = (call.transfers ?? []).map((t) =>
    typeof t === 'string'
      ? { kind: 'blind', to: t, after, consult }
      : { kind: t.kind ?? 'blind', to: t.to, after: t.after ?? after, consult: t.consult ?? consult },
  );
  const ring = call.ring ?? 2;
  const talk = call.talk ?? 30;
  return {
    queue: call.queue,
    callerNum: call.number ?? defaultNumber(index),
    callerName: call.name ?? `Caller ${index}`,
    ringFor: (agent) => call.ringByAgent?.[agent] ?? ring,
    talkFor: () => talk,
    endBy: () => call.hangupBy ?? 'agent',
    ...(call.patience !== undefined ? { patience: call.patience } : {}),
    timeoutFor: () => call.timeout,
    transfers,
  };
}

/** Checks a scenario against the switch's queues before anything plays. */
export function validateScenario(scenario: Scenario, queues: Record<string, string[]>): void {
  const known = new Set(Object.keys(queues));
  scenario.calls.forEach((c, i) => {
    if (!known.has(c.queue)) throw new Error(`scenario call ${i}: unknown queue ${c.queue}`);
    for (const t of c.transfers ?? []) {
      const to = typeof t === 'string' ? t : t.to;
      if (!known.has(to)) throw new Error(`scenario call ${i}: transfer to unknown queue ${to}`);
    }
  });
}

export class ScenarioPlayer {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private started = false;
  private pending: number;

  constructor(
    private readonly pbx: Switch,
    private readonly scheduler: Scheduler,
    private readonly clock: SimClock,
    private readonly scenario: Scenario,
  ) {
    this.pending = scenario.calls.length;
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    // at = 0 is exactly the simulated start, so a seed always plays the same run.
    if (!this.scenario.startOnLogin) this.begin(this.clock.startAt);
  }

  /** A client logged in: a `startOnLogin` scenario starts now. */
  notifyLogin(): void {
    if (this.scenario.startOnLogin && !this.started) this.begin(this.clock.now());
  }

  private begin(t0: number): void {
    this.started = true;
    if (this.pending === 0) this.resolveDone();
    this.scenario.calls.forEach((call, index) => {
      this.scheduler.at(t0 + call.at * 1000, () => {
        this.pbx.placeCall(scenarioPlan(this.scenario, call, index), () => {
          if (--this.pending === 0) this.resolveDone();
        });
      });
    });
    for (const action of this.scenario.actions ?? []) {
      this.scheduler.at(t0 + action.at * 1000, () => runAction(this.pbx, action));
    }
  }
}

function truthy(v: string | boolean | undefined): boolean {
  return v === true || (typeof v === 'string' && /^(1|true|yes|on)$/i.test(v.trim()));
}

export function runAction(pbx: Switch, a: ScenarioAction): void {
  const agent = a.agent ?? (a.Interface ? pbx.agentByInterface(a.Interface) : undefined) ?? a.MemberName;
  if (!agent) return;
  const act = (a.Action ?? '').toLowerCase();
  if (act === 'queuepause' || a.pause !== undefined) {
    const paused = a.pause ?? truthy(a.Paused);
    pbx.pause(agent, paused, a.reason ?? a.Reason ?? '', a.queue ?? a.Queue);
  } else if (act === 'queueadd' || a.member === 'add') {
    const q = a.queue ?? a.Queue;
    if (q) pbx.addMember(q, agent);
  } else if (act === 'queueremove' || a.member === 'remove') {
    const q = a.queue ?? a.Queue;
    if (q) pbx.removeMember(q, agent);
  } else if (a.available !== undefined) {
    pbx.setUnavailable(agent, !a.available);
  }
}

// ------------------------------------------------------------------ demo traffic

const SURNAMES = [
  'de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot',
  'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra', 'Smits',
  'de Graaf', 'van der Meer', 'Kok', 'Jacobs', 'de Haan', 'Vermeulen', 'van Dijk', 'Schouten', 'Willems', 'Hoekstra',
  'El Amrani', 'Yilmaz', 'Kaya', 'Nguyen', 'Pinas',
];

const PAUSES = {
  koffie: { weight: 55, min: 5, max: 12 },
  overleg: { weight: 30, min: 10, max: 25 },
  lunch: { weight: 15, min: 25, max: 35 },
} as const;
type PauseReason = keyof typeof PAUSES;

/** Tunables of the demo; the defaults keep the service level mostly between 70 and 90 %. */
export interface DemoProfile {
  /** Mean seconds between calls at average load. */
  meanInterarrival: number;
  /** Median conversation, seconds (log-normal, clipped to 1-6 minutes). */
  talkMedian: number;
  /** Queue timeout per queue, seconds; the first queue waits longest. */
  timeouts: number[];
  /** Mean simulated minutes between an agent's pauses. */
  pauseEveryMinutes: number;
  /** When the first wave of callers comes, minutes after the start (a random time between). */
  firstWaveMinutes: [number, number];
}

/** The quiet demo: about a call a minute, a first wave within the hour. */
export const DEFAULT_DEMO: DemoProfile = {
  meanInterarrival: 88,
  talkMedian: 80,
  timeouts: [480, 360],
  pauseEveryMinutes: 150,
  firstWaveMinutes: [20, 50],
};

/**
 * A believable busy hour (the live demo's default): a call every eight to ten seconds on nine
 * agents (BUSY_HOUR_QUEUES), so callers wait; a first wave after two to four minutes, so a
 * guarantee breach comes within the first ten.
 */
export const BUSY_HOUR: DemoProfile = {
  meanInterarrival: 9,
  talkMedian: 75,
  timeouts: [480, 360],
  pauseEveryMinutes: 120,
  firstWaveMinutes: [2, 4],
};

/**
 * Believable municipal traffic: a call every half minute or so with the load drifting up and
 * down (and now and then a rush), 1-6 minute conversations, early and late abandons, rings
 * nobody picks up, blind and attended transfers to the other queue, coffee, meetings and lunch,
 * a colleague logging in to help a queue that runs full, and a phone that drops off now and then.
 *
 * With a `calendar` (week.ts) the same calls follow the clock of a real week instead: they ring
 * only in opening hours, as often as the hour and weekday say; `queues` is then the roster, and
 * its agents log in each morning, take their coffee and lunch, and log out after closing once
 * their queues are empty; a bad day brings its absences, waves and long conversations.
 */
export class DemoTraffic {
  private readonly queueNames: string[];
  private readonly weights: number[];
  private readonly helping = new Map<string, { agent: string; quietSince: number | null }>();
  private index = 0;
  private rushUntil = 0;

  constructor(
    private readonly pbx: Switch,
    private readonly scheduler: Scheduler,
    private readonly clock: SimClock,
    private readonly rng: Rng,
    private readonly queues: Record<string, string[]>,
    private readonly profile: DemoProfile = DEFAULT_DEMO,
    private readonly calendar: WeekCalendar | null = null,
  ) {
    this.queueNames = Object.keys(queues);
    // Calls split by staffing, more than proportionally: a two-agent queue needs a lower load
    // than a three-agent one for the same service level (Erlang C).
    this.weights = this.queueNames.map((q) => Math.max(1, queues[q]!.length) ** 2 * rng.float(0.9, 1.1));
  }

  start(): void {
    if (this.calendar) return this.startWeek(this.calendar);
    // Somebody is calling as soon as the demo starts: a wallboard has something to show.
    for (const at of [this.rng.float(1, 4), this.rng.float(5, 12)]) this.scheduler.after(at * 1000, () => this.placeCall());
    this.scheduleArrival();
    // The first wave comes early, so a newcomer sees a queue fill up within the hour.
    this.scheduler.after(this.rng.float(...this.profile.firstWaveMinutes) * 60_000, () => this.incident());
    const agents = [...new Set(Object.values(this.queues).flat())];
    for (const agent of agents) {
      this.scheduler.after(this.rng.exp(this.profile.pauseEveryMinutes * 60_000 * 0.6), () => this.pauseCycle(agent));
      this.scheduler.after(this.rng.exp(4 * 3600_000), () => this.deviceCycle(agent));
    }
    if (this.queueNames.length > 1) this.scheduler.after(15_000, () => this.helperCycle());
  }

  /** Load factor: a slow swell over ~45 minutes, plus occasional rushes. */
  private load(now: number): number {
    const minutes = (now - this.clock.startAt) / 60_000;
    let f = 1 + 0.3 * Math.sin((2 * Math.PI * minutes) / 45) + 0.1 * Math.sin((2 * Math.PI * minutes) / 11);
    if (now < this.rushUntil) f *= 1.6;
    else if (this.rng.chance(0.004)) this.rushUntil = now + this.rng.float(4, 9) * 60_000;
    return Math.max(0.4, f);
  }

  private scheduleArrival(): void {
    if (this.calendar) {
      const at = this.calendar.nextArrival(this.clock.now(), this.rng);
      if (at !== null) {
        this.scheduler.at(at, () => {
          this.placeCall();
          this.scheduleArrival();
        });
      }
      return;
    }
    const gap = this.rng.exp(this.profile.meanInterarrival / this.load(this.clock.now()));
    this.scheduler.after(Math.max(1, gap) * 1000, () => {
      this.placeCall();
      this.scheduleArrival();
    });
  }

  /**
   * A wave of calls into one queue (a letter about the municipal tax just landed, the permit
   * portal is down): a few extra callers per agent within a few minutes. The last of them wait past five
   * minutes, some give up, some time out of the queue; then the queue recovers.
   */
  private incident(): void {
    const queue = this.queueNames[Math.floor(this.rng.next() * this.queueNames.length)]!;
    // Deep enough that the last callers wait past five minutes: about four callers per agent.
    const calls = Math.round(this.rng.float(4, 5.5) * Math.max(1, this.queues[queue]!.length));
    this.wave(queue, calls, this.rng.float(1.5, 4) * 60_000);
    this.scheduler.after(this.rng.float(100, 200) * 60_000, () => this.incident());
  }

  /** `calls` extra callers into `queue`, spread over `spreadMs` from now. */
  private wave(queue: string, calls: number, spreadMs: number): void {
    for (let i = 0; i < calls; i++) this.scheduler.after(this.rng.float(0, spreadMs), () => this.placeCall(queue));
  }

  // ---------------------------------------------------------------- a played week

  /** Every working day of the calendar: logins, breaks, the team lead's watch, trouble, logouts. */
  private startWeek(cal: WeekCalendar): void {
    const agents = [...new Set(Object.values(this.queues).flat())];
    for (const day of cal.days) {
      if (day.open === null || day.close === null) continue;
      const trouble = day.trouble;
      for (const agent of agents) {
        if (trouble?.absent?.includes(agent)) continue;
        const late = trouble?.lateUntil?.[agent];
        // In a few minutes before opening, coffee in hand; a late one right at their time.
        const loginAt = late ? day.at(late) + this.rng.float(0, 3) * 60_000 : day.open - this.rng.float(2, 15) * 60_000;
        this.scheduler.at(loginAt, () => this.logIn(agent));
        this.planBreaks(day, agent);
        this.scheduler.at(day.close, () => this.logOutWhenDone(agent));
      }
      this.scheduler.at(day.open + 15_000, () => this.helperCycle());
      for (const w of trouble?.waves ?? []) {
        if (this.queues[w.queue]) this.scheduler.at(day.at(w.at), () => this.wave(w.queue, w.calls, w.minutes * 60_000));
      }
      for (const p of trouble?.phoneDown ?? []) {
        this.scheduler.at(day.at(p.from), () => this.phoneDown(p.agent, day.at(p.to)));
      }
    }
    this.scheduleArrival();
  }

  /** True when the agent is logged in to some queue. */
  private loggedIn(agent: string): boolean {
    return this.queueNames.some((q) => this.pbx.isMember(q, agent));
  }

  /** The morning login: a dynamic member of every queue of the roster that lists the agent. */
  private logIn(agent: string): void {
    for (const q of this.queueNames) if (this.queues[q]!.includes(agent)) this.pbx.addMember(q, agent);
  }

  /** After closing: once the agent is free and nobody waits in their queues, they log out of all. */
  private logOutWhenDone(agent: string): void {
    const mine = this.queueNames.filter((q) => this.pbx.isMember(q, agent));
    if (mine.length === 0) return;
    if (!this.pbx.isIdle(agent) || mine.some((q) => this.pbx.waiting(q) > 0)) {
      this.scheduler.after(30_000, () => this.logOutWhenDone(agent));
      return;
    }
    if (this.pbx.isPaused(agent)) this.pbx.pause(agent, false);
    for (const q of mine) {
      this.pbx.removeMember(q, agent);
      if (this.helping.get(q)?.agent === agent) this.helping.delete(q);
    }
  }

  /** Coffee mid-morning, lunch, coffee mid-afternoon, and now and then a meeting. */
  private planBreaks(day: WorkDay, agent: string): void {
    const plan: Array<[PauseReason, string, string]> = [
      ['koffie', '10:00', '10:45'],
      ['lunch', '12:00', '13:15'],
      ['koffie', '14:45', '15:30'],
    ];
    if (this.rng.chance(0.15)) plan.push(['overleg', '11:00', '11:30']);
    for (const [reason, from, to] of plan) {
      const at = this.rng.float(day.at(from), day.at(to));
      // A break put off for too long is skipped (coffee) or taken late (lunch, until 14:00).
      const deadline = reason === 'lunch' ? day.at('14:00') : at + 45 * 60_000;
      this.scheduler.at(at, () => this.takeBreak(agent, reason, deadline));
    }
  }

  /**
   * A break from idle only, not while callers wait in the agent's queues, and not when a third of
   * a queue's logged-in colleagues (at least one) is already away; otherwise a little later.
   */
  private takeBreak(agent: string, reason: PauseReason, deadline: number): void {
    const now = this.clock.now();
    if (now > deadline || !this.loggedIn(agent)) return;
    const mine = this.queueNames.filter((q) => this.pbx.isMember(q, agent));
    const crowdedOut = mine.some((q) => {
      const colleagues = this.queues[q]!.filter((a) => a !== agent && this.pbx.isMember(q, a));
      const away = colleagues.filter((a) => this.pbx.isPaused(a)).length;
      return away >= Math.max(1, Math.floor((colleagues.length + 1) / 3)) || this.pbx.waiting(q) > 0;
    });
    if (!this.pbx.isIdle(agent) || this.pbx.isPaused(agent) || crowdedOut) {
      this.scheduler.after(this.rng.float(1, 3) * 60_000, () => this.takeBreak(agent, reason, deadline));
      return;
    }
    const spec = PAUSES[reason];
    this.pbx.pause(agent, true, reason);
    this.scheduler.after(this.rng.float(spec.min, spec.max) * 60_000, () => this.pbx.pause(agent, false));
  }

  /** A phone off the network (Status 5) until `until`; only from idle, so it waits for a call to end. */
  private phoneDown(agent: string, until: number): void {
    if (this.clock.now() >= until || !this.loggedIn(agent)) return;
    if (!this.pbx.setUnavailable(agent, true)) {
      this.scheduler.after(20_000, () => this.phoneDown(agent, until));
      return;
    }
    this.scheduler.at(until, () => this.pbx.setUnavailable(agent, false));
  }

  private pickQueue(): string {
    const total = this.weights.reduce((a, b) => a + b, 0);
    let r = this.rng.next() * total;
    for (let i = 0; i < this.queueNames.length; i++) {
      r -= this.weights[i]!;
      if (r < 0) return this.queueNames[i]!;
    }
    return this.queueNames[this.queueNames.length - 1]!;
  }

  private placeCall(queue = this.pickQueue()): void {
    const r = this.rng.fork();
    const index = this.index++;
    const others = this.queueNames.filter((q) => q !== queue);
    const talkMedian = this.profile.talkMedian * (this.calendar?.talkFactor(this.clock.now()) ?? 1);
    const talk = () => Math.min(360, Math.max(60, r.lognormal(talkMedian, 0.5)));
    // Per leg: its talk, who hangs up, and whether this leg's agent transfers.
    const legs = Array.from({ length: 4 }, (_, leg) => ({
      talk: talk(),
      endBy: (r.chance(0.6) ? 'caller' : 'agent') as 'caller' | 'agent',
      transferRoll: r.next(),
      leg,
    }));
    const transfers: TransferPlan[] = [];
    for (const l of legs) {
      const p = l.leg === 0 ? 1 : 0.4;
      if (others.length === 0 || l.transferRoll > 0.09 * p) break;
      const to = r.pick(others.length > 0 ? others : [queue]);
      if (l.transferRoll < 0.055 * p) transfers.push({ kind: 'blind', to, after: r.float(20, 90), consult: 0 });
      else transfers.push({ kind: 'attended', to, after: r.float(30, 120), consult: r.float(10, 45) });
    }
    // Now and then nobody knows where a question belongs: passed back and forth three times.
    if (this.calendar && others.length > 0 && r.chance(this.calendar.profile.transferChainShare)) {
      const other = r.pick(others);
      transfers.length = 0;
      for (const to of [other, queue, other]) transfers.push({ kind: 'blind', to, after: r.float(20, 70), consult: 0 });
    }
    // Patience in the queue: some hang up within seconds (short abandons), some after half a
    // minute, most only after minutes, and some wait until the queue times them out.
    const patienceKind = r.next();
    const queuePatience =
      patienceKind < 0.04 ? r.float(1, 8)
        : patienceKind < 0.1 ? r.float(8, 40)
          : patienceKind < 0.6 ? Math.min(1500, r.lognormal(300, 0.6))
            : undefined;
    const timeouts = new Map(this.queueNames.map((q, i) => [q, this.profile.timeouts[i] ?? this.profile.timeouts[this.profile.timeouts.length - 1]]));
    const num = this.callerNumber(r);
    const plan: CallPlan = {
      queue,
      callerNum: num,
      callerName: r.chance(0.25) ? num : `${String.fromCharCode(65 + r.int(0, 25))}. ${r.pick(SURNAMES)}`,
      // An agent now and then lets it ring out (away from the desk, on the other line).
      ringFor: () => (r.chance(0.06) ? 60 : r.float(1.5, 6)),
      talkFor: (leg) => legs[Math.min(leg, legs.length - 1)]!.talk,
      endBy: (leg) => legs[Math.min(leg, legs.length - 1)]!.endBy,
      ...(queuePatience !== undefined ? { queuePatience: () => queuePatience } : {}),
      timeoutFor: (q) => timeouts.get(q),
      transfers,
      afterTimeoutSeconds: r.float(6, 20),
    };
    this.pbx.placeCall(plan);
  }

  private callerNumber(r: Rng): string {
    if (r.chance(0.7)) return `06${String(r.int(10000000, 99999999))}`;
    const area = r.pick(['10', '20', '30', '40', '50', '70', '71', '73', '76', '79', '182', '343', '492']);
    const rest = 9 - area.length;
    return `0${area}${String(r.int(10 ** (rest - 1), 10 ** rest - 1))}`;
  }

  /** Breaks: only from idle, and not while a queue colleague is already away. */
  private pauseCycle(agent: string): void {
    const retry = (ms: number) => this.scheduler.after(ms, () => this.pauseCycle(agent));
    if (!this.pbx.isIdle(agent) || this.pbx.isPaused(agent)) return void retry(20_000);
    const colleagues = Object.entries(this.queues)
      .filter(([, members]) => members.includes(agent))
      .flatMap(([, members]) => members)
      .filter((a) => a !== agent);
    const ownQueues = this.queueNames.filter((q) => this.pbx.isMember(q, agent));
    if (colleagues.some((a) => this.pbx.isPaused(a)) || ownQueues.some((q) => this.pbx.waiting(q) > 0)) {
      return void retry(this.rng.float(2, 5) * 60_000);
    }
    const reason = this.rng.weighted(Object.fromEntries(Object.entries(PAUSES).map(([k, v]) => [k, v.weight])) as Record<PauseReason, number>);
    const spec = PAUSES[reason];
    this.pbx.pause(agent, true, reason);
    this.scheduler.after(this.rng.float(spec.min, spec.max) * 60_000, () => {
      this.pbx.pause(agent, false);
      this.scheduler.after(this.rng.exp(this.profile.pauseEveryMinutes * 60_000), () => this.pauseCycle(agent));
    });
  }

  /** Now and then a phone drops off the network for a few minutes (Status 5). */
  private deviceCycle(agent: string): void {
    if (!this.pbx.setUnavailable(agent, true)) {
      this.scheduler.after(60_000, () => this.deviceCycle(agent));
      return;
    }
    this.scheduler.after(this.rng.float(2, 6) * 60_000, () => {
      this.pbx.setUnavailable(agent, false);
      this.scheduler.after(this.rng.exp(4 * 3600_000), () => this.deviceCycle(agent));
    });
  }

  /**
   * When a queue runs full, an agent of another queue logs in to it as a dynamic member
   * (QueueMemberAdded) and logs out again once it has been quiet for a few minutes.
   */
  private helperCycle(): void {
    const now = this.clock.now();
    // A played week: the team lead watches while the centre is open (startWeek restarts this each morning).
    if (this.calendar && !this.calendar.isOpen(now)) return;
    for (const q of this.queueNames) {
      const help = this.helping.get(q);
      const waiting = this.pbx.waiting(q);
      // The team lead reacts when callers pile up and have waited a while, not at once.
      const longest = this.pbx.queueSummary(q)?.longestHoldTime ?? 0;
      if (!help && waiting >= 4 && longest >= 150) {
        const candidates = Object.entries(this.queues)
          .filter(([name]) => name !== q)
          .flatMap(([, members]) => members)
          .filter((a) => !this.pbx.isMember(q, a) && !this.pbx.isPaused(a) && this.loggedIn(a));
        if (candidates.length > 0) {
          const agent = this.rng.pick(candidates);
          if (this.pbx.addMember(q, agent)) this.helping.set(q, { agent, quietSince: null });
        }
      } else if (help) {
        if (waiting > 0) help.quietSince = null;
        else if (help.quietSince === null) help.quietSince = now;
        else if (now - help.quietSince > 3 * 60_000) {
          this.pbx.removeMember(q, help.agent);
          this.helping.delete(q);
        }
      }
    }
    this.scheduler.after(15_000, () => this.helperCycle());
  }
}
