/**
 * A queue played at a fixed load: the textbook queue of staffing maths (Poisson arrivals,
 * exponential conversations, exponential patience, a fixed number of agents who are always
 * there), so the staffing advice can be checked against what such a queue really does on the
 * switch — with its ring times, once-a-second turn checks and whole-second HoldTime.
 */
import type { Scheduler, SimClock } from './clock.ts';
import type { CallPlan } from './model.ts';
import type { Rng } from './rng.ts';
import type { Switch } from './switch.ts';

export interface FixedLoad {
  /** Queue name (default 'support'). */
  queue?: string;
  /** Calls offered per hour (a Poisson process). */
  arrivalsPerHour: number;
  /** Mean handle time in seconds: conversation (exponential) plus `wrapupSeconds`. */
  handleSeconds: number;
  /** Fixed wrap-up after each call, part of the handle time (default 0). */
  wrapupSeconds?: number;
  /** Mean patience of a waiting caller (exponential); null: nobody hangs up while waiting. */
  patienceSeconds: number | null;
  /** Agents logged in to the queue all the time (agent1 … agentN). */
  agents: number;
  /** Simulated hours during which callers arrive; the last callers are then played to the end. */
  hours: number;
  /** Keep the clock at the start until the first client logs in (default false), so it misses no caller. */
  startOnLogin?: boolean;
}

/** The queue and its members for a fixed load. */
export function fixedLoadQueues(load: FixedLoad): Record<string, string[]> {
  if (!Number.isInteger(load.agents) || load.agents < 1) throw new Error(`a fixed load needs a whole number of agents ≥ 1, got ${load.agents}`);
  if (!(load.arrivalsPerHour > 0)) throw new Error(`arrivalsPerHour must be > 0, got ${load.arrivalsPerHour}`);
  const wrapup = load.wrapupSeconds ?? 0;
  if (!(load.handleSeconds > wrapup)) throw new Error(`handleSeconds (${load.handleSeconds}) must be longer than the wrap-up (${wrapup})`);
  if (load.patienceSeconds !== null && !(load.patienceSeconds > 0)) throw new Error(`patienceSeconds must be > 0 or null, got ${load.patienceSeconds}`);
  if (!(load.hours > 0)) throw new Error(`hours must be > 0, got ${load.hours}`);
  return { [load.queue ?? 'support']: Array.from({ length: load.agents }, (_, i) => `agent${i + 1}`) };
}

export class FixedLoadTraffic {
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private open = 0;
  private arriving = true;
  private index = 0;

  constructor(
    private readonly pbx: Switch,
    private readonly scheduler: Scheduler,
    private readonly clock: SimClock,
    private readonly rng: Rng,
    private readonly load: FixedLoad,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    const end = this.clock.now() + this.load.hours * 3_600_000;
    const meanGapMs = 3_600_000 / this.load.arrivalsPerHour;
    const next = () => {
      const at = this.clock.now() + this.rng.exp(meanGapMs);
      if (at >= end) {
        this.arriving = false;
        if (this.open === 0) this.resolveDone();
        return;
      }
      this.scheduler.at(at, () => {
        this.placeCall();
        next();
      });
    };
    next();
  }

  private placeCall(): void {
    const r = this.rng;
    const talk = r.exp(this.load.handleSeconds - (this.load.wrapupSeconds ?? 0));
    const patience = this.load.patienceSeconds === null ? undefined : r.exp(this.load.patienceSeconds);
    const i = this.index++;
    const plan: CallPlan = {
      queue: this.load.queue ?? 'support',
      callerNum: `06${20000000 + i}`,
      callerName: `Caller ${i}`,
      // Agents who sit ready answer at once: the wait is the queue's, not the ring's.
      ringFor: () => 0,
      talkFor: () => talk,
      endBy: () => 'agent',
      ...(patience !== undefined ? { queuePatience: () => patience } : {}),
      timeoutFor: () => undefined,
      transfers: [],
    };
    this.open++;
    this.pbx.placeCall(plan, () => {
      if (--this.open === 0 && !this.arriving) this.resolveDone();
    });
  }
}
