/**
 * The one way Belofte loads and calls a Lua script. A module declares its scripts once — the
 * folder they live in and, per script, how many KEYS it takes (BullMQ's `name-N` in a
 * declaration) — and calls them by name: directly, or queued on a pipeline or MULTI.
 *
 * Sources are read once. Each client gets them through ioredis' `defineCommand` (EVALSHA,
 * falling back to EVAL when a direct call meets an empty script cache). Inside a MULTI that
 * fallback cannot happen — the transaction answers NOSCRIPT for every call in it — so `exec`
 * loads the scripts into every master again and sends the pipeline once more (every Belofte
 * script is idempotent, so a batch sent twice counts once).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChainableCommander, Cluster, Redis } from 'ioredis';

type AnyRedis = Redis | Cluster;
export type ScriptArgs = Array<string | number>;
type Callable = Record<string, (...a: ScriptArgs) => unknown>;

/** A pipeline's replies, as ioredis gives them. */
export type PipelineReplies = Array<[Error | null, unknown]>;

export class Scripts<Name extends string> {
  private readonly sources = new Map<Name, string>();
  private readonly defined = new WeakSet<object>();

  /**
   * @param dir the folder of `<name>.lua`, as a path or relative to a module (`new URL('./lua', import.meta.url)`)
   * @param declared script name → number of KEYS
   */
  constructor(
    dir: string | URL,
    private readonly declared: Record<Name, number>,
  ) {
    const folder = typeof dir === 'string' ? dir : fileURLToPath(dir);
    for (const name of Object.keys(declared) as Name[]) this.sources.set(name, readFileSync(path.join(folder, `${name}.lua`), 'utf8'));
  }

  get names(): Name[] {
    return [...this.sources.keys()];
  }

  /** The script's source (tests read it). */
  source(name: Name): string {
    return this.sources.get(name)!;
  }

  /** Makes the scripts callable on this client and its pipelines (once per client). */
  define(redis: AnyRedis): void {
    if (this.defined.has(redis)) return;
    for (const [name, lua] of this.sources) {
      if (!(redis as unknown as Callable)[name]) redis.defineCommand(name, { numberOfKeys: this.declared[name], lua });
    }
    this.defined.add(redis);
  }

  private check(name: Name, keys: string[]): void {
    if (keys.length !== this.declared[name]) throw new Error(`script ${name} takes ${this.declared[name]} keys, got ${keys.length}`);
  }

  /** Queues a call on a pipeline or transaction of a client this registry defined. */
  queue(p: ChainableCommander, name: Name, keys: string[], args: ScriptArgs): void {
    this.check(name, keys);
    (p as unknown as Callable)[name]!(...keys, ...args);
  }

  /** Runs a script now. */
  async run(redis: AnyRedis, name: Name, keys: string[], args: ScriptArgs): Promise<unknown> {
    this.check(name, keys);
    this.define(redis);
    return (redis as unknown as Callable)[name]!(...keys, ...args);
  }

  /** Loads every script into every master (after SCRIPT FLUSH, or a failover to a node that never saw them). */
  async reload(redis: AnyRedis): Promise<void> {
    const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? redis.nodes('master') : [redis as Redis];
    for (const node of nodes) for (const lua of this.sources.values()) await node.script('LOAD', lua);
  }

  /**
   * Builds and sends a pipeline; when a script in it answers NOSCRIPT (also inside a MULTI,
   * where the error sits in EXEC's reply), reloads the scripts and sends it once more.
   * Returns the replies of the last attempt; other errors are the caller's to judge.
   */
  async exec(redis: AnyRedis, build: (p: ChainableCommander) => void, onReload?: () => void): Promise<PipelineReplies> {
    this.define(redis);
    for (let attempt = 0; ; attempt++) {
      const p = redis.pipeline();
      build(p);
      const replies = (await p.exec()) as PipelineReplies | null;
      if (!replies) throw new Error('Redis pipeline was discarded');
      if (attempt > 0 || !replies.some(([err, reply]) => isNoScript(err ?? firstError(reply)))) return replies;
      onReload?.();
      await this.reload(redis);
    }
  }
}

/** The first error inside a reply (EXEC holds each command's own result). */
export function firstError(reply: unknown): Error | undefined {
  return Array.isArray(reply) ? reply.find((r): r is Error => r instanceof Error) : undefined;
}

function isNoScript(e: Error | null | undefined): boolean {
  return !!e && /NOSCRIPT/.test(e.message);
}
