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
  private readonly wall0 = performance.now();
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
    this.highMs = startAt;
    this.lastUs = startAt * 1000;
  }

  /** Simulated time derived from the wall clock (ms, fractional). */
  wallNow(): number {
    return this.startAt + (performance.now() - this.wall0) * this.speed;
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

/** A binary heap of tasks ordered by (time, seq), fired by one Node timer at a time. */
export class Scheduler {
  private readonly heap: Task[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private armedFor = Infinity;
  private stopped = false;
  private running = false;
  /** Called with errors thrown by tasks (the switch keeps running). */
  onError: (err: unknown) => void = (err) => console.error('[simulator] task failed:', err);

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

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.armedFor = Infinity;
    if (this.stopped) return;
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    const head = this.heap[0];
    if (!head) return;
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
      while (!this.stopped && ran < 2000) {
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
