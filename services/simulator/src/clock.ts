/**
 * The simulated clock and the scheduler that drives the switch.
 *
 * The simulated clock runs `speed` times faster than the wall clock from `startAt`. Every
 * piece of switch behaviour is a task on the scheduler at a simulated time; while a task runs
 * the switch sees exactly that time, so event timestamps, Uniqueids and the truth do not depend
 * on how late Node's timers fire: a seed plays the same run at any speed.
 */
export class SimClock {
  readonly startAt: number;
  readonly speed: number;
  /** performance.now() and simulated time (ms) at the last rebase (start, resume, jump). */
  private wall0 = performance.now();
  private sim0: number;
  /** While held, the simulated clock stands still at sim0. */
  private held = false;
  /** Simulated time of the task being run (ms), or null outside tasks. */
  private taskMs: number | null = null;
  /** Highest simulated time handed out so far (ms): the clock never runs backwards. */
  private highMs: number;
  /** Microsecond timestamp of the last event stamped. */
  private lastUs: number;

  constructor(startAt: number, speed: number) {
    if (!(speed > 0)) throw new Error(`speed must be > 0, got ${speed}`);
    this.startAt = startAt;
    this.speed = speed;
    this.sim0 = startAt;
    this.highMs = startAt;
    this.lastUs = startAt * 1000;
  }

  /** Simulated time derived from the wall clock (ms, fractional). */
  wallNow(): number {
    if (this.held) return this.sim0;
    return this.sim0 + (performance.now() - this.wall0) * this.speed;
  }

  /**
   * Stops the simulated clock where it stands, or at `atMs` (the end of a played week: a task
   * may run a little after its time on the wall-derived clock); resume() starts it from there.
   */
  hold(atMs?: number): void {
    if (this.held && atMs === undefined) return;
    this.sim0 = atMs ?? this.wallNow();
    this.held = true;
  }

  resume(): void {
    if (!this.held) return;
    this.held = false;
    this.wall0 = performance.now();
  }

  /**
   * Jumps the clock forward to `ms` at once: a stretch in which nothing is scheduled (a night,
   * a weekend) passes in no real time. Never backwards; a held clock stays held there.
   */
  advanceTo(ms: number): void {
    if (ms <= this.wallNow()) return;
    this.sim0 = ms;
    this.wall0 = performance.now();
  }

  /**
   * The wall-derived clock restarts from `ms`, also when that is earlier: a simulation that
   * cannot keep up with its speed pins its clock to the work it has done. now() still never
   * runs backwards for anyone who already saw a later time.
   */
  rebase(ms: number): void {
    this.sim0 = ms;
    this.wall0 = performance.now();
  }

  /** The switch's notion of now (ms): the running task's time, else the wall-derived time. */
  now(): number {
    if (this.taskMs !== null) return this.taskMs;
    const t = Math.max(this.wallNow(), this.highMs);
    this.highMs = t;
    return t;
  }

  /** For the API: never earlier than an event already sent. */
  publicNow(): number {
    return Math.max(this.now(), this.lastUs / 1000);
  }

  /**
   * Microsecond timestamp for the next event. Asterisk stamps a burst of events triggered by one
   * cause a few microseconds apart; `gapUs` is that spacing. Strictly increasing.
   */
  stampUs(gapUs: number): number {
    const base = Math.floor(this.now() * 1000);
    this.lastUs = Math.max(this.lastUs + Math.max(1, Math.round(gapUs)), base);
    return this.lastUs;
  }

  /** Time of the last stamped event (ms). */
  lastStampMs(): number {
    return this.lastUs / 1000;
  }

  /**
   * A task runs at exactly its own time, even when a client's action meanwhile saw a later
   * wall-derived time: that keeps a seeded run identical whatever the clients do or however
   * late the timers fire. (Event timestamps stay increasing through stampUs.)
   */
  enter(taskMs: number): void {
    this.taskMs = taskMs;
    if (taskMs > this.highMs) this.highMs = taskMs;
  }

  leave(): void {
    this.taskMs = null;
  }
}

