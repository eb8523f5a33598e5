/**
 * Reading a recorded AMI byte stream (a capture: banner, login response, events, as the
 * switch sent them) through the same frame reader and normaliser as the live connection.
 */
import { FrameParser, type Fields } from './frameParser.ts';
import { MalformedEvent, WANTED_EVENTS, normalise } from './normalise.ts';
import type { AmiEvent } from '../domain/events.ts';

export interface CaptureStats {
  frames: number;
  skipped: number;
  malformed: number;
  banner: string | null;
}

export class NotACapture extends Error {}

/** Splits a capture into domain events; throws NotACapture when the bytes are not AMI. */
export function parseCapture(bytes: Buffer | string, onEvent?: (ev: AmiEvent, fields: Fields) => void): { events: AmiEvent[]; stats: CaptureStats } {
  const events: AmiEvent[] = [];
  const stats: CaptureStats = { frames: 0, skipped: 0, malformed: 0, banner: null };
  const parser = new FrameParser(
    {
      banner: (line) => {
        stats.banner = line;
      },
      frame: (fields) => {
        stats.frames++;
        try {
          // No receipt times in a capture: each time is checked against the previous event's.
          const ev = normalise(fields, events.at(-1)?.at ?? 0);
          if (ev) {
            events.push(ev);
            onEvent?.(ev, fields);
          }
        } catch (e) {
          if (e instanceof MalformedEvent) stats.malformed++;
          else throw e;
        }
      },
      skipped: () => {
        stats.skipped++;
      },
      malformed: () => {
        stats.malformed++;
      },
    },
    { wants: (name) => WANTED_EVENTS.has(name) },
  );
  parser.push(bytes);
  if (stats.banner === null && stats.frames + stats.skipped === 0) {
    throw new NotACapture('not an AMI capture: no "Asterisk Call Manager" banner and no AMI frames found');
  }
  return { events, stats };
}
