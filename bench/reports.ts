/**
 * Reports at a large centre: a week of 30k and of 300k calls (the simulated week copied with
 * fresh Linkedids) written through the collector's real writer, rollups included, under the
 * bench's own prefix; then the weekly report, the breach register and an agent's view read as
 * the API serves them (rollups, indexes), beside the weekly report from every call record
 * (the reference) in the same run; Redis bytes per stored call (MEMORY USAGE of every key of
 * the prefix), and the steady /ws frame at 600 agents beside the full document.
 */
import { pino } from 'pino';
import { Redis } from 'ioredis';
import { loadConfig } from '@belofte/shared/config';
import { agentChanges } from '@belofte/shared/liveFrame';
import { createContext } from '@belofte/api/context';
import { recordFollowUp } from '@belofte/api/breaches/register';
import { computeWeekly, computeWeeklyFromRecords } from '@belofte/api/routes/stats';
import type { CustomerCall } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { isoWeekSpan, TODAY } from '@belofte/shared/time';
import { AGENTS, simulateWeek } from '../test/stats/simulatedWeek.ts';
import { benchPrefix, log, median, onCleanup, percentile, REDIS_URL, waitFor } from './lib.ts';
import { fmt, ratio, type BenchOptions, type BenchResult } from './result.ts';

const TZ = 'Europe/Amsterdam';
const WEEK = { year: 2026, week: 47 };
const quiet = pino({ level: 'silent' });

/** Writes the week; returns the calls written and one in 50 of its breaches (to be followed up). */
async function writeWeek(redis: Redis, keys: Keys, calls: number): Promise<{ calls: number; followUp: CustomerCall[] }> {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 1_000_000 });
  const followUp: CustomerCall[] = [];
  let breaches = 0;
  let n = 0;
  for (let copy = 0; n < calls; copy++) {
    for (const c of simulateWeek(WEEK, TZ, 7000 + copy)) {
      if (n >= calls) break;
      const call: CustomerCall = { ...c, linkedid: `${c.linkedid}.${copy}`, aliases: c.aliases.map((a) => `${a}.${copy}`) };
      writer.enqueue([{ kind: 'callFinished', call }]);
      if ((call.breached || call.overTransferLimit) && breaches++ % 50 === 0) followUp.push(call);
      n++;
    }
    await writer.flush();
  }
  return { calls: n, followUp };
}

async function timed(f: () => Promise<unknown>, runs: number): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return median(ms);
}

async function bytesOf(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
    cursor = next;
    const p = redis.pipeline();
    for (const k of found) p.memory('USAGE', k, 'SAMPLES', 0);
    for (const [, n] of (await p.exec()) ?? []) total += Number(n) || 0;
  } while (cursor !== '0');
  return total;
}

