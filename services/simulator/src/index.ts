/**
 * Belofte's built-in AMI simulator: a TCP server that speaks the Asterisk Manager Interface
 * like Asterisk 22 and plays queue traffic (endless demo traffic, or a scripted scenario),
 * recording what it played so tests can compare Belofte's figures with the truth.
 */
import { Scheduler, SimClock } from './clock.ts';
import { FixedLoadTraffic, fixedLoadQueues, type FixedLoad } from './fixedLoad.ts';
import { Rng } from './rng.ts';
import { AmiServer } from './server.ts';
import { Switch } from './switch.ts';
import { BUSY_HOUR, DEFAULT_DEMO, DemoTraffic, ScenarioPlayer, validateScenario, type Scenario } from './traffic.ts';
import type { TruthCall, TruthQueue } from './truth.ts';
import { WEEK_PROFILE, WEEK_QUEUES, WeekCalendar, previousIsoWeek, weekStartOf, type WeekProfile } from './week.ts';

export type { FixedLoad } from './fixedLoad.ts';
export type { Scenario, ScenarioAction, ScenarioCall, ScenarioTransfer } from './traffic.ts';
export type { TruthCall, TruthQueue } from './truth.ts';
export { frame } from './protocol.ts';
export { WEEK_PROFILE, WEEK_QUEUES, WeekCalendar, previousIsoWeek, weekStartOf, type DayTrouble, type WeekProfile } from './week.ts';

/** A week of traffic played on the simulated clock from its Monday 00:00 to its Sunday 23:59:59. */
export interface WeekOptions {
  /** ISO week ('2026-W47'), or 'previous' (the default): the week before the current one. */
  week?: string;
  /** Instead of `week`: epoch ms of the local Monday 00:00 that starts it. */
  weekStart?: number;
  /** Play only Monday and the days after it, `days` in all (1-7, default 7): shorter tests. */
  days?: number;
  /**
   * Keep the clock at Monday 00:00 until the first client logs in (default true): the night
   * before opening is skipped in no time, so without this a late collector would miss Monday.
   */
  startOnLogin?: boolean;
  /** Opening hours, rates, roster, trouble (default WEEK_PROFILE). */
  profile?: WeekProfile;
}

/** A week played at this speed takes about a minute of wall time on a small machine. */
export const WEEK_SPEED = 3_000;

export interface SimulatorOptions {
  port?: number; // 0 = pick a free port (default 5038)
  host?: string; // default '127.0.0.1'
  username?: string; // default 'belofte'
  secret?: string; // default 'belofte'
  speed?: number; // default 1
  seed?: number; // default 1; a week: its number (202647 for 2026-W47), so consecutive weeks differ
  startAt?: number; // epoch ms of the simulated clock at start; default Date.now()
  scenario?: Scenario; // default: the endless demo traffic
  queues?: Record<string, string[]>; // queue -> member names (a week: its roster); default demo queues
  /**
   * The endless demo's traffic: 'busy' (default) a busy hour on nine agents (BUSY_HOUR), or
   * 'quiet' about a call a minute on five (DEFAULT_DEMO). Not used by a scenario or a week.
   */
  traffic?: 'busy' | 'quiet';
  /** Play a week instead of the endless demo: true = the previous ISO week. Speed defaults to WEEK_SPEED. */
  week?: true | string | WeekOptions;
  /**
   * Play one queue at a fixed load (arrival rate, handle time, patience, agents) for some
   * simulated hours instead of the demo: the queue of staffing maths, e.g. to check advice.
   */
  load?: FixedLoad;
  /**
   * No traffic of its own: the switch logs clients in, answers Ping and the resync actions
   * (with `queues`, default none), and sends only what the caller writes with `send()` —
   * frames a test or benchmark scripts itself, or raw bytes no real switch would send.
   */
  scripted?: boolean;
}

export interface SimulatorCounters {
  /** Events written to clients (an event to two clients counts twice). */
  eventsSent: number;
  /** Simulated time skipped because nothing happened (nights, weekends), ms. */
  idleSkippedMs: number;
  /** Times a client fell behind and held the week back (flow control). */
  backlogHolds: number;
  /** Wall time from the start of play (a week: the first login) to its end, or to now; ms. */
  playedWallMs: number;
  /** Successful logins, across sessions. */
  logins: number;
  /** Resync actions answered (QueueStatus, CoreShowChannels), across sessions. */
  resyncs: number;
  /** Logged-in sessions now. */
  listeners: number;
}

/** What a played week is: which one, from when to when. */
export interface PlayedWeek {
  week: string;
  /** Local Monday 00:00 (epoch ms). */
  from: number;
  /** The last instant played (23:59:59.999 of the last day). */
  end: number;
  /** Calls the hourly rates give on average (waves not included). */
  expectedCalls: number;
}

