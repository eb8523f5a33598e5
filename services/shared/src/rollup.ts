/**
 * Rollups: what one finished call adds to the period aggregates, so that a week (or a year)
 * of statistics reads O(days × queues) small sums instead of every call record.
 *
 * The collector computes a call's *contribution* here (pure: record in, entries out) and
 * hands it to one Lua script together with the record. The script stores the contribution in
 * front of the record, so a rewritten record (a call merged or finished again) first takes
 * its old contribution back out, and a replayed identical record changes nothing: every
 * aggregate stays exactly the sum of the records' contributions, however often the writer
 * retries. The script knows nothing of the metrics: it adds vectors and keeps index entries.
 *
 * What is aggregated, by local date (BELOFTE_TIMEZONE) — the same rules as the weekly
 * statistics computed from the records (services/api/src/stats/weekly.ts), which stay the
 * reference implementation the tests compare against:
 * - per queue and local hour of a queue entry's join: the QUEUE_ROLLUP entry metrics; the
 *   call metrics on the queue, date and hour of the call's first entry;
 * - per agent (and per agent and queue) and local date of an answer or transfer: AGENT_ROLLUP;
 * - indexes (sorted sets by time): the day's breaches and abandoned entries, with what their
 *   lists show, so neither list reads call records.
 *
 * Thresholds (TARGET_SECONDS, GUARANTEE_SECONDS, MAX_TRANSFERS) are applied when a call is
 * written; after changing one, rebuild past periods (`npm run rollups -- --from --to`).
 */
import { createHash } from 'node:crypto';
import type { CallRecord, RecordedVisit } from './callRecord.ts';
import { AGENT_METRICS, isVisitEnd, WINDOW_METRICS, type AgentMetric, type WindowMetric } from './catalogue.ts';
import type { Thresholds } from './figures.ts';
import { localDate, localParts } from './time.ts';

/** How a rolled-up metric combines: summed, or the largest value kept. */
export type RollupKind = 'sum' | 'max';

/**
 * Per queue, local date and hour. Entry metrics count each queue entry in the hour it
 * joined; call metrics count each customer call on its first queue, at its first entry.
 * The catalogue's metrics marked `rolledUp` are here under their catalogue names (the compiler
 * checks it below), beside the sums only the reports need. Stored by position: a new metric
 * goes at the end (older vectors read it as 0), and none is ever moved or removed.
 */
export const QUEUE_ROLLUP = [
  ['offered', 'sum'],
  ['answered', 'sum'],
  ['abandoned', 'sum'],
  ['shortAbandoned', 'sum'],
  ['timedOut', 'sum'],
  ['unknown', 'sum'],
  ['answeredWithinTarget', 'sum'],
  ['withinGuarantee', 'sum'],
  ['waitSum', 'sum'],
  ['waitCount', 'sum'],
  ['longestWait', 'max'],
  ['talkSum', 'sum'],
  ['talkCount', 'sum'],
  ['calls', 'sum'],
  ['guaranteeBreaches', 'sum'],
  ['overTransferLimit', 'sum'],
  ['breaches', 'sum'],
  ['transferred0', 'sum'],
  ['transferred1', 'sum'],
  ['transferred2', 'sum'],
  ['transferredMore', 'sum'],
  ['movedOut', 'sum'],
] as const satisfies ReadonlyArray<readonly [string, RollupKind]>;

/** Per agent and local date of the answer (transfers: of the transfer). */
export const AGENT_ROLLUP = [
  ['answered', 'sum'],
  ['talkSum', 'sum'],
  ['talkCount', 'sum'],
  ['transfers', 'sum'],
  ['atLimit', 'sum'],
] as const satisfies ReadonlyArray<readonly [string, RollupKind]>;

export type QueueRollupMetric = (typeof QUEUE_ROLLUP)[number][0];
export type AgentRollupMetric = (typeof AGENT_ROLLUP)[number][0];

// Every metric the catalogue says is rolled up is in the vectors: a compile error names one that is not.
type RolledUp<C, K extends keyof C> = { [M in K]: C[M] extends { rolledUp: true } ? M : never }[K];
const queueRolledUp: RolledUp<typeof WINDOW_METRICS, WindowMetric> extends QueueRollupMetric ? true : false = true;
const agentRolledUp: { answered: 'answered'; transfersMade: 'transfers' }[RolledUp<typeof AGENT_METRICS, AgentMetric>] extends AgentRollupMetric ? true : false = true;
void [queueRolledUp, agentRolledUp];
export type QueueVector = Record<QueueRollupMetric, number>;
export type AgentVector = Record<AgentRollupMetric, number>;

/** How long a rollup key lives after its last write (s): two days beyond the records of its day. */
export const rollupTtlSeconds = (retentionDays: number): number => retentionDays * 86_400 + 172_800;

