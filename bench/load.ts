/**
 * A busy switch made of the real captures: many copies of the three recordings (21 customer
 * calls each), fresh ids per copy, overlapping in time, agents and queues spread so the
 * load looks like one larger contact centre rather than the same four agents taking
 * hundreds of calls at once.
 */
import { BANNER, CAPTURES, captureTemplates, callsIn, countEvents, interleave, type Copy, type FrameTemplate } from './corpus.ts';

export interface BusyLoad {
  text: string;
  bytes: Buffer;
  events: number;
  calls: number;
  copies: number;
}

export interface BusyLoadOptions {
  copies: number;
  /** Event time of the first copy (µs since epoch). */
  startUs: number;
  /** How far apart the copies start (µs): smaller = more calls at the same time. */
  spacingUs: number;
  /** Agent groups (4 agents each) and queue groups (2 queues each) the copies are spread over. */
  agentGroups: number;
  queueGroups: number;
}

let cached: FrameTemplate[][] | null = null;
export function templates(): FrameTemplate[][] {
  cached ??= CAPTURES.map((c) => captureTemplates(c));
  return cached;
}

/** Where each capture starts within one copy (µs): after each other, with a gap. */
function captureOffsets(t: FrameTemplate[][]): number[] {
  const out: number[] = [];
  let at = 0;
  for (const frames of t) {
    out.push(at);
    at += frames.at(-1)!.atUs - frames[0]!.atUs + 5e6;
  }
  return out;
}

/** The copies of one load, ready for `interleave`. */
export function busyCopies(o: BusyLoadOptions, firstCopy = 0): Copy[] {
  const t = templates();
  const offsets = captureOffsets(t);
  const copies: Copy[] = [];
  for (let k = firstCopy; k < firstCopy + o.copies; k++) {
    t.forEach((frames, c) => {
      // A distinct id and channel range per capture of each copy: never two calls alike.
      const serial = k * t.length + c;
      copies.push({
        templates: frames,
        rename: {
          shiftUs: o.startUs + (k - firstCopy) * o.spacingUs + offsets[c]! - frames[0]!.atUs,
          idOffset: serial * 1_000_000,
          channelOffset: serial * 0x1000,
          agent: (n) => `g${k % o.agentGroups}agent${n}`,
          queue: (q) => `${q}${k % o.queueGroups}`,
        },
      });
    });
  }
  return copies;
}

export function callsPerCopy(): number {
  return templates().reduce((n, frames) => n + callsIn(frames), 0);
}

/** The whole load as one byte stream, banner first. */
export function busyLoad(o: BusyLoadOptions): BusyLoad {
  const parts: string[] = [BANNER];
  for (const f of interleave(busyCopies(o))) parts.push(f.text);
  const text = parts.join('');
  return { text, bytes: Buffer.from(text, 'latin1'), events: countEvents(text), calls: callsPerCopy() * o.copies, copies: o.copies };
}
