/**
 * Weekly statistics from the durable call records.
 *
 * What counts, and where (README "Weekly statistics"):
 *
 * - **Per queue = per queue entry.** Each QueueCallerJoin is an offer to that queue, as
 *   Asterisk's queue_log counts ENTERQUEUE: a call transferred from Afval into Parkeren is
 *   offered once to each. An entry belongs to the local day and hour in which it joined the
 *   queue; its answer, abandon and talk are counted there too (a wait that crosses midnight
 *   stays with the day it started). This is how `/api/live` counts.
 * - **Call figures are per customer call** (one Linkedid, however often transferred): calls,
 *   guarantee breaches, over the transfer limit, breaches and their follow-up, and the
 *   0 / 1 / 2 / more-than-2 transfers split. A call is booked on the queue of its first entry,
 *   at the time of its first entry — as the live breach counts are.
 * - **Total = the sum of the queues**, for every count; averages and the service level are
 *   recomputed from the summed counts, never averaged. So the total's `offered` counts
 *   entries (a transferred call twice) and its `calls` counts each customer call once.
 * - **Service level** = answered within TARGET_SECONDS / (answered + abandoned + timedOut +
 *   movedOut): short abandons (within SHORT_ABANDON_SECONDS) and entries with an unseen end
 *   are left out, as on the wallboard (one formula: the catalogue's). "Within" uses Asterisk's
 *   HoldTime.
 * - **Waits**: an entry's wait is HoldTime when answered, otherwise the time from joining to
 *   leaving the queue (abandoned, short-abandoned, timed out, moved out), in whole seconds;
 *   entries with an unseen end have none. **Talk**: AgentComplete's TalkTime of answered entries.
 * - **Agents**: an agent's answered entries and talk time belong to the day of the answer,
 *   their transfers to the day of the transfer. "Answered at the transfer limit" = entries
 *   they answered when the call had already been transferred MAX_TRANSFERS times or more.
 *   With a queue filter, an agent's transfers count for the queue of the entry they were
 *   handling (the last one they answered in that call before the transfer).
 * - Only **finished** calls are in the records; a call still going on counts once it ends.
 * - Days and hours are local (BELOFTE_TIMEZONE, Europe/Amsterdam): the week of the spring
 *   change has 167 hours and no hour 2 on its Sunday; the autumn one has 169, and hour 2 of
 *   that Sunday holds two real hours.
 */
import type { CallRecord, RecordedVisit } from '@belofte/shared/callRecord';
import { emptyCounts, isVisitEnd, serviceLevel, WINDOW_METRIC_NAMES } from '@belofte/shared/catalogue';
import { firstQueue, isBreach, transferQueue, visitWaitSeconds, type AgentVector, type QueueVector } from '@belofte/shared/rollup';
import type { Thresholds } from '@belofte/shared/figures';
import { formatIsoWeek, isoWeekSpan, localParts, type IsoWeek, type IsoWeekSpan } from '@belofte/shared/time';
import { QueueSettings } from '@belofte/shared/queueSettings';
import type { AgentFigures, AgentWeek, PeriodFigures, ScopeFigures, WeeklyStats } from '../schemas/stats.ts';

/** What the weekly figures need to know of a breach's follow-up. */
export interface FollowUpSummary {
  closed: boolean;
  complaintReceived: boolean;
  compensated: boolean;
}

export interface WeeklyInput {
  week: IsoWeek;
  timeZone: string;
  thresholds: Thresholds;
  /** Per-queue targets, names and order (BELOFTE_QUEUES); default: `thresholds` for every queue. */
  queueSettings?: QueueSettings;
  site?: string;
  /** Only this queue; null or undefined for every queue. */
  queue?: string | null;
  /** Finished calls whose first entry may fall in the week (a margin before it is fine). */
  records: CallRecord[];
  followUps: Map<string, FollowUpSummary>;
  now?: number;
}

export { firstQueue, isBreach, transferQueue, visitWaitSeconds };

const round1 = (x: number) => Math.round(x * 10) / 10;
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * Drops records that are another record under an old name: when two Linkedids turned out to be
 * one call, the kept record lists the other among its aliases.
 */