export async function runReports(o: BenchOptions): Promise<BenchResult> {
  const redis = new Redis(REDIS_URL);
  // Closed last: the prefixes registered below are deleted through it first (cleanups run last-in first).
  onCleanup(() => redis.disconnect());
  const json: Record<string, unknown> = {};
  const rows: BenchResult['rows'] = [];
  try {
    const sizes = [Math.round(30_000 * o.scale), Math.round(300_000 * o.scale)];
    const span = isoWeekSpan(WEEK, TZ);
    const now = span.dayStarts[3]! + 12 * 3_600_000;
    for (const size of sizes) {
      const prefix = benchPrefix(`reports${size}`, redis);
      const keys = new Keys(prefix, 'main');
      const t = performance.now();
      const { calls, followUp } = await writeWeek(redis, keys, size);
      log(`reports: ${fmt(calls)} calls written in ${fmt((performance.now() - t) / 1000, 1)} s`);
      const config = loadConfig({ REDIS_URL, REDIS_PREFIX: prefix, BELOFTE_SITE: 'main', BELOFTE_TIMEZONE: TZ });
      const ctx = createContext(config, redis, quiet);
      // Managers followed up some breaches (one in 50): closed, with a complaint, compensated.
      for (const [i, c] of followUp.entries()) {
        const patch = i % 3 === 0 ? { closed: true } : i % 3 === 1 ? { complaintReceived: true } : { compensation: [{ kind: 'coffee' as const, amountCents: null }] };
        await recordFollowUp(redis, keys, { id: c.linkedid, firstJoinedAt: c.firstJoinedAt, patch: patch as never, by: 'bench', at: now, keepSeconds: 3650 * 86_400 });
      }
      // A prefix the API has not seen: it checks once for follow-ups older than its index.
      await ctx.followedUp.between(span.from, span.to, TZ);
      await waitFor(async () => ((await redis.get(keys.breachFollowUpsComplete)) === '1' ? true : undefined), 120_000, 'the follow-up index check');
      const weekly = await timed(() => computeWeekly(ctx, WEEK, null, now), 5);
      const fromRecords = await timed(() => computeWeeklyFromRecords(createContext(config, redis, quiet), WEEK, null, now), size > 100_000 ? 1 : 3);
      const breaches = await timed(() => ctx.rollups.breaches(span.from, span.to, TZ).then((b) => ctx.records.many(b)), 5);
      const agent = await timed(() => ctx.agents([AGENTS[0]!], now), 5);
      const bytes = await bytesOf(redis, prefix);
      // /api/live's read in the same process while weekly reports run back to back, beside the
      // same reads with no report running (the machine's own noise).
      const idleMs: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t0 = performance.now();
        await ctx.live(TODAY);
        idleMs.push(performance.now() - t0);
      }
      let reporting = true;
      const reports = (async () => {
        for (let i = 0; i < 3; i++) await computeWeekly(ctx, WEEK, null, now);
        reporting = false;
      })();
      const liveMs: number[] = [];
      while (reporting) {
        const t0 = performance.now();
        await ctx.live(TODAY);
        liveMs.push(performance.now() - t0);
      }
      await reports;
      const liveP99 = percentile(liveMs, 99);
      const k = size >= 300_000 * o.scale ? '300k' : '30k';
      Object.assign(json, {
        [`weeklyReportMs${k}`]: Math.round(weekly * 10) / 10,
        [`weeklyReportFromRecordsMs${k}`]: Math.round(fromRecords),
        [`breachesMs${k}`]: Math.round(breaches * 10) / 10,
        [`agentViewMs${k}`]: Math.round(agent * 10) / 10,
        [`redisBytesPerCall${k}`]: Math.round(bytes / calls),
        [`liveP99MsDuringReport${k === '300k' ? '' : k}`]: Math.round(liveP99 * 10) / 10,
        [`liveP99MsNoReport${k}`]: Math.round(percentile(idleMs, 99) * 10) / 10,
      });
      rows.push(
        { figure: `weekly report, ${fmt(calls)} calls, from the rollups`, value: `${fmt(weekly, 1)} ms`, reference: `from every record: ${fmt(fromRecords)} ms; target < 300 ms`, ratio: `${ratio(fromRecords, weekly, 0)} faster`, verdict: weekly < 300 ? 'met' : 'MISSED' },
        { figure: `/api/live p99 while ${fmt(calls)}-call weekly reports run (same process, ${liveMs.length} reads)`, value: `${fmt(liveP99, 1)} ms`, reference: `no report running: ${fmt(percentile(idleMs, 99), 1)} ms; target < 50 ms`, ratio: ratio(liveP99, percentile(idleMs, 99)), verdict: liveP99 < 50 ? 'met' : 'MISSED' },
        { figure: `breach register, ${fmt(calls)} calls (index + its records)`, value: `${fmt(breaches, 1)} ms`, reference: '', ratio: '', verdict: '' },
        { figure: `agent view, ${fmt(calls)} calls (rollups + in progress)`, value: `${fmt(agent, 1)} ms`, reference: '', ratio: '', verdict: '' },
        { figure: `Redis bytes per stored call (${fmt(calls)} calls, MEMORY USAGE)`, value: fmt(bytes / calls), reference: 'target ≤ 400', ratio: ratio(bytes / calls, 400), verdict: bytes / calls <= 400 ? 'met' : 'MISSED' },
      );
    }
    if (json.weeklyReportMs30k !== undefined && json.weeklyReportMs300k !== undefined) {
      const r = (json.weeklyReportMs300k as number) / (json.weeklyReportMs30k as number);
      json.weeklyReport300kOver30k = Math.round(r * 100) / 100;
      rows.push({ figure: 'weekly report: 300k-call week over 30k-call week', value: `${r.toFixed(2)}×`, reference: 'target < 2×', ratio: '', verdict: r < 2 ? 'met' : 'MISSED' });
    }
    json.redisBytesPerCall = json.redisBytesPerCall300k ?? json.redisBytesPerCall30k;

    // The steady frame at 600 agents: one agent changed, beside the full document.
    const views = Object.fromEntries(
      Array.from({ length: 600 }, (_, i) => [
        `agent${i}`,
        { name: `agent${i}`, interface: `Local/${1000 + i}@agents/n`, state: 'available' as const, queues: ['Afval', 'Parkeren', 'Burgerzaken'], pausedReason: null, pausedIn: [], since: new Date().toISOString(), answered: 12, transfersMade: 1 },
      ]),
    );
    const prefix = benchPrefix('frames', redis);
    const ctx = createContext(loadConfig({ REDIS_URL, REDIS_PREFIX: prefix, BELOFTE_SITE: 'main', BELOFTE_TIMEZONE: TZ }), redis, quiet);
    const snapshot = { ...(await ctx.live(TODAY)), agents: views };
    const tiles = new Map(Object.entries(views).map(([n, v]) => [n, JSON.stringify(v)]));
    const changed = new Map(tiles);
    changed.set('agent7', JSON.stringify({ ...views.agent7, state: 'oncall' }));
    const full = Buffer.byteLength(JSON.stringify(snapshot));
    const delta = Buffer.byteLength(JSON.stringify({ ...snapshot, agents: undefined, agentChanges: agentChanges(tiles, changed, { ...views, agent7: { ...views.agent7!, state: 'oncall' } }) }));
    Object.assign(json, { frameBytes600Agents: delta, frameBytes600AgentsFull: full });
    rows.push({ figure: 'steady /ws frame at 600 agents (one tile changed)', value: `${fmt(delta)} B`, reference: `full document ${fmt(full)} B; target < 30,000`, ratio: ratio(delta, full, 3), verdict: delta < 30_000 ? 'met' : 'MISSED' });
    return { json, rows };
  } finally {
    // The connection closes in the cleanups, after the bench's keys are deleted.
  }
}
