/**
 * AMI framing: a message is `Key: Value` lines ending in CRLF, closed by an empty line.
 * Asterisk reads actions leniently (keys are case-insensitive) and writes with CRLF only.
 */
export type Header = [string, string];

export const BANNER = 'Asterisk Call Manager/11.0.0\r\n';

/** One received action, with case-insensitive header lookup (Asterisk's astman_get_header). */
export class Action {
  constructor(readonly headers: Header[]) {}

  get(key: string): string | undefined {
    const k = key.toLowerCase();
    for (const [name, value] of this.headers) if (name.toLowerCase() === k) return value;
    return undefined;
  }

  get name(): string {
    return (this.get('Action') ?? '').trim();
  }

  get actionId(): string | undefined {
    const id = this.get('ActionID');
    return id === undefined || id === '' ? undefined : id;
  }
}

/**
 * Splits a byte stream into messages. Frames may arrive split anywhere; a bare LF line end is
 * accepted on input (telnet users), as Asterisk does.
 */
export class FrameReader {
  private buffer = '';
  /** Guard against a client that never sends an empty line. */
  static readonly MAX_FRAME = 64 * 1024;

  push(chunk: string): Action[] {
    this.buffer += chunk;
    const out: Action[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buffer);
      if (!m) break;
      const raw = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const headers = parseHeaders(raw);
      if (headers.length > 0) out.push(new Action(headers));
    }
    if (this.buffer.length > FrameReader.MAX_FRAME) throw new Error('AMI frame too large');
    return out;
  }
}

export function parseHeaders(raw: string): Header[] {
  const headers: Header[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).replace(/^ /, '');
    headers.push([key, value]);
  }
  return headers;
}

/** `Key: Value\r\n` lines plus the closing empty line. */
export function formatFrame(headers: readonly Header[]): string {
  let s = '';
  for (const [k, v] of headers) s += `${k}: ${v}\r\n`;
  return s + '\r\n';
}

/** A frame from `Key: value` pairs, in their order (scripted frames in tests and benchmarks). */
export function frame(pairs: Record<string, string | number>): string {
  return formatFrame(Object.entries(pairs).map(([k, v]) => [k, String(v)]));
}

/** Asterisk's `Timestamp:` format: epoch seconds, a dot, six digits of microseconds. */
export function formatTimestamp(us: number): string {
  const whole = Math.floor(us / 1e6);
  const frac = Math.floor(us - whole * 1e6);
  return `${whole}.${String(frac).padStart(6, '0')}`;
}

/** A response frame as astman_send_response_full writes it: Response, ActionID, then the rest. */
export function formatResponse(response: string, actionId: string | undefined, rest: Header[] = []): string {
  const headers: Header[] = [['Response', response]];
  if (actionId !== undefined) headers.push(['ActionID', actionId]);
  return formatFrame([...headers, ...rest]);
}