export function dedupeRecords(records: CallRecord[]): CallRecord[] {
  const aliases = new Set<string>();
  for (const r of records) for (const a of r.aliases ?? []) if (a !== r.linkedid) aliases.add(a);
  const seen = new Set<string>();
  const out: CallRecord[] = [];
  for (const r of records) {
    if (aliases.has(r.linkedid) || seen.has(r.linkedid)) continue;
    seen.add(r.linkedid);
    out.push(r);
  }
  return out;
}

export class PeriodAcc {
  /** The catalogue's counts: entries by how they ended, and the call figures. */
  readonly counts = emptyCounts();
  withinGuarantee = 0;
  waitSum = 0;
  waitCount = 0;
  longestWait = 0;
  talkSum = 0;
  talkCount = 0;
  calls = 0;
  breaches = 0;
  breachesClosed = 0;
  breachesWithComplaint = 0;
  breachesCompensated = 0;
  transferred = [0, 0, 0, 0];

  addVisit(v: RecordedVisit, th: Thresholds): void {
    const c = this.counts;
    c.offered++;
    const wait = visitWaitSeconds(v);
    if (v.answeredAt !== null) {
      c.answered++;
      if (wait! <= th.targetSeconds) c.answeredWithinTarget++;
      if (wait! <= th.guaranteeSeconds) this.withinGuarantee++;
      if (v.talkSeconds !== null) {
        this.talkSum += v.talkSeconds;
        this.talkCount++;
      }
    } else if (isVisitEnd(v.status)) c[v.status]++;
    else c.unknown++;
    if (wait !== null) {
      this.waitSum += wait;
      this.waitCount++;
      if (wait > this.longestWait) this.longestWait = wait;
    }
  }

  /** A rolled-up bucket (services/shared/src/rollup.ts): the same sums, already added up. */
  addRollup(v: QueueVector): void {
    // Every catalogue metric is rolled up (rollup.ts checks it at compile time).
    for (const m of WINDOW_METRIC_NAMES) this.counts[m] += v[m];
    this.withinGuarantee += v.withinGuarantee;
    this.waitSum += v.waitSum;
    this.waitCount += v.waitCount;
    if (v.waitCount > 0 && v.longestWait > this.longestWait) this.longestWait = v.longestWait;
    this.talkSum += v.talkSum;
    this.talkCount += v.talkCount;
    this.calls += v.calls;
    this.breaches += v.breaches;
    this.transferred[0]! += v.transferred0;
    this.transferred[1]! += v.transferred1;
    this.transferred[2]! += v.transferred2;
    this.transferred[3]! += v.transferredMore;
  }

  /** A breach's follow-up, counted on the bucket of its call. */
  addFollowUp(f: FollowUpSummary | undefined): void {
    if (f?.closed) this.breachesClosed++;
    if (f?.complaintReceived) this.breachesWithComplaint++;
    if (f?.compensated) this.breachesCompensated++;
  }

  addCall(r: CallRecord, followUp: FollowUpSummary | undefined): void {
    this.calls++;
    if (r.breached) this.counts.guaranteeBreaches++;
    if (r.overTransferLimit) this.counts.overTransferLimit++;
    if (isBreach(r)) {
      this.breaches++;
      this.addFollowUp(followUp);
    }
    this.transferred[Math.min(3, r.transfers.length)]!++;
  }

  add(o: PeriodAcc): void {
    for (const k of Object.keys(this) as Array<keyof PeriodAcc>) {
      if (k === 'counts') for (const m of WINDOW_METRIC_NAMES) this.counts[m] += o.counts[m];
      else if (k === 'transferred') o.transferred.forEach((n, i) => (this.transferred[i]! += n));
      else if (k === 'longestWait') this.longestWait = Math.max(this.longestWait, o.longestWait);
      else if (typeof this[k] === 'number') (this as unknown as Record<string, number>)[k]! += o[k] as number;
    }
  }

