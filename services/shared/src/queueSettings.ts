/**
 * Per-queue targets, display names and board order (`BELOFTE_QUEUES`), with today's variables
 * (TARGET_SECONDS, SERVICE_LEVEL_TARGET, GUARANTEE_SECONDS, MAX_TRANSFERS) as the default of
 * every queue not listed or any target a listed queue leaves out. One place decides which
 * target applies to a queue: the collector counts with it, the API and the views show it.
 */
import { z } from 'zod';
import type { Thresholds } from './figures.ts';

/** The targets that can differ per queue. */
export interface QueueTargets {
  /** Answer target of the service level (s). */
  targetSeconds: number;
  /** The service level the queue is held to (0-1). */
  serviceLevelTarget: number;
  /** The guarantee: a person on the line within this (s); a call is held to its first queue's. */
  guaranteeSeconds: number;
  /** Transfers allowed before a call is over the limit; a call is held to its first queue's. */
  maxTransfers: number;
}

/** One entry of BELOFTE_QUEUES. */
export const QueueSettingSchema = z
  .object({
    queue: z.string().min(1).max(200),
    /** Only this site's queue of that name (default: the queue of that name on every site). */
    site: z.string().regex(/^[A-Za-z0-9_.-]+$/).optional(),
    /** Name on the board and in reports. */
    name: z.string().min(1).max(100).optional(),
    targetSeconds: z.number().int().min(1).max(3600).optional(),
    serviceLevelTarget: z.number().min(0).max(1).optional(),
    guaranteeSeconds: z.number().int().min(1).max(86_400).optional(),
    maxTransfers: z.number().int().min(0).max(100).optional(),
    /** Wrap-up per conversation for the staffing advice (default: what the members report). */
    wrapupSeconds: z.number().min(0).max(3600).optional(),
  })
  .strict();
export type QueueSetting = z.infer<typeof QueueSettingSchema>;

/** BELOFTE_QUEUES: a JSON list, in board order. */
export const QueueSettingsSchema = z
  .string()
  .default('[]')
  .transform((text, ctx): QueueSetting[] => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `must be a JSON list such as [{"queue":"support","name":"Klantcontact","targetSeconds":30}] (${(e as Error).message})` });
      return z.NEVER;
    }
    const parsed = z.array(QueueSettingSchema).safeParse(json);
    if (!parsed.success) {
      for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', message: `entry ${Number(i.path[0]) + 1}${i.path.length > 1 ? ` ${i.path.slice(1).join('.')}` : ''}: ${i.message}` });
      return z.NEVER;
    }
    const seen = new Set<string>();
    parsed.data.forEach((s, i) => {
      const key = `${s.site ?? '*'}/${s.queue}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', message: `entry ${i + 1}: queue ${JSON.stringify(s.queue)}${s.site ? ` of site ${s.site}` : ''} is listed twice` });
      seen.add(key);
    });
    return parsed.data;
  });

/** A queue as the views show it: its name, its place on the board and the targets that apply. */
export interface QueueProfile {
  displayName: string;
  /** Place on the board: listed queues in list order, the rest after them (alphabetically). */
  order: number;
  targets: QueueTargets;
  /** Configured wrap-up for the staffing advice, or null. */
  wrapupSeconds: number | null;
}

export class QueueSettings {
  constructor(
    private readonly list: QueueSetting[],
    private readonly defaults: Thresholds,
  ) {}

  private find(queue: string, site?: string): { s: QueueSetting | undefined; index: number } {
    let index = this.list.findIndex((s) => s.queue === queue && s.site !== undefined && s.site === site);
    if (index < 0) index = this.list.findIndex((s) => s.queue === queue && s.site === undefined);
    return { s: index < 0 ? undefined : this.list[index], index };
  }

  /** The targets that apply to a queue (of a site). */
  targets(queue: string, site?: string): QueueTargets {
    const { s } = this.find(queue, site);
    return {
      targetSeconds: s?.targetSeconds ?? this.defaults.targetSeconds,
      serviceLevelTarget: s?.serviceLevelTarget ?? this.defaults.serviceLevelTarget,
      guaranteeSeconds: s?.guaranteeSeconds ?? this.defaults.guaranteeSeconds,
      maxTransfers: s?.maxTransfers ?? this.defaults.maxTransfers,
    };
  }

  /** The full thresholds for one queue: its targets over the global ones (short abandons stay global). */
  thresholds(queue: string, site?: string): Thresholds {
    return { ...this.defaults, ...this.targets(queue, site) };
  }

  profile(queue: string, site?: string): QueueProfile {
    const { s, index } = this.find(queue, site);
    return {
      displayName: s?.name ?? queue,
      order: index < 0 ? this.list.length : index,
      targets: this.targets(queue, site),
      wrapupSeconds: s?.wrapupSeconds ?? null,
    };
  }

  /** The queues listed for a site (its own entries and those of every site). */
  listed(site?: string): string[] {
    return [...new Set(this.list.filter((s) => s.site === undefined || s.site === site).map((s) => s.queue))];
  }

  /** Queue names in board order. */
  sort(queues: string[], site?: string): string[] {
    return [...queues].sort((a, b) => this.profile(a, site).order - this.profile(b, site).order || a.localeCompare(b));
  }

  /** Whether any queue has a target of its own (the views then say per queue which applied). */
  get differs(): boolean {
    return this.list.some((s) => s.targetSeconds !== undefined || s.serviceLevelTarget !== undefined || s.guaranteeSeconds !== undefined || s.maxTransfers !== undefined);
  }
}
