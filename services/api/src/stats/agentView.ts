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
import { dayIndex, dedupeRecords, tallyAgents } from './weekly.ts';

const EMPTY: AgentFigures = { answered: 0, talkSeconds: 0, averageTalkSeconds: null, transfersMade: 0, answeredAtTransferLimit: 0 };

export interface AgentViewDeps {
  redis: Redis | Cluster;
  keys: Keys;
  records: CallRecords;
  thresholds: Thresholds;
  timeZone: string;
}

/** Snapshots of several agents from one read of the week's records. */
export async function agentSnapshots(d: AgentViewDeps, agents: string[], now = Date.now()): Promise<Map<string, AgentSnapshot>> {
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