/** The keys' suffixes under a durable base (see Keys): one hash / sorted set per local date. */
export const ROLLUP_SUFFIX = {
  queues: (date: string) => `rq:${date}`,
  agents: (date: string) => `ra:${date}`,
  breaches: (date: string) => `ib:${date}`,
  abandoned: (date: string) => `ia:${date}`,
} as const;

/** Separators of the stored contribution; never inside names (they are replaced). */
const ENTRY = '\x1e';
const PART = '\x1f';
/** Between the parts of a hash field or index member. */
export const SUB = '\x1d';
/** Between the items of a list inside a field or member. */
export const LIST = '\x1c';
const clean = (s: string) => s.replace(/[\x1c-\x1f\n]/g, ' ');

export const queueField = (queue: string, hour: number) => `${clean(queue)}${SUB}${hour}`;
/** An agent's figures over all queues; with a queue, that queue's share only. */
export const agentField = (agent: string, queue?: string | null) => (queue ? `${clean(agent)}${SUB}${clean(queue)}` : clean(agent));

// ------------------------------------------------------------------ call rules (shared with the reference)

/** An entry's wait in whole seconds, or null when its end was not seen (or it is still waiting). */
export function visitWaitSeconds(v: RecordedVisit): number | null {
  if (v.answeredAt !== null) return v.holdSeconds ?? Math.max(0, Math.round((v.answeredAt - v.joinedAt) / 1000));
  if (v.endedAt !== null && isVisitEnd(v.status) && v.status !== 'unknown') {
    return Math.max(0, Math.round((v.endedAt - v.joinedAt) / 1000));
  }
  return null;
}

/** The queue a call is booked on: its first entry's. */
export function firstQueue(r: CallRecord): string | null {
  return r.visits[0]?.queue ?? null;
}

export const isBreach = (r: CallRecord): boolean => r.breached || r.overTransferLimit;

/** The queue of the entry an agent was handling when they transferred: their last answer before it. */
export function transferQueue(r: CallRecord, agent: string, at: number): string | null {
  let best: RecordedVisit | null = null;
  for (const v of r.visits) if (v.agent === agent && v.answeredAt !== null && v.answeredAt <= at && (!best || v.answeredAt >= best.answeredAt!)) best = v;
  return best?.queue ?? firstQueue(r);
}

/** A caller number shown only by its last 4 digits: ****5678. Null when there is no number. */
export function maskCaller(number: string | null | undefined): string | null {
  const digits = (number ?? '').replace(/\D/g, '');
  if (!digits) return null;
  return `****${digits.slice(-4)}`;
}

// ------------------------------------------------------------------ contribution

type RuleThresholds = Pick<Thresholds, 'targetSeconds' | 'guaranteeSeconds' | 'maxTransfers'>;

export interface RollupRules {
  thresholds: RuleThresholds;
  /** A queue's own targets (BELOFTE_QUEUES); a call's transfer limit is its first queue's. */
  thresholdsFor?: (queue: string) => RuleThresholds;
  timeZone: string;
  /**
   * These rules as text (rollupRules builds it): a record carries its stamp, so a rewrite of
   * it takes out the share it was counted with even after a threshold changed. Rules with
   * per-queue targets must have it.
   */
  spec?: string;
}

const pick = (t: RuleThresholds): [number, number, number] => [t.targetSeconds, t.guaranteeSeconds, t.maxTransfers];

/** Rules from the thresholds, the time zone and the queues that have targets of their own. */
export function rollupRules(thresholds: RuleThresholds, timeZone: string, perQueue: ReadonlyMap<string, RuleThresholds> = new Map()): RollupRules {
  const own = new Map([...perQueue].filter(([, t]) => pick(t).join() !== pick(thresholds).join()));
  const spec = JSON.stringify([pick(thresholds), timeZone, [...own].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([q, t]) => [q, ...pick(t)])]);
  return {
    thresholds: { targetSeconds: thresholds.targetSeconds, guaranteeSeconds: thresholds.guaranteeSeconds, maxTransfers: thresholds.maxTransfers },
    thresholdsFor: own.size ? (queue) => own.get(queue) ?? thresholds : undefined,
    timeZone,
    spec,
  };
}

/** The rules a spec (RollupRules.spec) describes; throws on text that is not one. */
export function rollupRulesOfSpec(spec: string): RollupRules {
  const [t, timeZone, queues] = JSON.parse(spec) as [[number, number, number], string, Array<[string, number, number, number]>];
  const th = (x: number[]): RuleThresholds => ({ targetSeconds: x[0]!, guaranteeSeconds: x[1]!, maxTransfers: x[2]! });
  if (!Array.isArray(t) || typeof timeZone !== 'string' || !Array.isArray(queues)) throw new Error('not rollup rules');
  return rollupRules(th(t), timeZone, new Map(queues.map(([q, ...x]) => [q, th(x)])));
}

