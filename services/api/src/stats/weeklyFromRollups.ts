/**
 * The weekly statistics from the rollups: 7 days × queues × hours of sums, the week's
 * followed-up breaches for the follow-up counts, and 7 days of per-agent sums. The same document, figure for
 * figure, as weeklyStats() computes from the call records (the reference the tests compare
 * against), at a cost that does not grow with the number of calls.
 */
import type { Thresholds } from '@belofte/shared/figures';
import { SUB } from '@belofte/shared/rollup';
import { isoWeekSpan, localParts, type IsoWeek } from '@belofte/shared/time';
import type { QueueSettings } from '@belofte/shared/queueSettings';
import type { AgentWeek, WeeklyStats } from '../schemas/stats.ts';
import { AgentAcc, dayIndex, ScopeAcc, weeklyDocument, type FollowUpSummary } from './weekly.ts';
import { nextTurn, type BreachEntry, type RollupReader } from './rollups.ts';

/** Breaches booked between two turns given back to the event loop. */
const BREACHES_PER_TURN = 200;

export interface WeeklyFromRollupsInput {
  rollups: RollupReader;
  week: IsoWeek;
  timeZone: string;
  thresholds: Thresholds;
  /** Per-queue names, order and targets (the counts were made with them by the collector). */
  queueSettings?: QueueSettings;
  site?: string;
  queue?: string | null;
  /** The breaches booked in [from, to) that may have a follow-up (FollowedUpBreaches). */
  followedUp: (from: number, to: number, timeZone: string) => Promise<BreachEntry[]>;
  /** The follow-up of each of these breach ids. */
  followUps: (ids: string[]) => Promise<Map<string, FollowUpSummary>>;
  now?: number;
}

export async function weeklyFromRollups(input: WeeklyFromRollupsInput): Promise<WeeklyStats> {
  const { timeZone, thresholds } = input;
  const span = isoWeekSpan(input.week, timeZone);
  const queueFilter = input.queue ?? null;
  const [queueDays, agentDays, breaches] = await Promise.all([
    input.rollups.queueDays(span.dates),
    input.rollups.agentDays(span.dates),
    input.followedUp(span.from, span.to, timeZone),
  ]);

  const scopes = new Map<string, ScopeAcc>();
  const scope = (name: string) => {
    let s = scopes.get(name);
    if (!s) scopes.set(name, (s = new ScopeAcc()));
    return s;
  };
  if (queueFilter) scope(queueFilter);
  // The sums are added up a day at a time, the event loop given back in between (and before
  // the document is built): a report is some 10 ms of work on a busy centre's week, which in
  // one piece a live read sent meanwhile would wait for.
  for (const [day, fields] of queueDays.entries()) {
    for (const [field, v] of fields) {
      // A bucket whose calls were all taken back out (merged into another) holds only zeros.
      if (v.offered === 0 && v.calls === 0) continue;
      const [queue = '', hour = '0'] = field.split(SUB);
      if (queueFilter && queue !== queueFilter) continue;
      for (const acc of scope(queue).at(day, Number(hour))) acc.addRollup(v);
    }
    await nextTurn();
  }

  const booked = breaches.filter((b) => !queueFilter || b.firstQueue === queueFilter);
  const followUps = await input.followUps(booked.map((b) => b.id));
  for (const [i, b] of booked.entries()) {
    if (i > 0 && i % BREACHES_PER_TURN === 0) await nextTurn();
    const day = dayIndex(span, b.at);
    if (day < 0) continue;
    for (const acc of scope(b.firstQueue).at(day, localParts(b.at, timeZone).hour)) acc.addFollowUp(followUps.get(b.id));
  }

  const agents = new Map<string, { week: AgentAcc; days: AgentAcc[] }>();
  for (const [day, fields] of agentDays.entries()) {
    await nextTurn();
    for (const [field, v] of fields) {
      const [agent = '', queue] = field.split(SUB);
      if (queueFilter ? queue !== queueFilter : queue !== undefined) continue;
      if (v.answered === 0 && v.transfers === 0) continue;
      let a = agents.get(agent);
      if (!a) agents.set(agent, (a = { week: new AgentAcc(), days: Array.from({ length: 7 }, () => new AgentAcc()) }));
      a.week.addRollup(v);
      a.days[day]!.addRollup(v);
    }
  }
  await nextTurn();
  const agentWeeks: AgentWeek[] = [...agents.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agent, a]) => ({ agent, week: a.week.figures(), days: a.days.map((d, i) => ({ ...d.figures(), date: span.dates[i]! })) }));

  return weeklyDocument({ week: input.week, timeZone, thresholds, queue: queueFilter, now: input.now, queueSettings: input.queueSettings, site: input.site }, span, scopes, agentWeeks);
}
