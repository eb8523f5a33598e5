/**
 * Rollups = records: simulated weeks (an ordinary one, the one before, both daylight-saving
 * weeks) written through the collector's real writer into the real Redis; every weekly
 * figure, the breach and abandoned lists and the agents' figures read from the rollups and
 * indexes must equal the same figures computed from the call records by the reference
 * implementation — with follow-ups recorded, after replaying and retrying the writer, after
 * a merged call is rewritten, and after `npm run rollups` rebuilt everything from scratch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerCall } from '@belofte/collector/domain/types';
import { rebuildRollups } from '@belofte/collector/rebuild';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { QUEUE_ROLLUP } from '@belofte/shared/rollup';
import { isoWeekSpan, type IsoWeek } from '@belofte/shared/time';
import { createContext, type ApiContext } from '@belofte/api/context';
import { recordFollowUp } from '@belofte/api/breaches/register';
import { abandonedEntries, abandonedEntriesFromRecords, computeWeekly, computeWeeklyFromRecords } from '@belofte/api/routes/stats';
import { isBreach } from '@belofte/api/stats/weekly';
import { agentSnapshots, agentSnapshotsFromRecords } from '@belofte/api/stats/agentView';
import { AGENTS } from './simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { quietLog, testConfig } from '../support/stack.ts';
import { simulateWeek } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const prefix = testPrefix('rollups');
const redis = connect();
const keys = new Keys(prefix, 'main');
const rules = { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ };
let ctx: ApiContext;
let writer: RedisWriter;

const WEEKS: Record<string, IsoWeek> = {
  ordinary: { year: 2026, week: 47 },
  before: { year: 2026, week: 46 },
  spring: { year: 2026, week: 13 },
  autumn: { year: 2026, week: 43 },
};
const all: CustomerCall[] = [];
const NOW = Date.parse('2026-12-01T12:00:00Z');

/**
 * Every rollup and index of the prefix with its full content, as the readers see it: the
 * shards of one date added up (a maximum is the largest of the shards'). Per shard a maximum
 * may stay above what is left after a merged-away record was taken out of it; the call it
 * became holds the same entry, so the maximum over the shards is the true one.
 */
async function rollupState(): Promise<Record<string, unknown>> {
  const raw = await rollupKeys();
  const out: Record<string, Record<string, string> | string[]> = {};
  for (const [key, content] of Object.entries(raw)) {
    const site = key.replace(/\{main\.\d+\}/, '{main}');
    if (Array.isArray(content)) {
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < content.length; i += 2) pairs.push([content[i]!, content[i + 1]!]);
      const have = (out[site] as string[] | undefined) ?? [];
      for (let i = 0; i < have.length; i += 2) pairs.push([have[i]!, have[i + 1]!]);
      out[site] = pairs.sort((a, b) => Number(a[1]) - Number(b[1]) || (a[0] < b[0] ? -1 : 1)).flat();
      continue;
    }
    const kinds = /:rq:/.test(key) ? QUEUE_ROLLUP.map(([, k]) => k) : [];
    const into = ((out[site] as Record<string, string> | undefined) ??= {});
    for (const [field, text] of Object.entries(content)) {
      const v = text.split(',').map(Number);
      const w = into[field]?.split(',').map(Number);
      into[field] = (w ? v.map((x, i) => (kinds[i] === 'max' ? Math.max(x, w[i]!) : x + w[i]!)) : v).join(',');
    }
  }
  for (const k of Object.keys(out)) if (!Array.isArray(out[k])) out[k] = Object.fromEntries(Object.entries(out[k]!).sort(([a], [b]) => (a < b ? -1 : 1)));
  return out;
}

/** Every rollup and index key of the prefix with its content. */
async function rollupKeys(): Promise<Record<string, Record<string, string> | string[]>> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    found.push(...batch.filter((k) => /:(rq|ra|ib|ia):\d{4}-\d{2}-\d{2}$/.test(k)));
  } while (cursor !== '0');
  const out: Record<string, Record<string, string> | string[]> = {};
  for (const k of found.sort()) {
    if (/:(rq|ra):/.test(k)) {
      // A field taken back to all zeros is the same as no field.
      const h = await redis.hgetall(k);
      out[k] = Object.fromEntries(Object.entries(h).filter(([, v]) => /[1-9]/.test(v)).sort(([a], [b]) => (a < b ? -1 : 1)));
    } else out[k] = await redis.zrange(k, 0, -1, 'WITHSCORES');
  }
  return out;
}

