/**
 * Writes finished calls: each record, in its hour bucket, with what it adds to the rollups and
 * indexes, through callFinished.lua — one pipeline per durable base (its own cluster slot).
 *
 * A call written before in another form (merged with another call, finished again after a
 * replay) is found by the script, which then changes nothing and hands back the earlier
 * version. Its contribution is worked out here with the rules it was counted with (the stamp
 * it carries, looked up in Keys.rollupRules), and the script is called again to take exactly
 * that out and put the new record in, provided the earlier version is still what was read.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis';
import { recordBucketExpiry, recordDay, recordHour, recordWhereBlock, recordWhereExpiry, type Keys } from '@belofte/shared/keys';
import { contributionOf, encodeContribution, rollupRulesOfSpec, rollupTtlSeconds, rulesStamp, specOf, type RollupRules } from '@belofte/shared/rollup';
import type { ScriptArgs } from '@belofte/shared/scripts';
import { decodeRecord, encodeRecord, findableById, mergedMarker } from '@belofte/shared/storedRecord';
import type { CustomerCall } from '../domain/types.ts';
import { scripts } from './scripts.ts';

const ATTEMPTS = 5;

interface Write {
  base: string;
  id: string;
  stored: string;
  contribution: string;
  hour: number;
  findable: boolean;
  /** Hours an earlier version may be in (its first entry was one of this call's entries). */
  candidates: number[];
  /** Set on a second attempt: the earlier version as read, where, and its contribution. */
  earlier?: { bucket: string; text: string; takeBack: string; where: string };
}

export interface RecordWriteStats {
  /** Records that replaced an earlier version of themselves. */
  rewritten: number;
  /** Earlier versions whose rules were no longer known (counted with the current ones instead). */
  unknownRules: number;
  /** Earlier versions that could not be read (nothing was taken back for them). */
  unreadable: number;
}

export class RecordWrites {
  readonly stats: RecordWriteStats = { rewritten: 0, unknownRules: 0, unreadable: 0 };
  private readonly spec: string;
  readonly stamp: string;
  private readonly known = new Map<string, RollupRules>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly keys: Keys,
    private readonly rules: RollupRules,
    private readonly retentionDays: number,
    private readonly onReload: () => void,
  ) {
    this.spec = specOf(rules);
    this.stamp = rulesStamp(this.spec);
    this.known.set(this.stamp, rules);
  }

  /** Keeps this writer's rules findable by their stamp (with every batch of records: an emptied Redis gets them back). */
  register(p: ChainableCommander): void {
    p.hset(this.keys.rollupRules, this.stamp, this.spec);
  }

  async write(calls: CustomerCall[]): Promise<void> {
    let pending = calls.flatMap((c) => this.writesOf(c));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > ATTEMPTS) throw new Error(`${pending.length} call record(s) kept changing while being written`);
      pending = await this.send(pending);
    }
  }

  /** A call's record, and a marker for every alias whose earlier record is part of it now. */
  private writesOf(call: CustomerCall): Write[] {
    const stored = encodeRecord(call, this.stamp);
    // Counted from what will be read back, so a later rewrite takes out exactly this.
    const record = decodeRecord(call.linkedid, stored)!.record;
    const hour = recordHour(record.firstJoinedAt);
    const candidates = [...new Set(record.visits.map((v) => recordHour(v.joinedAt)))];
    const out: Write[] = [
      { base: this.keys.durableBase(call.linkedid), id: call.linkedid, stored, contribution: encodeContribution(contributionOf(record, this.rules)), hour, findable: findableById(record), candidates },
    ];
    for (const alias of call.aliases) {
      if (alias !== call.linkedid) out.push({ base: this.keys.durableBase(alias), id: alias, stored: mergedMarker(call.linkedid), contribution: '', hour, findable: false, candidates });
    }
    return out;
  }

  /** One round of the script for every write; returns those to try again. */
  private async send(writes: Write[]): Promise<Write[]> {
    const byBase = new Map<string, Write[]>();
    for (const w of writes) byBase.set(w.base, [...(byBase.get(w.base) ?? []), w]);
    const again: Write[] = [];
    await Promise.all(
      [...byBase.values()].map(async (group) => {
        const replies = await scripts.exec(this.redis, (p) => group.forEach((w) => this.queue(p, w)), this.onReload);
        for (const [i, [err, reply]] of replies.entries()) {
          if (err) throw err;
          const w = group[i]!;
          if (Array.isArray(reply)) again.push(await this.withEarlier(w, String(reply[0]), String(reply[1])));
          else if (reply === -1) again.push({ ...w, earlier: undefined });
          else if (w.earlier && reply === 1) this.stats.rewritten++;
        }
      }),
    );
    return again;
  }

  private queue(p: ChainableCommander, w: Write): void {
    const k = this.keys;
    const bucket = k.recordBucket(w.base, w.hour);
    const block = recordWhereBlock(w.hour);
    const where = k.recordWhere(w.base, block);
    const args: ScriptArgs = [
      w.id,
      w.stored,
      w.contribution,
      recordBucketExpiry(w.hour, this.retentionDays),
      w.base,
      rollupTtlSeconds(this.retentionDays),
      w.findable ? w.hour : '',
      recordWhereExpiry(block, this.retentionDays),
      w.earlier?.text ?? '',
      w.earlier?.takeBack ?? '',
      recordDay(w.hour),
    ];
    if (!w.earlier) for (const h of w.candidates) if (h !== w.hour) args.push(k.recordBucket(w.base, h));
    scripts.queue(p, 'callFinished', [bucket, where, w.earlier?.bucket ?? bucket, w.earlier?.where ?? where, k.recordDays(w.base)], args);
  }

  /** The second attempt: the earlier version's contribution, counted with its own rules. */
  private async withEarlier(w: Write, bucket: string, text: string): Promise<Write> {
    let takeBack = '';
    let where = this.keys.recordWhere(w.base, recordWhereBlock(w.hour));
    try {
      const earlier = decodeRecord(w.id, text);
      if (earlier) {
        takeBack = encodeContribution(contributionOf(earlier.record, await this.rulesOf(earlier.rules)));
        where = this.keys.recordWhere(w.base, recordWhereBlock(recordHour(earlier.record.firstJoinedAt)));
      }
    } catch {
      // Not a record (written by hand, or damaged): it is replaced, with nothing to take back.
      this.stats.unreadable++;
    }
    return { ...w, earlier: { bucket, text, takeBack, where } };
  }

  private async rulesOf(stamp: string): Promise<RollupRules> {
    const hit = this.known.get(stamp);
    if (hit) return hit;
    const spec = await this.redis.hget(this.keys.rollupRules, stamp);
    let rules: RollupRules | null = null;
    try {
      rules = spec === null ? null : rollupRulesOfSpec(spec);
    } catch {
      rules = null;
    }
    if (!rules) {
      this.stats.unknownRules++;
      return this.rules;
    }
    this.known.set(stamp, rules);
    return rules;
  }
}