/** The spec of rules (built from their thresholds when they were made without rollupRules). */
export function specOf(rules: RollupRules): string {
  if (rules.spec !== undefined) return rules.spec;
  if (rules.thresholdsFor) throw new Error('rollup rules with per-queue thresholds need their spec: build them with rollupRules()');
  return rollupRules(rules.thresholds, rules.timeZone).spec!;
}

/** A short, stable name of a spec: what every stored record carries. */
export function rulesStamp(spec: string): string {
  return createHash('sha1').update(spec).digest('base64url').slice(0, 8);
}

/** One local date and hour, cached: the same instants' hours are asked for many times. */
function dateHour(ms: number, timeZone: string): { date: string; hour: number } {
  const p = localParts(ms, timeZone);
  return { date: `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`, hour: p.hour };
}

const zeroQueue = (): QueueVector => Object.fromEntries(QUEUE_ROLLUP.map(([m]) => [m, 0])) as QueueVector;
const zeroAgent = (): AgentVector => Object.fromEntries(AGENT_ROLLUP.map(([m]) => [m, 0])) as AgentVector;

/** A call's contribution, grouped by key suffix and field, plus index entries. */
export interface Contribution {
  hashes: Map<string, Map<string, QueueVector | AgentVector>>;
  /** suffix → [score, member] */
  indexes: Array<[suffix: string, score: number, member: string]>;
}

export function contributionOf(r: CallRecord, rules: RollupRules): Contribution {
  const thOf = (queue: string | undefined) => (queue !== undefined ? rules.thresholdsFor?.(queue) : undefined) ?? rules.thresholds;
  const callTh = thOf(r.visits[0]?.queue);
  const tz = rules.timeZone;
  const hashes = new Map<string, Map<string, QueueVector | AgentVector>>();
  const vec = <V extends QueueVector | AgentVector>(suffix: string, field: string, zero: () => V): V => {
    let h = hashes.get(suffix);
    if (!h) hashes.set(suffix, (h = new Map()));
    let v = h.get(field);
    if (!v) h.set(field, (v = zero()));
    return v as V;
  };
  const indexes: Contribution['indexes'] = [];
  const caller = maskCaller(r.callerIdNum) ?? '';

  for (const v of r.visits) {
    const at = dateHour(v.joinedAt, tz);
    const q = vec(ROLLUP_SUFFIX.queues(at.date), queueField(v.queue, at.hour), zeroQueue);
    q.offered++;
    const wait = visitWaitSeconds(v);
    if (v.answeredAt !== null) {
      q.answered++;
      if (wait! <= thOf(v.queue).targetSeconds) q.answeredWithinTarget++;
      if (wait! <= thOf(v.queue).guaranteeSeconds) q.withinGuarantee++;
      if (v.talkSeconds !== null) {
        q.talkSum += v.talkSeconds;
        q.talkCount++;
      }
    } else if (isVisitEnd(v.status)) q[v.status]++;
    else q.unknown++;
    if (wait !== null) {
      q.waitSum += wait;
      q.waitCount++;
      if (wait > q.longestWait) q.longestWait = wait;
    }
    if (v.status === 'abandoned' || v.status === 'shortAbandoned') {
      const left = v.endedAt ?? v.joinedAt;
      indexes.push([ROLLUP_SUFFIX.abandoned(at.date), v.joinedAt, [clean(v.queue), clean(r.linkedid), left, v.status === 'shortAbandoned' ? 1 : 0, caller].join(SUB)]);
    }
    if (v.answeredAt !== null && v.agent) {
      const day = dateHour(v.answeredAt, tz).date;
      const before = r.transfers.filter((t) => t.at < v.answeredAt!).length;
      for (const field of [agentField(v.agent), agentField(v.agent, v.queue)]) {
        const a = vec(ROLLUP_SUFFIX.agents(day), field, zeroAgent);
        a.answered++;
        if (v.talkSeconds !== null) {
          a.talkSum += v.talkSeconds;
          a.talkCount++;
        }
        if (before >= callTh.maxTransfers) a.atLimit++;
      }
    }
  }
  for (const t of r.transfers) {
    if (!t.agent) continue;
    const day = dateHour(t.at, tz).date;
    const queue = transferQueue(r, t.agent, t.at);
    const fields = queue ? [agentField(t.agent), agentField(t.agent, queue)] : [agentField(t.agent)];
    for (const field of fields) vec(ROLLUP_SUFFIX.agents(day), field, zeroAgent).transfers++;
  }
  const first = firstQueue(r);
  if (first !== null) {
    const at = dateHour(r.firstJoinedAt, tz);
    const q = vec(ROLLUP_SUFFIX.queues(at.date), queueField(first, at.hour), zeroQueue);
    q.calls++;
    if (r.breached) q.guaranteeBreaches++;
    if (r.overTransferLimit) q.overTransferLimit++;
    if (isBreach(r)) {
      q.breaches++;
      const queues = [...new Set(r.visits.map((v) => clean(v.queue)))].join(LIST);
      indexes.push([ROLLUP_SUFFIX.breaches(at.date), r.firstJoinedAt, [clean(first), clean(r.linkedid), queues].join(SUB)]);
    }
    const n = Math.min(3, r.transfers.length);
    q[n === 0 ? 'transferred0' : n === 1 ? 'transferred1' : n === 2 ? 'transferred2' : 'transferredMore']++;
  }
  return { hashes, indexes };
}