  figures(): PeriodFigures {
    const sl = serviceLevel(this.counts);
    // Object.assign, not `{ ...this.counts, more }`: V8 builds that literal (the counts spread,
    // then 16 more properties) some hundred times slower, and a weekly report builds 200 of
    // them in one go. Same properties, same order.
    return Object.assign({}, this.counts, {
      serviceLevel: sl === null ? null : round4(sl),
      answeredWithinGuarantee: this.withinGuarantee,
      averageWaitSeconds: this.waitCount === 0 ? null : round1(this.waitSum / this.waitCount),
      longestWaitSeconds: this.longestWait,
      averageTalkSeconds: this.talkCount === 0 ? null : round1(this.talkSum / this.talkCount),
      calls: this.calls,
      breaches: this.breaches,
      breachesOpen: this.breaches - this.breachesClosed,
      breachesClosed: this.breachesClosed,
      breachesWithComplaint: this.breachesWithComplaint,
      breachesCompensated: this.breachesCompensated,
      callsTransferred0: this.transferred[0]!,
      callsTransferred1: this.transferred[1]!,
      callsTransferred2: this.transferred[2]!,
      callsTransferredMore: this.transferred[3]!,
    });
  }
}

/** Week, 7 days and 24 hours of one scope. */
export class ScopeAcc {
  readonly week = new PeriodAcc();
  readonly days = Array.from({ length: 7 }, () => new PeriodAcc());
  readonly hours = Array.from({ length: 24 }, () => new PeriodAcc());

  at(day: number, hour: number): PeriodAcc[] {
    return [this.week, this.days[day]!, this.hours[hour]!];
  }

  add(o: ScopeAcc): void {
    this.week.add(o.week);
    this.days.forEach((d, i) => d.add(o.days[i]!));
    this.hours.forEach((h, i) => h.add(o.hours[i]!));
  }

  figures(span: IsoWeekSpan): ScopeFigures {
    return {
      week: this.week.figures(),
      days: this.days.map((d, i) => Object.assign(d.figures(), { date: span.dates[i]!, weekday: i + 1 })),
      hours: this.hours.map((h, i) => Object.assign(h.figures(), { hour: i })),
    };
  }
}

/** Which day of the span (0–6) an instant falls in, or -1 outside it. */
export function dayIndex(span: IsoWeekSpan, ms: number): number {
  if (ms < span.from || ms >= span.to) return -1;
  for (let i = 6; i >= 0; i--) if (ms >= span.dayStarts[i]!) return i;
  return -1;
}

export class AgentAcc {
  answered = 0;
  talkSum = 0;
  talkCount = 0;
  transfers = 0;
  atLimit = 0;

  addRollup(v: AgentVector): void {
    this.answered += v.answered;
    this.talkSum += v.talkSum;
    this.talkCount += v.talkCount;
    this.transfers += v.transfers;
    this.atLimit += v.atLimit;
  }

  figures(): AgentFigures {
    return {
      answered: this.answered,
      talkSeconds: this.talkSum,
      averageTalkSeconds: this.talkCount === 0 ? null : round1(this.talkSum / this.talkCount),
      transfersMade: this.transfers,
      answeredAtTransferLimit: this.atLimit,
    };
  }
}

export interface AgentTallyOptions {
  span: IsoWeekSpan;
  maxTransfers: number;
  queue?: string | null;
  /** Only this agent. */
  agent?: string | null;
}

/** Per agent: the week and each of its days. Records may include calls still in progress. */
export function tallyAgents(records: CallRecord[], o: AgentTallyOptions): AgentWeek[] {
  const agents = new Map<string, { week: AgentAcc; days: AgentAcc[] }>();
  const of = (name: string) => {
    let a = agents.get(name);
    if (!a) {
      a = { week: new AgentAcc(), days: Array.from({ length: 7 }, () => new AgentAcc()) };
      agents.set(name, a);
    }
    return a;
  };
  const wanted = (name: string | null): name is string => name !== null && (!o.agent || name === o.agent);
  for (const r of records) {
    for (const v of r.visits) {
      if (!wanted(v.agent) || v.answeredAt === null || (o.queue && v.queue !== o.queue)) continue;
      const d = dayIndex(o.span, v.answeredAt);
      if (d < 0) continue;
      const before = r.transfers.filter((t) => t.at < v.answeredAt!).length;
      const a = of(v.agent);
      for (const acc of [a.week, a.days[d]!]) {
        acc.answered++;
        if (v.talkSeconds !== null) {
          acc.talkSum += v.talkSeconds;
          acc.talkCount++;
        }
        if (before >= o.maxTransfers) acc.atLimit++;
      }
    }
    for (const t of r.transfers) {
      if (!wanted(t.agent)) continue;
      const d = dayIndex(o.span, t.at);
      if (d < 0) continue;
      if (o.queue && transferQueue(r, t.agent, t.at) !== o.queue) continue;
      const a = of(t.agent);
      a.week.transfers++;
      a.days[d]!.transfers++;
    }
  }
  return [...agents.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, a]) => ({
      agent,
      week: a.week.figures(),
      days: a.days.map((d, i) => ({ ...d.figures(), date: o.span.dates[i]! })),
    }));
}

