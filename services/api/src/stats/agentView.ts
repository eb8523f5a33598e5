/**
 * One agent's own figures, today and this week, and their state now: what /api/agents/<id>
 * serves and /ws?agent=<id> pushes. Unlike the weekly statistics it also counts calls still
 * in progress, so the count goes up when the agent picks up, not when the caller hangs up.
 */
import type { Cluster, Redis } from 'ioredis';
import type { CallRecord } from '@belofte/shared/callRecord';
import type { Thresholds } from '@belofte/shared/figures';
import type { Keys } from '@belofte/shared/keys';
import { formatIsoWeek, isoWeekOfInstant, isoWeekSpan, localDate } from '@belofte/shared/time';
import type { CallRecords } from '../records/reader.ts';
import type { AgentLive, AgentSnapshot } from '../schemas/agents.ts';
import type { AgentFigures } from '../schemas/stats.ts';
import { agentField, contributionOf, suffixDate, type AgentVector, type RollupRules } from '@belofte/shared/rollup';
import type { RollupReader } from './rollups.ts';
import { AgentAcc, dayIndex, dedupeRecords, tallyAgents } from './weekly.ts';

const EMPTY: AgentFigures = { answered: 0, talkSeconds: 0, averageTalkSeconds: null, transfersMade: 0, answeredAtTransferLimit: 0 };

export interface AgentViewDeps {
  redis: Redis | Cluster;
  keys: Keys;
  records: CallRecords;
  rollups: RollupReader;
  thresholds: Thresholds;
  timeZone: string;
}

/**
 * Snapshots of several agents from the per-agent rollups of the week's days (finished calls)
 * plus the calls still in progress: O(days × agents + calls in progress), whatever the number
 * of calls this week. A running call that already had a record (it came back into a queue)
 * counts as running: its record's share comes out of the rollup sums.
 */
export async function agentSnapshots(d: AgentViewDeps, agents: string[], now = Date.now()): Promise<Map<string, AgentSnapshot>> {
  const out = new Map<string, AgentSnapshot>();
  if (agents.length === 0) return out;
  const week = isoWeekOfInstant(now, d.timeZone);
  const span = isoWeekSpan(week, d.timeZone);
  const fieldList = [...new Set(agents.map((a) => agentField(a)))];
  const fields = new Set(fieldList);
  const [days, running, states] = await Promise.all([d.rollups.agentDays(span.dates, fieldList), d.records.inProgress(), d.redis.hmget(d.keys.agents, ...agents)]);
  const rules = { thresholds: d.thresholds, timeZone: d.timeZone };
  const dayOf = new Map(span.dates.map((date, i) => [date, i]));
  const sums = new Map<string, AgentVector[]>();
  const add = (date: string, field: string, v: AgentVector, sign: number) => {
    const i = dayOf.get(date);
    if (i === undefined) return;
    let row = sums.get(field);
    if (!row) sums.set(field, (row = Array.from({ length: 7 }, () => ({ answered: 0, talkSum: 0, talkCount: 0, transfers: 0, atLimit: 0 }))));
    for (const k of Object.keys(v) as Array<keyof AgentVector>) row[i]![k] += sign * v[k];
  };
  // Only a call one of these agents answered or transferred adds to their fields (contributionOf's
  // agent rows): the others are not worked out at all (one agent's socket opening reads every call in progress).
  const concerns = (r: CallRecord) => r.visits.some((v) => v.agent && fields.has(agentField(v.agent))) || r.transfers.some((t) => t.agent && fields.has(agentField(t.agent)));
  const addCall = (r: CallRecord, sign: number) => {
    if (!concerns(r)) return;
    for (const [date, field, v] of agentRowsOf(r, rules)) if (fields.has(field)) add(date, field, v, sign);
  };
  days.forEach((hash, i) => {
    for (const [field, v] of hash) add(span.dates[i]!, field, v, 1);
  });
  // A record of one of these calls (or of a call merged into one) first joined at one of its entries.
  const shadowed = new Map(running.flatMap((r) => [r.linkedid, ...(r.aliases ?? [])].map((id) => [id, [r.firstJoinedAt, ...r.visits.map((v) => v.joinedAt)]] as const)));
  for (const r of await d.records.many([...shadowed].map(([id, at]) => ({ id, at })))) addCall(r, -1);
  for (const r of dedupeRecords(running)) addCall(r, 1);

  const today = dayIndex(span, now);
  // The same for every agent of this read.
  const at = new Date(now).toISOString();
  const date = localDate(now, d.timeZone);
  const isoWeek = formatIsoWeek(week);
  agents.forEach((agent, i) => {
    const row = sums.get(agentField(agent));
    const thisWeek = new AgentAcc();
    const day = new AgentAcc();
    row?.forEach((v, k) => {
      thisWeek.addRollup(v);
      if (k === today) day.addRollup(v);
    });
    out.set(agent, {
      agent,
      at,
      timeZone: d.timeZone,
      date,
      isoWeek,
      today: day.figures(),
      thisWeek: thisWeek.figures(),
      live: liveOf(states[i]),
      thresholds: d.thresholds,
    });
  });
  return out;
}

