/**
 * `npm run replay -- FILE [--target-seconds N] [--guarantee-seconds N] [--max-transfers N]`
 *
 * Feeds a raw AMI capture (the byte stream a switch sent, `timestampevents = yes`) through
 * the live collector's path — frame reader, normaliser, domain core, Redis writer — under a
 * throw-away key prefix, reads the figures back the way the API does, prints one JSON
 * document and removes its keys. Lets anyone check Belofte against their own switch.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { ConfigError, loadConfig, thresholdsOf } from '@belofte/shared/config';
import type { LiveSnapshot, QueueFigures, Thresholds } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import { FrameParser } from './ami/frameParser.ts';
import { WANTED_EVENTS } from './ami/normalise.ts';
import { Pipeline } from './pipeline.ts';
import type { CustomerCall } from './domain/types.ts';

export interface ReplayCall {
  linkedid: string;
  queues: string[];
  joinedAt: string;
  answeredAt: string | null;
  abandonedAt: string | null;
  waitSeconds: number | null;
  agent: string | null;
  transfers: number;
  outcome: CustomerCall['outcome'];
}

export interface ReplayResult {
  calls: ReplayCall[];
  total: QueueFigures;
  queues: Record<string, QueueFigures>;
  stats: { frames: number; skipped: number; malformed: number };
}

export class ReplayInputError extends Error {}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function callView(c: CustomerCall): ReplayCall {
  const end = c.answeredAt ?? c.abandonedAt;
  return {
    linkedid: c.linkedid,
    queues: c.visits.map((v) => v.queue),
    joinedAt: iso(c.firstJoinedAt)!,
    answeredAt: iso(c.answeredAt),
    abandonedAt: iso(c.abandonedAt),
    waitSeconds: end === null ? null : Math.round(end - c.firstJoinedAt) / 1000,
    agent: c.agent,
    transfers: c.transfers.length,
    outcome: c.outcome,
  };
}

/** Replays capture bytes into Redis at `redisUrl` and returns what Belofte counted. */
export async function replay(bytes: Buffer, o: { redisUrl: string; prefix: string; thresholds: Thresholds }): Promise<ReplayResult> {
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  await redis.connect();
  const keys = new Keys(o.prefix, 'replay');
  const log = pino({ level: 'silent' });
  const pipeline = new Pipeline({ redis, keys, thresholds: o.thresholds, retentionDays: 1, maxBuffered: 10_000_000, log, keepFinished: true });
  const stats = { frames: 0, skipped: 0, malformed: 0, banner: false };
  try {
    const parser = new FrameParser(
      {
        banner: () => {
          stats.banner = true;
        },
        frame: (fields) => {
          stats.frames++;
          pipeline.frame(fields, 0);
        },
        skipped: (name) => {
          stats.skipped++;
          pipeline.skipped(name);
        },
        malformed: (text, reason) => {
          stats.malformed++;
          pipeline.malformed(text, reason);
        },
      },
      { wants: (name) => WANTED_EVENTS.has(name) },
    );
    parser.push(bytes);
    if (!stats.banner && stats.frames + stats.skipped === 0) throw new ReplayInputError('not an AMI capture: no "Asterisk Call Manager" banner and no AMI frames');
    const end = pipeline.counters.lastEventAt;
    pipeline.finish(end);
    await pipeline.writer.flush();
    const snapshot: LiveSnapshot = await readFigures(redis, { keys, thresholds: o.thresholds, from: 0, to: Number.MAX_SAFE_INTEGER, now: end, midnight: 0, window: 'capture' });
    return {
      calls: pipeline.tracker.callList().map(callView),
      total: snapshot.total,
      queues: snapshot.queues,
      stats: { frames: stats.frames, skipped: stats.skipped, malformed: stats.malformed },
    };
  } finally {
    // The throw-away keys go, whatever happened.
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${o.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (found.length) await redis.del(...found);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

function parseArgs(argv: string[]): { file: string; overrides: Partial<Thresholds> } {
  const overrides: Partial<Thresholds> = {};
  let file: string | undefined;
  const flags: Record<string, keyof Thresholds> = { '--target-seconds': 'targetSeconds', '--guarantee-seconds': 'guaranteeSeconds', '--max-transfers': 'maxTransfers', '--short-abandon-seconds': 'shortAbandonSeconds' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.split('=', 2) as [string, string | undefined];
    if (flags[flag]) {
      const text = inline ?? argv[++i];
      const n = Number(text);
      if (text === undefined || !Number.isInteger(n) || n < 0) throw new ReplayInputError(`${flag} takes a whole number of at least 0, not ${JSON.stringify(text ?? '')}`);
      overrides[flags[flag]!] = n;
    } else if (a.startsWith('--')) {
      throw new ReplayInputError(`unknown option ${a} (known: ${Object.keys(flags).join(', ')})`);
    } else if (file === undefined) file = a;
    else throw new ReplayInputError(`one capture file at a time (got ${JSON.stringify(file)} and ${JSON.stringify(a)})`);
  }
  if (!file) throw new ReplayInputError('usage: npm run replay -- FILE [--target-seconds N] [--guarantee-seconds N] [--max-transfers N]');
  return { file, overrides };
}

async function main(): Promise<void> {
  try {
    const config = loadConfig();
    const { file, overrides } = parseArgs(process.argv.slice(2));
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new ReplayInputError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const prefix = `belofte-replay-${process.pid}-${randomBytes(4).toString('hex')}`;
    const result = await replay(bytes, { redisUrl: config.REDIS_URL, prefix, thresholds: { ...thresholdsOf(config), ...overrides } });
    process.stdout.write(JSON.stringify({ calls: result.calls, total: result.total, queues: result.queues }, null, 2) + '\n');
    if (result.stats.malformed > 0) process.stderr.write(`replay: ${result.stats.malformed} malformed frame(s) skipped\n`);
  } catch (e) {
    if (e instanceof ReplayInputError || e instanceof ConfigError) {
      process.stderr.write(`replay: ${e.message.split('\n').join(' ')}\n`);
      process.exit(2);
    }
    process.stderr.write(`replay: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) void main();