async function expectRollupsEqualRecords(): Promise<void> {
  // A fresh reader each time: the record reader caches settled records, and these tests rewrite old ones.
  ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);
  for (const [name, w] of Object.entries(WEEKS)) {
    const fromRollups = await computeWeekly(ctx, w, null, NOW);
    const fromRecords = await computeWeeklyFromRecords(ctx, w, null, NOW);
    expect(fromRollups, name).toEqual(fromRecords);
    for (const queue of ['Parkeren', 'Spoed', 'Nergens']) expect(await computeWeekly(ctx, w, queue, NOW), `${name} ${queue}`).toEqual(await computeWeeklyFromRecords(ctx, w, queue, NOW));
    const span = isoWeekSpan(w, TZ);
    expect(await abandonedEntries(ctx, span.from, span.to, null), `${name} abandoned`).toEqual(await abandonedEntriesFromRecords(ctx, span.from, span.to, null));
    expect(await abandonedEntries(ctx, span.from, span.to, 'Afval')).toEqual(await abandonedEntriesFromRecords(ctx, span.from, span.to, 'Afval'));
    const breachIds = (await ctx.rollups.breaches(span.from, span.to, TZ)).map((b) => b.id);
    const fromRecordIds = (await ctx.records.finished(span.from, span.to, NOW, 0)).filter((r) => isBreach(r) && r.firstJoinedAt >= span.from && r.firstJoinedAt < span.to).sort((a, b) => a.firstJoinedAt - b.firstJoinedAt || (a.linkedid < b.linkedid ? -1 : 1)).map((r) => r.linkedid);
    expect(breachIds, `${name} breaches`).toEqual(fromRecordIds);
  }
}

