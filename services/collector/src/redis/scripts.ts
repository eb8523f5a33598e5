/**
 * The Lua commands in ./commands, loaded once into an ioredis client and called by name
 * (EVALSHA, falling back to EVAL after a Redis restart flushed the script cache).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');

/** Script name → number of KEYS it takes. */
export const SCRIPTS = {
  visitJoined: 3,
  visitAnswered: 5,
  visitEnded: 2,
  callMarked: 2,
  callTransferred: 2,
  callSaved: 1,
  callFinished: 3,
  callMerged: 2,
  agentSaved: 2,
  trimWindows: 2,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

const source = (name: string) => readFileSync(path.join(dir, `${name}.lua`), 'utf8');

export function defineScripts(redis: Redis | Cluster): void {
  for (const [name, numberOfKeys] of Object.entries(SCRIPTS)) {
    if ((redis as unknown as Record<string, unknown>)[name]) continue;
    redis.defineCommand(name, { numberOfKeys, lua: source(name) });
  }
}

/**
 * Loads every script into Redis again. Needed after `SCRIPT FLUSH` (or a failover to a node
 * that never saw them): inside a MULTI, ioredis cannot fall back from EVALSHA to EVAL, so the
 * writer reloads and retries when a transaction answers NOSCRIPT.
 */
export async function reloadScripts(redis: Redis | Cluster): Promise<void> {
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis as Redis];
  for (const node of nodes) for (const name of Object.keys(SCRIPTS)) await node.script('LOAD', source(name));
}

/** Queues a script call on a pipeline or transaction (keys first, then args). */
export function callScript(p: ChainableCommander, name: ScriptName, keys: string[], args: Array<string | number>): void {
  if (keys.length !== SCRIPTS[name]) throw new Error(`${name} takes ${SCRIPTS[name]} keys, got ${keys.length}`);
  (p as unknown as Record<string, (...a: Array<string | number>) => void>)[name]!(...keys, ...args);
}

/** Runs a script directly. */
export async function runScript(redis: Redis | Cluster, name: ScriptName, keys: string[], args: Array<string | number>): Promise<unknown> {
  return (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name]!(...keys, ...args);
}