export interface Simulator {
  port: number;
  /** The seed the run plays from. */
  seed: number;
  /** Simulated clock now (epoch ms). */
  now(): number;
  /** Cut every client socket (like a network failure); the switch keeps running and accepts new logins. */
  dropConnections(): void;
  /**
   * Stop the simulated clock and every task until `resume()`; the server still answers actions
   * (QueueStatus describes the held instant), so a test can compare two readings of one moment.
   */
  hold(): void;
  resume(): void;
  /** Calls played so far, in truth.json format. */
  truth(): { calls: TruthCall[]; queues: Record<string, TruthQueue> };
  /** Resolves when a finite scenario, or a week, has played completely. */
  done: Promise<void>;
  /** The week being played, or null. */
  week: PlayedWeek | null;
  /** How the play went: see SimulatorCounters. */
  counters(): SimulatorCounters;
  /**
   * Writes bytes exactly as given to every logged-in client (scripted frames, hostile input);
   * false when a client's socket buffer is full: wait for `drained()` before writing more.
   * Build frames with `frame()`.
   */
  send(data: string | Uint8Array, encoding?: BufferEncoding): boolean;
  /** Resolves when every client's socket buffer has drained. */
  drained(): Promise<void>;
  /** Resolves at the first successful login. */
  loggedIn: Promise<void>;
  /** Every action received, by name as sent, in order (all sessions). */
  actions: readonly string[];
  close(): Promise<void>;
}

/** The busy hour's nine agents: the played week's roster (agent1–5 where DEFAULT_QUEUES has them). */
export const BUSY_HOUR_QUEUES: Record<string, string[]> = WEEK_QUEUES;

export const DEFAULT_QUEUES: Record<string, string[]> = {
  support: ['agent1', 'agent2', 'agent3'],
  vergunningen: ['agent4', 'agent5'],
};

/** Seconds Asterisk had been up when the simulation starts (FullyBooted Uptime, LoginTime). */
const UPTIME_AT_START = 4;

