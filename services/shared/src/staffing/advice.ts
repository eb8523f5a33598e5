/**
 * Staffing advice for one queue, live: how many agents Erlang A says are needed now to reach
 * the queue's service-level target, from what the queue did in the last hour.
 *
 * - Arrivals: queue entries of the last 30 minutes, as calls per hour (the load now; an hour
 *   would lag a morning rush by half an hour).
 * - Handle time: mean Asterisk TalkTime of the conversations that ended in the last 60 minutes,
 *   plus the wrap-up time of the queue (more conversations make a steadier mean).
 * - Patience: the callers' mean patience as the abandons of the last 60 minutes show it — the
 *   time every caller spent waiting (answered or not, still waiting included) ÷ the callers who
 *   gave up: the maximum-likelihood estimate of an exponential patience when most callers are
 *   answered before their patience runs out. Nobody gave up: null (Erlang C).
 *
 * Pure: visits in, advice out.
 */
import type { RecordedVisit } from '../callRecord.ts';
import { agentsNeeded } from './erlang.ts';

export const ARRIVALS_WINDOW_MS = 30 * 60_000;
export const HANDLE_WINDOW_MS = 60 * 60_000;
/** Fewer queue entries than this in 30 minutes, or fewer conversations in 60: too little to say. */
export const MIN_ARRIVALS = 5;
export const MIN_CONVERSATIONS = 5;

/** The advice as `/api/live` shows it per queue. */
export interface Staffing {
  /** Agents needed now to reach the target (Erlang A); null while there is too little traffic to say. */
  agentsNeeded: number | null;
  /** Agents logged in to the queue and not paused or unavailable (free, ringing, on a call, in wrap-up). */
  agentsAvailable: number;
  /** Queue entries of the last 30 minutes, per hour. */
  arrivalsPerHour: number;
  /** Mean talk time of the last 60 minutes plus wrap-up, seconds; null without conversations. */
  handleSeconds: number | null;
  /** Callers' mean patience from the last 60 minutes' abandons, seconds; null when nobody gave up. */
  patienceSeconds: number | null;
  /** The targets the advice aims at. */
  targetSeconds: number;
  serviceLevelTarget: number;
  /** What the estimates stand on: entries in 30 minutes, conversations and abandons in 60. */
  sample: { arrivals: number; conversations: number; abandons: number };
}

/** What one queue did in the last hour, summed from its visits. */
export interface QueueSample {
  arrivals: number;
  conversations: number;
  talkSeconds: number;
  waitedSeconds: number;
  abandons: number;
}

const emptySample = (): QueueSample => ({ arrivals: 0, conversations: 0, talkSeconds: 0, waitedSeconds: 0, abandons: 0 });

/**
 * Sums the visits (finished calls' and calls in progress, each visit once) per queue over the
 * last 30 / 60 minutes before `now` (the switch's clock).
 */
export function sampleQueues(visits: Iterable<RecordedVisit>, now: number): Map<string, QueueSample> {
  const out = new Map<string, QueueSample>();
  const hourAgo = now - HANDLE_WINDOW_MS;
  const halfHourAgo = now - ARRIVALS_WINDOW_MS;
  for (const v of visits) {
    let s = out.get(v.queue);
    if (!s) out.set(v.queue, (s = emptySample()));
    if (v.joinedAt > halfHourAgo && v.joinedAt <= now) s.arrivals++;
    if (v.talkSeconds !== null && v.endedAt !== null && v.endedAt > hourAgo && v.endedAt <= now) {
      s.conversations++;
      s.talkSeconds += v.talkSeconds;
    }
    if (v.joinedAt > hourAgo && v.joinedAt <= now) {
      // The time this caller was willing to wait, as far as we saw it: until answered, gone, or now.
      const waitEnd = v.answeredAt ?? (v.status === 'waiting' ? now : v.endedAt);
      if (waitEnd !== null) s.waitedSeconds += Math.max(0, waitEnd - v.joinedAt) / 1000;
      if (v.status === 'abandoned' || v.status === 'shortAbandoned') s.abandons++;
    }
  }
  return out;
}

export interface AdviceInput {
  sample: QueueSample | undefined;
  /** Wrap-up after each conversation, seconds. */
  wrapupSeconds: number;
  agentsAvailable: number;
  targetSeconds: number;
  serviceLevelTarget: number;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function staffingAdvice(i: AdviceInput): Staffing {
  const s = i.sample ?? emptySample();
  const arrivalsPerHour = (s.arrivals * 3_600_000) / ARRIVALS_WINDOW_MS;
  const handleSeconds = s.conversations > 0 ? s.talkSeconds / s.conversations + i.wrapupSeconds : null;
  const patienceSeconds = s.abandons > 0 ? s.waitedSeconds / s.abandons : null;
  let needed: number | null = null;
  if (s.arrivals >= MIN_ARRIVALS && s.conversations >= MIN_CONVERSATIONS && handleSeconds !== null && handleSeconds > 0) {
    needed = agentsNeeded({ arrivalsPerSecond: arrivalsPerHour / 3600, handleSeconds, patienceSeconds }, i.targetSeconds, i.serviceLevelTarget).agents;
  }
  return {
    agentsNeeded: needed,
    agentsAvailable: i.agentsAvailable,
    arrivalsPerHour: round1(arrivalsPerHour),
    handleSeconds: handleSeconds === null ? null : round1(handleSeconds),
    patienceSeconds: patienceSeconds === null ? null : round1(patienceSeconds),
    targetSeconds: i.targetSeconds,
    serviceLevelTarget: i.serviceLevelTarget,
    sample: { arrivals: s.arrivals, conversations: s.conversations, abandons: s.abandons },
  };
}
