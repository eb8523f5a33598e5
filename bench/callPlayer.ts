/**
 * Plays live calls on the fake switch (the simulator in scripted mode, `startSimulator({
 * scripted: true })`): calls made of a real captured call, firehose and all, at a given rate
 * with event times on the wall clock.
 */
import type { Simulator } from '@belofte/simulator';
import type { CallTemplate } from './corpus.ts';
import { onCleanup, rng } from './lib.ts';

export interface PlayerOptions {
  callsPerSec: number;
  queues: string[];
  agents: string[];
  seed?: number;
  /** Called right after the bytes of a QueueCallerJoin were handed to the socket. */
  onJoin?: (seq: number, writtenAt: number) => void;
}

interface Due {
  atUs: number;
  call: number;
  frame: number;
}

/**
 * Plays calls at `callsPerSec` (Poisson arrivals, fixed seed) on the switch: each call is the
 * captured call with its own ids, agent and queue, every frame at its captured offset from
 * the call's start, stamped with the wall-clock time it is written. Frames due together go
 * out in one write, as Asterisk's do.
 */
export class CallPlayer {
  joins = 0;
  calls = 0;
  frames = 0;
  bytes = 0;
  /** Writes that found a socket buffer full (the collector not keeping up). */
  backpressured = 0;
  private heap: Due[] = [];
  private timer: NodeJS.Timeout | null = null;
  private nextCallUs = 0;
  private starting = false;
  private readonly random: () => number;
  private readonly epochUs0 = Date.now() * 1000;
  private readonly perf0 = performance.now();
  private readonly shift: number[] = [];

  constructor(
    private readonly sw: Pick<Simulator, 'send'>,
    private readonly call: CallTemplate,
    private readonly o: PlayerOptions,
  ) {
    this.random = rng(o.seed ?? 42);
    onCleanup(() => this.stop());
  }

  private nowUs(): number {
    return this.epochUs0 + (performance.now() - this.perf0) * 1000;
  }

  start(): void {
    this.starting = true;
    this.nextCallUs = this.nowUs();
    const tick = () => {
      this.tick();
      if (this.timer) this.timer = setTimeout(tick, 1);
    };
    this.timer = setTimeout(tick, 1);
  }

  /** No new calls; calls in progress play on. */
  stopStarting(): void {
    this.starting = false;
  }

  stop(): void {
    this.starting = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get inProgress(): number {
    return this.heap.length;
  }

  private tick(): void {
    const now = this.nowUs();
    while (this.starting && this.nextCallUs <= now) {
      const i = this.calls++;
      this.shift[i] = this.nextCallUs - this.call.frames[0]!.template.atUs;
      this.push({ atUs: this.nextCallUs, call: i, frame: 0 });
      // Exponential gaps: calls arrive at random, at the given rate on average.
      this.nextCallUs += (-Math.log(1 - this.random()) / this.o.callsPerSec) * 1e6;
    }
    let out = '';
    let joins = 0;
    while (this.heap.length && this.heap[0]!.atUs <= now) {
      const d = this.pop();
      const f = this.call.frames[d.frame]!;
      const agent = this.o.agents[d.call % this.o.agents.length]!;
      const queue = this.o.queues[d.call % this.o.queues.length]!;
      out += f.template.render(
        { shiftUs: this.shift[d.call]!, idOffset: d.call * 1000, channelOffset: d.call * 0x100, agent: () => agent, queue: () => queue },
        d.atUs,
      );
      this.frames++;
      if (f.isJoin) joins++;
      const next = d.frame + 1;
      if (next < this.call.frames.length) this.push({ atUs: this.shift[d.call]! + this.call.frames[next]!.template.atUs, call: d.call, frame: next });
      else delete this.shift[d.call];
    }
    if (!out) return;
    this.bytes += out.length;
    if (!this.sw.send(out, 'latin1')) this.backpressured++;
    const writtenAt = performance.now();
    for (let j = 0; j < joins; j++) this.o.onJoin?.(++this.joins, writtenAt);
  }

  private push(d: Due): void {
    const h = this.heap;
    h.push(d);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.atUs <= d.atUs) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = d;
  }

  private pop(): Due {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let v = last;
        if (l < h.length && h[l]!.atUs < v.atUs) {
          m = l;
          v = h[l]!;
        }
        if (r < h.length && h[r]!.atUs < v.atUs) m = r;
        if (m === i) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
