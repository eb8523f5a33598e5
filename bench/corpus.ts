/**
 * Load made from the real captures in test/fixtures/ami: the bytes as Asterisk sent them, and
 * copies of their calls with fresh ids for loads larger than three short recordings.
 *
 * A copy changes only what must differ between two real calls: the `Timestamp` (shifted),
 * every `...Uniqueid` / `...Linkedid` (a new channel counter), the Local channel counters
 * (`-0000000a;1`), and optionally the agent and queue names. Every other byte of every frame,
 * the firehose included, is the capture's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const AMI_DIR = process.env.BELOFTE_AMI_DIR ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '../test/fixtures/ami');
export const CAPTURES = ['quiet-morning', 'transfer-chain', 'warm-transfers'] as const;
export const BANNER = 'Asterisk Call Manager/11.0.0\r\n';

export function captureBytes(name: string): Buffer {
  return readFileSync(path.join(AMI_DIR, `${name}.ami`));
}

/** The capture without its banner line (so captures can follow each other on one stream). */
export function withoutBanner(bytes: Buffer): Buffer {
  const eol = bytes.indexOf('\n');
  return bytes.subarray(0, 21).toString('latin1') === 'Asterisk Call Manager' ? bytes.subarray(eol + 1) : bytes;
}

/** Event frames (first line `Event:`) in AMI text: what both parsers must deliver. */
export function countEvents(text: string): number {
  let n = text.startsWith('Event: ') ? 1 : 0;
  let i = 0;
  for (;;) {
    i = text.indexOf('\n\r\nEvent: ', i);
    if (i < 0) return n;
    n++;
    i += 9;
  }
}

/** The three captures, banner once, repeated whole until at least `minBytes`. */
export function repeatedCorpus(minBytes: number): { text: string; bytes: Buffer; events: number; copies: number } {
  const one = Buffer.concat(CAPTURES.map((c) => withoutBanner(captureBytes(c))));
  const copies = Math.max(1, Math.ceil(minBytes / one.length));
  const bytes = Buffer.concat([Buffer.from(BANNER, 'latin1'), ...Array.from({ length: copies }, () => one)]);
  const text = bytes.toString('latin1');
  return { text, bytes, events: countEvents(text), copies };
}

/** Chunks of at most `size` bytes, cut anywhere (as TCP does). */
export function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** `NAME.ami.frames.tsv`: each frame as its own chunk, as the switch wrote them. */
export function frameSplit(name: string): Buffer[] {
  const bytes = captureBytes(name);
  const tsv = readFileSync(path.join(AMI_DIR, `${name}.ami.frames.tsv`), 'utf8').trim().split('\n').slice(1);
  return tsv.map((row) => {
    const [offset, length] = row.split('\t');
    return bytes.subarray(Number(offset), Number(offset) + Number(length));
  });
}

// ------------------------------------------------------------------ templates

/** How one copy differs from the capture. */
export interface CopyRename {
  /** Added to every Timestamp (µs). */
  shiftUs: number;
  /** Added to the counter part of every Uniqueid/Linkedid (`1795481037.<n>`). */
  idOffset: number;
  /** Added to every Local channel counter (`-0000000a;`). */
  channelOffset: number;
  /** `agent1` → name for this copy (default: unchanged). */
  agent?: (n: string) => string;
  /** `support` / `vergunningen` → name for this copy (default: unchanged). */
  queue?: (q: string) => string;
}

type Part = string | { kind: 'ts'; us: number } | { kind: 'id'; sec: number; n: number } | { kind: 'text'; value: string };

const NAMES = /-([0-9a-f]{8});|agent(\d+)|\b(support|vergunningen)\b/g;
const ID_KEY = /(uniqueid|linkedid)$/i;

/** One captured frame, compiled so that a renamed copy is a cheap string join. */
export class FrameTemplate {
  readonly parts: Part[] = [];

  constructor(
    readonly event: string,
    /** Capture time (µs since epoch). */
    readonly atUs: number,
    text: string,
  ) {
    let literal = '';
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(': ');
      const key = colon > 0 ? line.slice(0, colon) : '';
      const value = colon > 0 ? line.slice(colon + 2) : '';
      const idMatch = /^(\d+)\.(\d+)$/.exec(value);
      if (key === 'Timestamp' && /^\d+\.\d{6}$/.test(value)) {
        this.parts.push(literal + 'Timestamp: ', { kind: 'ts', us: parseMicros(value) });
        literal = '\r\n';
      } else if (ID_KEY.test(key) && idMatch) {
        this.parts.push(literal + key + ': ', { kind: 'id', sec: Number(idMatch[1]), n: Number(idMatch[2]) });
        literal = '\r\n';
      } else if (colon > 0 && (NAMES.lastIndex = 0, NAMES.test(value))) {
        this.parts.push(literal + key + ': ', { kind: 'text', value });
        literal = '\r\n';
      } else {
        literal += line + '\r\n';
      }
    }
    // A frame ends with its blank line.
    this.parts.push(literal + '\r\n');
  }

  render(r: CopyRename, tsUs?: number): string {
    let out = '';
    for (const p of this.parts) {
      if (typeof p === 'string') out += p;
      else if (p.kind === 'ts') out += formatMicros(tsUs ?? p.us + r.shiftUs);
      else if (p.kind === 'id') out += `${p.sec + Math.floor(r.shiftUs / 1e6)}.${p.n + r.idOffset}`;
      else out += p.value.replace(NAMES, (_m, hex?: string, agent?: string, queue?: string) => {
        if (hex !== undefined) return `-${(parseInt(hex, 16) + r.channelOffset).toString(16).padStart(8, '0')};`;
        if (agent !== undefined) return r.agent ? r.agent(agent) : `agent${agent}`;
        return r.queue ? r.queue(queue!) : queue!;
      });
    }
    return out;
  }
}