beforeAll(async () => {
  writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000, rollups: rules });
  Object.values(WEEKS).forEach((w, i) => all.push(...simulateWeek(w, TZ, 2000 + i)));
  for (const call of all) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);
  // Some breaches followed up: closed, with a complaint, compensated.
  const breaches = all.filter((c) => (c.breached || c.overTransferLimit) && !all.some((o) => o.aliases.includes(c.linkedid)));
  for (const [i, b] of breaches.slice(0, 30).entries()) {
    const patch = i % 3 === 0 ? { closed: true } : i % 3 === 1 ? { complaintReceived: true } : { compensation: [{ kind: 'coffee' as const, amountCents: null }] };
    await recordFollowUp(redis, keys, { id: b.linkedid, firstJoinedAt: b.firstJoinedAt, patch: patch as never, by: 'test', at: NOW, keepSeconds: 86_400 });
  }
}, 120_000);

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('rollups and indexes against the records', () => {
  it('give every weekly figure, the breach list and the abandoned list the records give, in all four weeks', async () => {
    const w = await computeWeekly(ctx, WEEKS.ordinary!, null, NOW);
    // Not trivial: follow-ups, breaches, abandons and agents are all in it.
    expect(w.total.week.breachesClosed + w.total.week.breachesWithComplaint + w.total.week.breachesCompensated).toBeGreaterThan(0);
    expect(w.total.week.abandoned).toBeGreaterThan(0);
    expect(w.agents.length).toBeGreaterThan(5);
    await expectRollupsEqualRecords();
  });

  it("give every agent's today and this week the records give, calls in progress included", async () => {
    ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);
    const deps = { redis, keys, records: ctx.records, rollups: ctx.rollups, thresholds: DEFAULT_THRESHOLDS, timeZone: TZ };
    // Two calls still going on: one new, one that came back into a queue after its record was written.
    const back = structuredClone(all.find((c) => c.linkedid === '2026w47.20' && c.visits.some((v) => v.agent))!);
    back.visits.push({ ...structuredClone(back.visits.find((v) => v.agent)!), id: 'back/1', joinedAt: back.endedAt! + 1000, answeredAt: back.endedAt! + 5000, talkSeconds: null, status: 'answered', endedAt: null });
    back.endedAt = null;
    const fresh = structuredClone(all.find((c) => c.linkedid === '2026w47.21')!);
    fresh.linkedid = 'running-1';
    fresh.endedAt = null;
    writer.enqueue([{ kind: 'callChanged', call: back }, { kind: 'callChanged', call: fresh }]);
    await writer.flush();
    for (const at of ['2026-11-18T10:00:00Z', '2026-11-22T22:30:00Z', '2026-10-25T01:30:00Z', '2026-03-29T12:00:00Z']) {
      const now = Date.parse(at);
      const got = await agentSnapshots(deps, AGENTS, now);
      const want = await agentSnapshotsFromRecords(deps, AGENTS, now);
      expect(got, at).toEqual(want);
      expect([...got.values()].some((a) => a.thisWeek.answered > 0 && a.today.answered > 0), at).toBe(true);
      // Many agents at once (every socket's view in one read) reads the rollup hashes whole: the same figures.
      const many = [...AGENTS, ...Array.from({ length: 70 }, (_, i) => `nobody ${i}`), '__proto__'];
      expect(await agentSnapshots(deps, many, now), `${at}, ${many.length} agents`).toEqual(await agentSnapshotsFromRecords(deps, many, now));
    }
    await redis.hdel(keys.calls, back.linkedid, fresh.linkedid);
  });

  it('a replayed week and a retried writer leave every rollup unchanged', async () => {
    const before = await rollupKeys();
    expect(Object.keys(before).length).toBeGreaterThan(20);
    // The whole first week again, then a batch sent twice (a retry after a lost reply).
    const week = all.filter((c) => c.linkedid.startsWith('2026w47.'));
    for (const call of week) writer.enqueue([{ kind: 'callFinished', call }]);
    await writer.flush();
    const batch = week.slice(0, 50).map((call) => [{ kind: 'callFinished' as const, call }]);
    await (writer as unknown as { write(b: unknown): Promise<void> }).write(batch);
    await (writer as unknown as { write(b: unknown): Promise<void> }).write(batch);
    expect(await rollupKeys()).toEqual(before);
  });

  it('a call written, then merged with another and written again, counts once', async () => {
    const before = await computeWeekly(ctx, WEEKS.ordinary!, null, NOW);
    const a = structuredClone(all.find((c) => c.linkedid === '2026w47.10')!);
    const b = structuredClone(all.find((c) => c.linkedid === '2026w47.11')!);
    // b turns out to be part of a: a's record is rewritten with b's entries, b's goes.
    const merged: CustomerCall = { ...a, visits: [...a.visits, ...b.visits].sort((x, y) => x.joinedAt - y.joinedAt), transfers: [...a.transfers, ...b.transfers].sort((x, y) => x.at - y.at), aliases: [b.linkedid] };
    writer.enqueue([{ kind: 'callFinished', call: merged }]);
    writer.enqueue([{ kind: 'callFinished', call: merged }]);
    await writer.flush();
    const after = await computeWeekly(ctx, WEEKS.ordinary!, null, NOW);
    expect(after.total.week.offered).toBe(before.total.week.offered);
    expect(after.total.week.calls).toBe(before.total.week.calls - 1);
    await expectRollupsEqualRecords();
    // Writing b's old record again (a late retry) adds nothing: it is part of a now.
    writer.enqueue([{ kind: 'callFinished', call: b }]);
    await writer.flush();
    expect((await computeWeekly(ctx, WEEKS.ordinary!, null, NOW)).total.week).toEqual(after.total.week);
  });

  it('a rebuild from the records gives exactly the incremental rollups', async () => {
    const incremental = await rollupState();
    const dates = [...new Set(Object.keys(incremental).map((k) => k.slice(-10)))].sort();
    // From scratch: every rollup and index key gone, then rebuilt.
    for (const k of Object.keys(await rollupKeys())) await redis.del(k);
    expect(await computeWeekly(ctx, WEEKS.ordinary!, null, NOW)).not.toEqual(await computeWeeklyFromRecords(ctx, WEEKS.ordinary!, null, NOW));
    const result = await rebuildRollups(redis, keys, { rules, fromDate: dates[0]!, toDate: dates.at(-1)!, retentionDays: 3650 });
    expect(result.records).toBeGreaterThan(1000);
    expect(result.rewritten).toBe(0);
    expect(await rollupState()).toEqual(incremental);
    await expectRollupsEqualRecords();
    // Rebuilding again changes nothing.
    await rebuildRollups(redis, keys, { rules, fromDate: dates[0]!, toDate: dates.at(-1)!, retentionDays: 3650 });
    expect(await rollupState()).toEqual(incremental);
  });

  it('a rebuild with another answer target gives the rollups a writer with that target keeps', async () => {
    const other = { thresholds: { ...DEFAULT_THRESHOLDS, targetSeconds: 30 }, timeZone: TZ };
    const span = isoWeekSpan(WEEKS.before!, TZ);
    const result = await rebuildRollups(redis, keys, { rules: other, fromDate: span.dates[0]!, toDate: span.dates[6]!, retentionDays: 3650 });
    expect(result.rewritten).toBeGreaterThan(0);
    ctx = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ }), redis, quietLog);
    const ctx30 = createContext(testConfig(prefix, { BELOFTE_TIMEZONE: TZ, TARGET_SECONDS: '30' }), redis, quietLog);
    const got = await computeWeekly(ctx30, WEEKS.before!, null, NOW);
    expect(got).toEqual(await computeWeeklyFromRecords(ctx30, WEEKS.before!, null, NOW));
    expect(got.total.week.answeredWithinTarget).toBeGreaterThan((await computeWeeklyFromRecords(ctx, WEEKS.before!, null, NOW)).total.week.answeredWithinTarget);
    // And back.
    await rebuildRollups(redis, keys, { rules, fromDate: span.dates[0]!, toDate: span.dates[6]!, retentionDays: 3650 });
    await expectRollupsEqualRecords();
  });

  it('refuses a rebuild period that is not one, naming the option', async () => {
    await expect(rebuildRollups(redis, keys, { rules, fromDate: '2026-13-01', toDate: '2026-12-01', retentionDays: 1 })).rejects.toThrow(/--from must be a date/);
    await expect(rebuildRollups(redis, keys, { rules, fromDate: '2026-12-02', toDate: '2026-12-01', retentionDays: 1 })).rejects.toThrow(/--to must not be before --from/);
  });
});
