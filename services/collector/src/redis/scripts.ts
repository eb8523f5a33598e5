/**
 * The collector's Lua commands (./commands), one per atomic change, each declared with the
 * number of KEYS it takes. Loaded and called through the shared script registry.
 */
import type { Cluster, Redis } from 'ioredis';
import { AGENT_METRIC_NAMES, WINDOW_METRIC_NAMES } from '@belofte/shared/catalogue';
import type { Keys } from '@belofte/shared/keys';
import { Scripts } from '@belofte/shared/scripts';

export const scripts = new Scripts(new URL('./commands', import.meta.url), {
  visitJoined: 3,
  visitAnswered: 5,
  visitEnded: 2,
  callMarked: 2,
  callTransferred: 2,
  callSaved: 1,
  callFinished: 5,
  callMerged: 2,
  agentSaved: 2,
  trimWindows: 2,
  recordReplaced: 1,
  recordMoved: 5,
});

export type ScriptName = (typeof scripts)['names'][number];

/** Drops every queue and agent window entry older than `cutoff` (ms); returns how many went. */
export async function trimWindows(redis: Redis | Cluster, keys: Keys, cutoff: number): Promise<number> {
  return (await scripts.run(
    redis,
    'trimWindows',
    [keys.queues, keys.agentNames],
    [cutoff, WINDOW_METRIC_NAMES.length, ...WINDOW_METRIC_NAMES.map((m) => keys.windowPrefix(m)), ...AGENT_METRIC_NAMES.map((m) => keys.agentWindowPrefix(m))],
  )) as number;
}