/**
 * The contribution as the Lua script reads it: entries separated by \x1e, parts by \x1f.
 *   h <suffix> <field> <v1,v2,…>   add the vector to the hash field (a value "m5" is a maximum)
 *   z <suffix> <score> <member>    an index entry
 */
export function encodeContribution(c: Contribution): string {
  const out: string[] = [];
  for (const [suffix, fields] of c.hashes) {
    const metrics = suffix.startsWith('rq:') ? QUEUE_ROLLUP : AGENT_ROLLUP;
    for (const [field, v] of fields) {
      const values = metrics.map(([m, kind]) => {
        const x = (v as Record<string, number>)[m]!;
        return kind === 'max' ? `m${x}` : String(x);
      });
      out.push(['h', suffix, field, values.join(',')].join(PART));
    }
  }
  for (const [suffix, score, member] of c.indexes) out.push(['z', suffix, String(Math.round(score)), member].join(PART));
  return out.join(ENTRY);
}

// ------------------------------------------------------------------ reading

/**
 * Adds a hash field's stored vector into positional sums (a maximum keeps the larger): how a
 * reader adds up the shards of a date without an object per shard's field.
 */
export function addStoredVector(into: number[], metrics: ReadonlyArray<readonly [string, RollupKind]>, text: string): void {
  let start = 0;
  for (let i = 0; i < metrics.length; i++) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    const x = start < text.length ? Number(text.slice(start, end)) || 0 : 0;
    into[i] = metrics[i]![1] === 'max' ? Math.max(into[i]!, x) : into[i]! + x;
    start = end + 1;
  }
}

/** Positional sums back to named numbers. */
export function namedVector<M extends string>(metrics: ReadonlyArray<readonly [M, RollupKind]>, values: number[]): Record<M, number> {
  const out = {} as Record<M, number>;
  metrics.forEach(([m], i) => (out[m] = values[i]!));
  return out;
}


/** A hash field's value as stored: the metrics' numbers in catalogue order. */
export function vectorText<M extends string>(metrics: ReadonlyArray<readonly [M, RollupKind]>, v: Record<M, number>): string {
  return metrics.map(([m]) => String(v[m] ?? 0)).join(',');
}

/** Adds a contribution into in-memory sums (as the Lua script adds it into Redis). */
export function addContribution(into: Contribution, c: Contribution): void {
  for (const [suffix, fields] of c.hashes) {
    const metrics: ReadonlyArray<readonly [string, RollupKind]> = suffix.startsWith('rq:') ? QUEUE_ROLLUP : AGENT_ROLLUP;
    let have = into.hashes.get(suffix);
    if (!have) into.hashes.set(suffix, (have = new Map()));
    for (const [field, v] of fields) {
      const cur = have.get(field) as Record<string, number> | undefined;
      if (!cur) {
        have.set(field, { ...v });
        continue;
      }
      for (const [m, kind] of metrics) cur[m] = kind === 'max' ? Math.max(cur[m]!, (v as Record<string, number>)[m]!) : cur[m]! + (v as Record<string, number>)[m]!;
    }
  }
  into.indexes.push(...c.indexes);
}

/** The local date a suffix (`rq:2026-11-16`) is for. */
export const suffixDate = (suffix: string): string => suffix.slice(suffix.indexOf(':') + 1);

/** The local dates that [from, to) touches, oldest first. */
export function datesOf(from: number, to: number, timeZone: string): string[] {
  const out: string[] = [];
  if (to <= from) return out;
  const last = localDate(to - 1, timeZone);
  // Step by 20 hours: no local day (23–25 h) is skipped, each is met at least once.
  for (let t = from; ; t += 20 * 3_600_000) {
    const d = localDate(Math.min(t, to - 1), timeZone);
    if (out.at(-1) !== d) out.push(d);
    if (d === last) return out;
  }
}