export interface Task {
  readonly time: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A binary heap of tasks ordered by (time, seq), fired by one Node timer at a time.
 *
 * Two additions for playing a whole week fast: `skipIdle` (when it says nothing is going on,
 * the clock jumps straight to the next task instead of waiting out a night at any speed) and
 * `hold(reason)` / `release(reason)` (the clock and the tasks stand still while any reason
 * holds: no client logged in yet, a client behind on its reading).
 */
export class Scheduler {
  private readonly heap: Task[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private stopped = false;
  private running = false;
  private readonly holds = new Set<string>();
  /** Called with errors thrown by tasks (the switch keeps running). */
  onError: (err: unknown) => void = (err) => console.error('[simulator] task failed:', err);
  /**
   * Asked before waiting for the next task: true means nothing happens until then (no call in
   * progress, the contact centre closed), so the clock may jump to it.
   */
  skipIdle: (() => boolean) | null = null;
  /** Simulated milliseconds skipped by idle jumps so far. */
  skippedMs = 0;

  constructor(private readonly clock: SimClock) {}

  /** Run fn at simulated time `timeMs` (ms since epoch). */
  at(timeMs: number, fn: () => void): Task {
    const task: Task = { time: timeMs, seq: this.seq++, fn, cancelled: false };
    if (this.stopped) {
      task.cancelled = true;
      return task;
    }
    this.push(task);
    if (!this.running && timeMs < this.armedFor) this.arm();
    return task;
  }

  /** Run fn `delayMs` simulated milliseconds from now. */
  after(delayMs: number, fn: () => void): Task {
    return this.at(this.clock.now() + Math.max(0, delayMs), fn);
  }

  cancel(task: Task | null | undefined): void {
    if (task) task.cancelled = true;
  }

  /** Clears every pending task and the timer: nothing runs after this. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heap.length = 0;
  }

  get pending(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** Stops the clock and the tasks until every reason is released. */
  hold(reason: string): void {
    if (this.holds.has(reason)) return;
    this.holds.add(reason);
    // Where the work stands: the next task's time when the simulation is behind its clock.
    if (this.holds.size === 1) this.clock.hold(Math.min(this.clock.wallNow(), this.nextTime()));
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
  }

  release(reason: string): void {
    if (!this.holds.delete(reason) || this.holds.size > 0) return;
    this.clock.resume();
    if (!this.running) this.arm();
  }

  /** Time of the next task that will run, or Infinity. */
  private nextTime(): number {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.time ?? Infinity;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    if (this.stopped || this.holds.size > 0) return;
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const head = this.heap[0];
    if (!head) return;
    if (this.skipIdle && head.time > this.clock.wallNow() && this.skipIdle()) {
      this.skippedMs += head.time - this.clock.wallNow();
      this.clock.advanceTo(head.time);
    }
    const wallDelay = Math.max(0, (head.time - this.clock.wallNow()) / this.clock.speed);
    this.armedFor = head.time;
    this.timer = setTimeout(() => this.run(), Math.min(wallDelay, 2 ** 31 - 1));
  }

  private run(): void {
    this.timer = null;
    this.armedFor = Infinity;
    this.running = true;
    const until = this.clock.wallNow();
    let ran = 0;
    try {
      // A bounded batch, so sockets get serviced even when the simulation is far behind.
      while (!this.stopped && this.holds.size === 0 && ran < 2000) {
        const head = this.heap[0];
        if (!head || head.time > until) break;
        this.pop();
        if (head.cancelled) continue;
        ran++;
        this.clock.enter(head.time);
        try {
          head.fn();
        } catch (err) {
          this.onError(err);
        } finally {
          this.clock.leave();
        }
      }
      // Still behind after a full batch: the machine cannot keep up with this speed. The clock
      // waits for the work (clients asking the time get the time of the events they are sent).
      if (ran >= 2000 && this.holds.size === 0 && this.nextTime() < this.clock.wallNow()) this.clock.rebase(this.nextTime());
    } finally {
      this.running = false;
    }
    this.arm();
  }

  private push(task: Task): void {
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Task | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