type AgentRow = [date: string, field: string, v: AgentVector];

/**
 * A call's per-agent rollup rows (date, field, vector), as contributionOf gives them, remembered
 * by the call's text: the agents' views are read every second, and the calls in progress (and
 * the records they shadow) are mostly the same calls as a second ago. contributionOf is a pure
 * function of the record and the rules; a call that changed has another text. Two generations,
 * so the calls of the last reads stay and the cache stays bounded.
 */
const ROWS_KEEP = 20_000;
let rowsNow = new Map<string, AgentRow[]>();
let rowsBefore = new Map<string, AgentRow[]>();

function agentRowsOf(r: CallRecord, rules: RollupRules): AgentRow[] {
  const th = rules.thresholds;
  const key = `${rules.timeZone}\u0000${th.targetSeconds}\u0000${th.guaranteeSeconds}\u0000${th.maxTransfers}\u0000${JSON.stringify(r)}`;
  let rows = rowsNow.get(key) ?? rowsBefore.get(key);
  if (!rows) {
    rows = [];
    for (const [suffix, hash] of contributionOf(r, rules).hashes) {
      if (!suffix.startsWith('ra:')) continue;
      for (const [field, v] of hash) rows.push([suffixDate(suffix), field, v as AgentVector]);
    }
  }
  if (!rowsNow.has(key)) {
    if (rowsNow.size >= ROWS_KEEP) {
      rowsBefore = rowsNow;
      rowsNow = new Map();
    }
    rowsNow.set(key, rows);
  }
  return rows;
}

function liveOf(text: string | null | undefined): AgentLive | null {
  if (!text) return null;
  try {
    const s = JSON.parse(text) as { state: AgentLive['state']; since: number; queues: string[]; pausedReason: string | null };
    return { state: s.state, since: new Date(s.since).toISOString(), queues: s.queues ?? [], pausedReason: s.pausedReason ?? null };
  } catch {
    return null;
  }
}

/** The same snapshots from one read of the week's records: the reference implementation. */
export async function agentSnapshotsFromRecords(d: AgentViewDeps, agents: string[], now = Date.now()): Promise<Map<string, AgentSnapshot>> {
  const out = new Map<string, AgentSnapshot>();
  if (agents.length === 0) return out;
  const week = isoWeekOfInstant(now, d.timeZone);
  const span = isoWeekSpan(week, d.timeZone);
  const [finished, running, states] = await Promise.all([d.records.finished(span.from, span.to, now), d.records.inProgress(), d.redis.hmget(d.keys.agents, ...agents)]);
  // A call that came back into a queue after its record was written is in both: the running one is newer.
  const byId = new Map<string, CallRecord>();
  for (const r of finished) byId.set(r.linkedid, r);
  for (const r of running) byId.set(r.linkedid, r);
  const records = dedupeRecords([...byId.values()]);
  const wanted = new Set(agents);
  const tallies = new Map(tallyAgents(records.filter((r) => r.visits.some((v) => v.agent && wanted.has(v.agent)) || r.transfers.some((t) => t.agent && wanted.has(t.agent))), { span, maxTransfers: d.thresholds.maxTransfers }).map((a) => [a.agent, a]));
  const today = dayIndex(span, now);
  agents.forEach((agent, i) => {
    const t = tallies.get(agent);
    const todayFigures = t && today >= 0 ? t.days[today]! : undefined;
    let live: AgentLive | null = null;
    const text = states[i];
    if (text) {
      try {
        const s = JSON.parse(text) as { state: AgentLive['state']; since: number; queues: string[]; pausedReason: string | null };
        live = { state: s.state, since: new Date(s.since).toISOString(), queues: s.queues ?? [], pausedReason: s.pausedReason ?? null };
      } catch {
        live = null;
      }
    }
    out.set(agent, {
      agent,
      at: new Date(now).toISOString(),
      timeZone: d.timeZone,
      date: localDate(now, d.timeZone),
      isoWeek: formatIsoWeek(week),
      today: todayFigures ? { answered: todayFigures.answered, talkSeconds: todayFigures.talkSeconds, averageTalkSeconds: todayFigures.averageTalkSeconds, transfersMade: todayFigures.transfersMade, answeredAtTransferLimit: todayFigures.answeredAtTransferLimit } : { ...EMPTY },
      thisWeek: t ? t.week : { ...EMPTY },
      live,
      thresholds: d.thresholds,
    });
  });
  return out;
}
