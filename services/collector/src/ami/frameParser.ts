/**
 * A lean AMI frame reader: bytes in, one callback per complete frame out.
 *
 * AMI is line based: `Key: Value\r\n` lines, a blank line ends a frame. Asterisk writes
 * frames in pieces and TCP splits them anywhere, so a frame is only complete once its
 * blank line has arrived. The connection starts with a one-line banner
 * (`Asterisk Call Manager/x.y.z`) that has no blank line after it.
 *
 * Why not asterisk-manager's reader: it re-joins and re-splits its whole buffer on every
 * chunk and builds an object for every frame. Most of a `read = all` firehose (VarSet,
 * Newexten, DeviceStateChange, ...) is of no interest to Belofte, so this reader looks at
 * the first line and skips uninteresting frames without building anything (bench/).
 */

/** A frame's fields with lower-case keys; the first of repeated keys wins. */
export type Fields = Record<string, string>;

export interface FrameSink {
  /** A complete frame that `wants` accepted (or every frame when there is no filter). */
  frame(fields: Fields): void;
  /** A frame that did not look like AMI; the reader skips it and goes on. */
  malformed(text: string, reason: string): void;
  /** The banner line, once per connection. */
  banner?(line: string): void;
  /** An event frame skipped by the filter (for the per-type counters). */
  skipped?(eventName: string): void;
}

export interface FrameParserOptions {
  /** Which events to parse fully; others are only counted. Responses are always parsed. */
  wants?: (eventName: string) => boolean;
  /** Frames larger than this are dropped as malformed (protects memory against garbage). */
  maxFrameBytes?: number;
}

const MAX_FRAME = 256 * 1024;

export class FrameParser {
  private buffer = '';
  private sawBanner = false;
  private readonly wants?: (eventName: string) => boolean;
  private readonly maxFrame: number;

  constructor(
    private readonly sink: FrameSink,
    options: FrameParserOptions = {},
  ) {
    this.wants = options.wants;
    this.maxFrame = options.maxFrameBytes ?? MAX_FRAME;
  }

  /** Resets for a new connection: a new banner comes, half a frame from before is dropped. */
  reset(): void {
    this.buffer = '';
    this.sawBanner = false;
  }

  push(chunk: Buffer | string): void {
    // latin1 keeps byte offsets 1:1 and never throws; values are re-read as UTF-8 below only
    // where it matters (caller names).
    let data = this.buffer + (typeof chunk === 'string' ? chunk : chunk.toString('latin1'));
    let start = 0;
    if (!this.sawBanner) {
      const eol = data.indexOf('\n');
      if (eol < 0) {
        this.buffer = data;
        return;
      }
      const line = data.slice(0, eol).replace(/\r$/, '');
      if (line.startsWith('Asterisk Call Manager')) {
        this.sink.banner?.(line);
        start = eol + 1;
      }
      this.sawBanner = true;
    }
    // Bare-LF framing is rare; find it once per chunk, not once per frame (a CRLF stream has
    // none, and searching for it from every frame to the end of a 64 KiB read made reading
    // quadratic in the read size).
    let lf = data.indexOf('\n\n', start);
    for (;;) {
      if (lf >= 0 && lf < start) lf = data.indexOf('\n\n', start);
      const crlf = data.indexOf('\r\n\r\n', start);
      const end = crlf < 0 ? lf : lf < 0 ? crlf : Math.min(crlf, lf);
      if (end < 0) break;
      const text = data.slice(start, end);
      start = end + frameEndLength(data, end);
      if (text.length === 0 || isBlank(text)) continue;
      this.parseFrame(text);
    }
    data = data.slice(start);
    if (data.length > this.maxFrame) {
      this.sink.malformed(data.slice(0, 200), `frame larger than ${this.maxFrame} bytes without an end`);
      data = '';
    }
    this.buffer = data;
  }

  private parseFrame(text: string): void {
    // Fast path: `Event: Name` is the first line of every event Asterisk sends.
    if (text.charCodeAt(0) === 69 /* E */ && text.startsWith('Event: ')) {
      let eol = text.indexOf('\n');
      if (eol < 0) eol = text.length;
      const name = text.slice(7, text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol);
      if (name.trim() === '') {
        this.sink.malformed(text.slice(0, 200), 'Event: without a name');
        return;
      }
      if (this.wants && !this.wants(name)) {
        this.sink.skipped?.(name);
        return;
      }
    }
    // Copy the frame out of the read buffer: V8 keeps a whole 64 KiB read alive for as long as
    // any slice of it lives, and ids from this frame are kept for an hour.
    text = Buffer.from(text, 'latin1').toString('latin1');
    // Field names come from the switch: no prototype, so `__proto__` or `constructor` are just names.
    const fields: Fields = Object.create(null) as Fields;
    let count = 0;
    let pos = 0;
    const n = text.length;
    while (pos < n) {
      let eol = text.indexOf('\n', pos);
      if (eol < 0) eol = n;
      const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon > lineEnd) {
        // `Response: Follows` bodies (command output) are free text; keep them whole.
        if (count > 0 && (fields.response === 'Follows' || fields.output !== undefined)) {
          fields.output = (fields.output ? fields.output + '\n' : '') + text.slice(pos, lineEnd);
          pos = eol + 1;
          continue;
        }
        this.sink.malformed(text.slice(0, 200), `line without "Key: Value": ${JSON.stringify(text.slice(pos, Math.min(lineEnd, pos + 80)))}`);
        return;
      }
      const key = text.slice(pos, colon).trim().toLowerCase();
      let vStart = colon + 1;
      if (text.charCodeAt(vStart) === 32) vStart++;
      if (key.length === 0) {
        this.sink.malformed(text.slice(0, 200), 'empty key');
        return;
      }
      if (fields[key] === undefined) {
        const raw = text.slice(vStart, lineEnd);
        fields[key] = hasHighBytes(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
        count++;
      }
      pos = eol + 1;
    }
    if (fields.event === undefined && fields.response === undefined) {
      this.sink.malformed(text.slice(0, 200), 'frame has neither Event nor Response');
      return;
    }
    this.sink.frame(fields);
  }
}

function frameEndLength(data: string, at: number): number {
  return data.startsWith('\r\n\r\n', at) ? 4 : 2;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 13 && c !== 10 && c !== 32) return false;
  }
  return true;
}

function hasHighBytes(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return true;
  return false;
}