export function parseMicros(ts: string): number {
  const [s, f] = ts.split('.');
  return Number(s) * 1e6 + Number((f ?? '').padEnd(6, '0').slice(0, 6));
}

export function formatMicros(us: number): string {
  const whole = Math.floor(us / 1e6);
  return `${whole}.${String(Math.round(us - whole * 1e6)).padStart(6, '0')}`;
}

/** The timestamped event frames of a capture (banner, login answer and FullyBooted left out). */
export function captureTemplates(name: string): FrameTemplate[] {
  const text = withoutBanner(captureBytes(name)).toString('latin1');
  const out: FrameTemplate[] = [];
  for (const frame of text.split('\r\n\r\n')) {
    const ev = /^Event: (\S+)/.exec(frame);
    const ts = /\r\nTimestamp: (\d+\.\d+)/.exec(frame);
    if (!ev || !ts) continue;
    out.push(new FrameTemplate(ev[1]!, parseMicros(ts[1]!), frame));
  }
  return out;
}

/** Customer calls in a capture: distinct Linkedids of its QueueCallerJoin events. */
export function callsIn(templates: FrameTemplate[]): number {
  const linked = new Set<string>();
  for (const t of templates) {
    if (t.event !== 'QueueCallerJoin') continue;
    t.parts.forEach((p, i) => {
      const before = t.parts[i - 1];
      if (typeof p !== 'string' && p.kind === 'id' && typeof before === 'string' && before.endsWith('Linkedid: ')) linked.add(`${p.sec}.${p.n}`);
    });
  }
  return linked.size;
}

export interface Copy {
  templates: FrameTemplate[];
  rename: CopyRename;
}

/**
 * Frames of many copies interleaved by event time, each copy keeping its own order (Asterisk
 * writes some frames of one call out of timestamp order; a copy must too).
 */
export function* interleave(copies: Copy[]): Generator<{ text: string; event: string; atUs: number }> {
  const cursor = copies.map(() => 0);
  const at = (c: number) => copies[c]!.templates[cursor[c]!]!.atUs + copies[c]!.rename.shiftUs;
  // A binary heap of copy indices by the time of their next frame.
  const heap: number[] = [];
  const less = (a: number, b: number) => at(heap[a]!) < at(heap[b]!) || (at(heap[a]!) === at(heap[b]!) && heap[a]! < heap[b]!);
  const swap = (a: number, b: number) => ([heap[a], heap[b]] = [heap[b]!, heap[a]!]);
  const up = (i: number) => {
    while (i > 0 && less(i, (i - 1) >> 1)) swap(i, (i - 1) >> 1), (i = (i - 1) >> 1);
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(l, m)) m = l;
      if (r < heap.length && less(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  copies.forEach((c, i) => {
    if (c.templates.length) {
      heap.push(i);
      up(heap.length - 1);
    }
  });
  while (heap.length) {
    const c = heap[0]!;
    const copy = copies[c]!;
    const t = copy.templates[cursor[c]!]!;
    yield { text: t.render(copy.rename), event: t.event, atUs: t.atUs + copy.rename.shiftUs };
    cursor[c]!++;
    if (cursor[c]! >= copy.templates.length) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length) down(0);
  }
}

// ------------------------------------------------------------------ one call, for live play

export interface CallTemplate {
  /** Frames with their offset from the call's first frame (µs). */
  frames: Array<{ offsetUs: number; template: FrameTemplate; isJoin: boolean }>;
  agent: string;
  queue: string;
  durationUs: number;
}

/**
 * One ordinary answered call of `quiet-morning` (join → ring → answer → talk → complete →
 * hangup) with all its firehose: every frame carrying its Linkedid, plus the device and
 * member status frames of its queue and agent while it lasts.
 */
export function answeredCallTemplate(): CallTemplate {
  const all = captureTemplates('quiet-morning');
  const text = (t: FrameTemplate) => t.parts.map((p) => (typeof p === 'string' ? p : p.kind === 'text' ? p.value : p.kind === 'id' ? `${p.sec}.${p.n}` : '')).join('');
  const join = all.find((t) => t.event === 'QueueCallerJoin')!;
  const linked = /Linkedid: (\S+)\r\n/.exec(text(join))![1]!;
  const queue = /Queue: (\S+)\r\n/.exec(text(join))![1]!;
  const own = all.filter((t) => text(t).includes(`Linkedid: ${linked}\r\n`));
  const connect = own.find((t) => t.event === 'AgentConnect')!;
  const agent = /MemberName: (\S+)\r\n/.exec(text(connect))![1]!;
  const first = own[0]!.atUs;
  const last = own.at(-1)!.atUs;
  const related = all.filter(
    (t) =>
      t.atUs >= first &&
      t.atUs <= last &&
      (t.event === 'DeviceStateChange' || t.event === 'QueueMemberStatus') &&
      (text(t).includes(`${agent}\r\n`) || text(t).includes(`${agent}@`) || text(t).includes(`:${queue}\r\n`) || text(t).includes(`/${queue}@`)),
  );
  const frames = [...own, ...related]
    .sort((a, b) => a.atUs - b.atUs)
    .map((t) => ({ offsetUs: t.atUs - first, template: t, isJoin: t.event === 'QueueCallerJoin' }));
  return { frames, agent, queue, durationUs: last - first };
}