/** The weekly statistics document. Pure: records in, figures out. */
export function weeklyStats(input: WeeklyInput): WeeklyStats {
  const { thresholds: th, timeZone } = input;
  const span = isoWeekSpan(input.week, timeZone);
  const queueFilter = input.queue ?? null;
  const scopes = new Map<string, ScopeAcc>();
  const scope = (name: string) => {
    let s = scopes.get(name);
    if (!s) {
      s = new ScopeAcc();
      scopes.set(name, s);
    }
    return s;
  };
  if (queueFilter) scope(queueFilter);
  const records = dedupeRecords(input.records);
  for (const r of records) {
    for (const v of r.visits) {
      if (queueFilter && v.queue !== queueFilter) continue;
      const d = dayIndex(span, v.joinedAt);
      if (d < 0) continue;
      const hour = localParts(v.joinedAt, timeZone).hour;
      const vth = input.queueSettings?.thresholds(v.queue, input.site) ?? th;
      for (const acc of scope(v.queue).at(d, hour)) acc.addVisit(v, vth);
    }
    const q = firstQueue(r);
    if (q === null || (queueFilter && q !== queueFilter)) continue;
    const d = dayIndex(span, r.firstJoinedAt);
    if (d < 0) continue;
    const hour = localParts(r.firstJoinedAt, timeZone).hour;
    const followUp = input.followUps.get(r.linkedid);
    for (const acc of scope(q).at(d, hour)) acc.addCall(r, followUp);
  }
  return weeklyDocument({ week: input.week, timeZone, thresholds: th, queue: queueFilter, now: input.now, queueSettings: input.queueSettings, site: input.site }, span, scopes, tallyAgents(records, { span, maxTransfers: th.maxTransfers, queue: queueFilter }));
}

/** The document from the accumulated scopes (per queue) and agents: the total is the sum of the queues. */
export function weeklyDocument(
  o: { week: IsoWeek; timeZone: string; thresholds: Thresholds; queue: string | null; now?: number; queueSettings?: QueueSettings; site?: string },
  span: IsoWeekSpan,
  scopes: Map<string, ScopeAcc>,
  agents: AgentWeek[],
): WeeklyStats {
  const total = new ScopeAcc();
  // Queue names are the switch's data: a queue called `__proto__` must stay a queue.
  const queues: Record<string, ScopeFigures> = Object.create(null);
  const settings = o.queueSettings ?? new QueueSettings([], o.thresholds);
  const queueProfiles: WeeklyStats['queueProfiles'] = Object.create(null);
  for (const name of settings.sort([...scopes.keys()], o.site)) {
    const s = scopes.get(name)!;
    total.add(s);
    queues[name] = s.figures(span);
    const p = settings.profile(name, o.site);
    queueProfiles[name] = { displayName: p.displayName, targets: p.targets };
  }
  return {
    week: formatIsoWeek(o.week),
    from: new Date(span.from).toISOString(),
    to: new Date(span.to).toISOString(),
    timeZone: o.timeZone,
    dates: span.dates,
    queue: o.queue,
    thresholds: o.thresholds,
    generatedAt: new Date(o.now ?? Date.now()).toISOString(),
    total: total.figures(span),
    queues,
    queueProfiles,
    agents,
  };
}