function weekOptions(week: true | string | WeekOptions): WeekOptions {
  if (week === true) return {};
  if (typeof week === 'string') return { week };
  return week;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const weekOpts = options.week ? weekOptions(options.week) : null;
  if ([weekOpts, options.scenario, options.load, options.scripted].filter(Boolean).length > 1) throw new Error('play one of a scenario, a week, a fixed load or scripted frames');
  const profile = weekOpts?.profile ?? WEEK_PROFILE;
  let calendar: WeekCalendar | null = null;
  if (weekOpts) {
    const tz = profile.timeZone;
    const from = weekOpts.weekStart ?? weekStartOf(!weekOpts.week || weekOpts.week === 'previous' ? previousIsoWeek(Date.now(), tz) : weekOpts.week, tz);
    calendar = new WeekCalendar(from, profile, weekOpts.days ?? 7);
  }
  const startAt = calendar?.start ?? options.startAt ?? Date.now();
  const speed = options.speed ?? (calendar ? WEEK_SPEED : 1);
  const busy = !calendar && !options.scenario && !options.load && !options.scripted && (options.traffic ?? 'busy') === 'busy';
  const queues = options.load
    ? fixedLoadQueues(options.load)
    : (options.queues ?? (calendar ? profile.roster : options.scripted ? {} : busy ? BUSY_HOUR_QUEUES : DEFAULT_QUEUES));
  if (Object.keys(queues).length === 0 && !options.scripted) throw new Error('at least one queue is needed');
  if (options.scenario) validateScenario(options.scenario, queues);

  const seed = options.seed ?? (calendar ? Number(calendar.week.replace('-W', '')) : 1);
  const rng = new Rng(seed);
  const switchRng = rng.fork();
  const jitterRng = rng.fork();
  const trafficRng = rng.fork();
  const serverRng = rng.fork();

  const clock = new SimClock(startAt, speed);
  const scheduler = new Scheduler(clock);
  const waitForLogin = calendar !== null ? (weekOpts!.startOnLogin ?? true) : (options.load?.startOnLogin ?? false);
  if (waitForLogin) {
    // A played week (or fixed load) waits at its start for the first client (see WeekOptions.startOnLogin).
    scheduler.hold('login');
    clock.hold(startAt);
  }
  const pbx = new Switch(
    {
      // A played week: the queues start empty; the roster logs in each morning (dynamic members).
      queues: calendar ? Object.fromEntries(Object.keys(queues).map((q) => [q, []])) : queues,
      ringTimeout: 15,
      retry: 5,
      serviceLevel: 20,
      // The captures' switch has no wrap-up; the demo gives agents 10 s after each call.
      wrapup: options.scenario ? (options.scenario.wrapupSeconds ?? 0) : options.load ? (options.load.wrapupSeconds ?? 0) : 10,
      bootAt: startAt - UPTIME_AT_START * 1000,
    },
    clock,
    scheduler,
    switchRng,
    jitterRng,
  );

  const server = new AmiServer(
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 5038,
      username: options.username ?? 'belofte',
      secret: options.secret ?? 'belofte',
      flowControl: calendar !== null,
    },
    // The server's own random stream: logins must not shift the switch's numbers.
    { pbx, now: () => clock.now(), bootAt: pbx.bootAt, stamp: () => clock.stampUs(serverRng.int(3, 40)) },
    serverRng,
  );
  pbx.onEvent = (e) => server.broadcast(e);
  const port = await server.listen();

  let playFrom: number | null = performance.now();
  let playTo: number | null = null;
  let backlogHolds = 0;
  let done: Promise<void>;
  if (calendar) {
    const cal = calendar;
    // Nights and weekends pass in no real time: with nobody on the phone and the doors shut,
    // the clock jumps to the next thing that happens (an agent logging in, the week's end).
    scheduler.skipIdle = () => pbx.callsInProgress === 0 && !cal.isOpen(clock.now());
    // A client behind on its reading holds the week back, so it misses no event.
    server.onBacklog = (behind) => {
      if (behind) backlogHolds++;
      if (behind) scheduler.hold('backlog');
      else scheduler.release('backlog');
    };
    if (waitForLogin) {
      playFrom = null;
      server.onLogin = () => {
        playFrom ??= performance.now();
        scheduler.release('login');
      };
    }
    const demo = new DemoTraffic(pbx, scheduler, clock, trafficRng, queues, DEFAULT_DEMO, cal);
    scheduler.at(startAt, () => demo.start());
    done = new Promise<void>((resolve) => {
      scheduler.at(cal.end, () => {
        // The week is over: the clock stays at its last instant, the switch stays up for clients.
        scheduler.hold('finished');
        clock.hold(cal.end);
        scheduler.stop();
        playTo = performance.now();
        resolve();
      });
    });
  } else if (options.load) {
    if (waitForLogin) {
      playFrom = null;
      server.onLogin = () => {
        playFrom ??= performance.now();
        scheduler.release('login');
      };
    }
    const traffic = new FixedLoadTraffic(pbx, scheduler, clock, trafficRng, options.load);
    scheduler.at(startAt, () => traffic.start());
    done = traffic.done.then(
      () =>
        new Promise<void>((resolve) => {
          // Played out: the clock stops a moment after the last hang-up, so clients read the
          // last hour of the run as it was (a fast clock would otherwise run past it at once).
          scheduler.after(2_000, () => {
            const end = clock.now();
            scheduler.hold('finished');
            clock.hold(end);
            scheduler.stop();
            playTo = performance.now();
            resolve();
          });
        }),
    );
  } else if (options.scenario) {
    const player = new ScenarioPlayer(pbx, scheduler, clock, options.scenario);
    server.onLogin = () => player.notifyLogin();
    player.start();
    done = player.done;
  } else if (options.scripted) {
    // Nothing plays: the caller's send() is the traffic.
    done = Promise.resolve();
  } else {
    // Started as a task at exactly startAt, so a seed plays the same demo every time.
    const demo = new DemoTraffic(pbx, scheduler, clock, trafficRng, queues, busy ? BUSY_HOUR : DEFAULT_DEMO);
    scheduler.at(startAt, () => demo.start());
    done = new Promise<void>(() => {});
  }

  let closed = false;
  return {
    port,
    seed,
    now: () => clock.publicNow(),
    dropConnections: () => server.dropConnections(),
    hold: () => scheduler.hold('caller'),
    resume: () => scheduler.release('caller'),
    truth: () => pbx.truth.snapshot(),
    done,
    week: calendar ? { week: calendar.week, from: calendar.start, end: calendar.end, expectedCalls: calendar.expectedCalls() } : null,
    counters: () => ({
      eventsSent: server.eventsSent,
      idleSkippedMs: scheduler.skippedMs,
      backlogHolds,
      playedWallMs: playFrom === null ? 0 : (playTo ?? performance.now()) - playFrom,
      logins: server.logins,
      resyncs: server.resyncs,
      listeners: server.listeners,
    }),
    send: (data, encoding) => server.send(data, encoding),
    drained: () => server.drained(),
    loggedIn: server.loggedIn,
    actions: server.actions,
    close: async () => {
      if (closed) return;
      closed = true;
      scheduler.stop();
      await server.close();
    },
  };
}
