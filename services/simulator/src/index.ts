/**
 * Belofte's built-in AMI simulator: a TCP server that speaks the Asterisk Manager Interface
 * like Asterisk 22 and plays queue traffic (endless demo traffic, or a scripted scenario),
 * recording what it played so tests can compare Belofte's figures with the truth.
 */
import { Scheduler, SimClock } from './clock.ts';
import { Rng } from './rng.ts';
import { AmiServer } from './server.ts';
import { Switch } from './switch.ts';
import { DemoTraffic, ScenarioPlayer, validateScenario, type Scenario } from './traffic.ts';
import type { TruthCall, TruthQueue } from './truth.ts';

export type { Scenario, ScenarioAction, ScenarioCall, ScenarioTransfer } from './traffic.ts';
export type { TruthCall, TruthQueue } from './truth.ts';

export interface SimulatorOptions {
  port?: number; // 0 = pick a free port (default 5038)
  host?: string; // default '127.0.0.1'
  username?: string; // default 'belofte'
  secret?: string; // default 'belofte'
  speed?: number; // default 1
  seed?: number; // default 1
  startAt?: number; // epoch ms of the simulated clock at start; default Date.now()
  scenario?: Scenario; // default: the endless demo traffic
  queues?: Record<string, string[]>; // queue -> member names; default demo queues
}

export interface Simulator {
  port: number;
  /** Simulated clock now (epoch ms). */
  now(): number;
  /** Cut every client socket (like a network failure); the switch keeps running and accepts new logins. */
  dropConnections(): void;
  /** Calls played so far, in truth.json format. */
  truth(): { calls: TruthCall[]; queues: Record<string, TruthQueue> };
  /** Resolves when a finite scenario has played completely. */
  done: Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_QUEUES: Record<string, string[]> = {
  support: ['agent1', 'agent2', 'agent3'],
  vergunningen: ['agent4', 'agent5'],
};

/** Seconds Asterisk had been up when the simulation starts (FullyBooted Uptime, LoginTime). */
const UPTIME_AT_START = 4;

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const startAt = options.startAt ?? Date.now();
  const speed = options.speed ?? 1;
  const queues = options.queues ?? DEFAULT_QUEUES;
  if (Object.keys(queues).length === 0) throw new Error('at least one queue is needed');
  if (options.scenario) validateScenario(options.scenario, queues);

  const rng = new Rng(options.seed ?? 1);
  const switchRng = rng.fork();
  const jitterRng = rng.fork();
  const trafficRng = rng.fork();
  const serverRng = rng.fork();

  const clock = new SimClock(startAt, speed);
  const scheduler = new Scheduler(clock);
  const pbx = new Switch(
    {
      queues,
      ringTimeout: 15,
      retry: 5,
      serviceLevel: 20,
      // The captures' switch has no wrap-up; the demo gives agents 10 s after each call.
      wrapup: options.scenario ? (options.scenario.wrapupSeconds ?? 0) : 10,
      bootAt: startAt - UPTIME_AT_START * 1000,
    },
    clock,
    scheduler,
    switchRng,
    jitterRng,
  );

  const server = new AmiServer(
    { host: options.host ?? '127.0.0.1', port: options.port ?? 5038, username: options.username ?? 'belofte', secret: options.secret ?? 'belofte' },
    // The server's own random stream: logins must not shift the switch's numbers.
    { pbx, now: () => clock.now(), bootAt: pbx.bootAt, stamp: () => clock.stampUs(serverRng.int(3, 40)) },
    serverRng,
  );
  pbx.onEvent = (e) => server.broadcast(e);
  const port = await server.listen();

  let done: Promise<void>;
  if (options.scenario) {
    const player = new ScenarioPlayer(pbx, scheduler, clock, options.scenario);
    server.onLogin = () => player.notifyLogin();
    player.start();
    done = player.done;
  } else {
    // Started as a task at exactly startAt, so a seed plays the same demo every time.
    const demo = new DemoTraffic(pbx, scheduler, clock, trafficRng, queues);
    scheduler.at(startAt, () => demo.start());
    done = new Promise<void>(() => {});
  }

  let closed = false;
  return {
    port,
    now: () => clock.publicNow(),
    dropConnections: () => server.dropConnections(),
    truth: () => pbx.truth.snapshot(),
    done,
    close: async () => {
      if (closed) return;
      closed = true;
      scheduler.stop();
      await server.close();
    },
  };
}
