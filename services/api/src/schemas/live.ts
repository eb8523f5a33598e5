/**
 * The live endpoints' parameters and documents. The TypeScript types live in shared/figures.ts
 * (the collector and the wallboard use them); the assertions at the bottom make the compiler
 * refuse any difference between them and these schemas.
 */
import { z } from 'zod';
import { AGENT_METRICS, AGENT_METRIC_NAMES, CALL_METRICS, perMetric, VISIT_METRICS, WINDOW_METRICS } from '@belofte/shared/catalogue';
import { AGENT_STATES, type AgentView, type LiveSnapshot, type QueueFigures } from '@belofte/shared/figures';
import type { History } from '@belofte/shared/history';
import { liveWindow, type LiveWindow } from '@belofte/shared/time';
import { instant, inputs, outputs } from './registry.ts';
import { AgentLive } from './agents.ts';
import { AlertSchema } from './alerts.ts';
import { QueueTargetsSchema, queueParam, ThresholdsSchema } from './stats.ts';

/** Parsed here, once: handlers get the LiveWindow. */
export const windowParam = z
  .string()
  .transform((w, ctx): LiveWindow => {
    const parsed = liveWindow(w);
    if (parsed) return parsed;
    ctx.addIssue({ code: 'custom', message: `window must be <n>m or <n>h between 1m and 24h (e.g. 60m, 8h), not ${JSON.stringify(w)}` });
    return z.NEVER;
  })
  .describe('today (since local midnight, the default) or a rolling window <n>m / <n>h from 1m to 24h.');

export const LiveQuery = z.object({ window: windowParam.optional() }).register(inputs, { id: 'LiveQuery' });

export const HistoryQuery = z
  .object({
    step: z
      .string()
      .regex(/^\d{1,3}$/, 'step must be whole minutes from 1 to 240')
      .refine((s) => Number(s) >= 1 && Number(s) <= 240, 'step must be whole minutes from 1 to 240')
      .optional()
      .describe('Minutes per point, 1–240 (default 15).'),
    queue: queueParam.optional(),
  })
  .register(inputs, { id: 'HistoryQuery' });

const AgentCounts = z.object(perMetric(AGENT_STATES, (s) => z.number().int().describe(`Agents of the queue in state ${s} now.`)));

const windowCount = (m: keyof typeof WINDOW_METRICS) => z.number().int().describe(WINDOW_METRICS[m].description);

export const StaffingSchema = z
  .object({
    agentsNeeded: z.number().int().nullable().describe('Agents needed now to reach the target (Erlang A); null while there is too little traffic to say.'),
    agentsAvailable: z.number().int().describe('Agents logged in to the queue and not paused or unavailable.'),
    arrivalsPerHour: z.number().describe('Queue entries of the last 30 minutes, per hour.'),
    handleSeconds: z.number().nullable().describe('Mean talk time of the last 60 minutes plus wrap-up.'),
    patienceSeconds: z.number().nullable().describe("Callers' mean patience from the last 60 minutes' abandons; null when nobody gave up (Erlang C)."),
    targetSeconds: z.number().int(),
    serviceLevelTarget: z.number(),
    sample: z.object({ arrivals: z.number().int(), conversations: z.number().int(), abandons: z.number().int() }),
  })
  .register(outputs, { id: 'Staffing', description: "Staffing advice of one queue, with the inputs it used." });

export const LiveQueueFigures = z
  .object({
    ...perMetric(VISIT_METRICS, windowCount),
    serviceLevel: z.number().nullable().describe('answeredWithinTarget ÷ (answered + abandoned + timedOut + movedOut); null when that is 0.'),
    waiting: z.number().int().describe('Callers in the queue right now.'),
    longestWaitSeconds: z.number().int().describe('How long the longest current caller has waited, whole seconds (0 when none).'),
    ...perMetric(CALL_METRICS, windowCount),
    agents: AgentCounts,
    staffing: StaffingSchema.optional(),
    displayName: z.string().optional().describe('Per queue: the name on the board (BELOFTE_QUEUES).'),
    targets: QueueTargetsSchema.optional(),
    site: z.string().optional().describe('With several sites: the queue\'s site (the key is <site>/<queue>).'),
    queue: z.string().optional().describe('With several sites: the queue\'s own name.'),
  })
  .register(outputs, { id: 'LiveQueueFigures', description: 'Live counts of one queue (queue entries) or the total (sum of the queues).' });

export const LiveAgentView = AgentLive.omit({ since: true })
  .extend({
    name: z.string(),
    interface: z.string(),
    since: instant(),
    pausedIn: z.array(z.string()).describe('Queues where the agent is paused (pause is per queue); `state` is paused only when that is all of them.'),
    ...perMetric(AGENT_METRIC_NAMES, (m) => z.number().int().describe(AGENT_METRICS[m].description)),
    site: z.string().optional().describe("With several sites: the agent's site (the key is <site>/<name>)."),
  })
  .register(outputs, { id: 'LiveAgentView' });

const LiveHealthSchema = z.object({
  collectorConnected: z.boolean(),
  lastEventAt: z.string().nullable(),
  stale: z.boolean(),
  reason: z.string().nullable(),
});

export const LiveSnapshotSchema = z
  .object({
    at: instant(),
    window: z.string(),
    from: instant(),
    thresholds: ThresholdsSchema,
    timeZone: z.string().describe('BELOFTE_TIMEZONE: the zone of "today", and of the clocks and times of day the pages show.'),
    total: LiveQueueFigures,
    queues: z.record(z.string(), LiveQueueFigures),
    agents: z.record(z.string(), LiveAgentView),
    clockOffsetMs: z.number().optional().describe("The phone switch's clock minus this server's, in ms, as the collector measured it."),
    alerts: z.array(AlertSchema).describe('The active alerts, oldest first (GET /api/alerts for all of them).'),
    health: LiveHealthSchema,
    sites: z
      .record(z.string(), z.object({ total: LiveQueueFigures, health: LiveHealthSchema, clockOffsetMs: z.number() }))
      .optional()
      .describe('Per site (BELOFTE_SITES or discovered): its total and health. The top-level total is the sum of the sites.'),
  })
  .register(outputs, { id: 'LiveSnapshot', description: 'The document of GET /api/live, and the first /ws frame.' });

export const LiveDeltaSchema = LiveSnapshotSchema.omit({ agents: true })
  .extend({
    agentChanges: z.record(z.string(), LiveAgentView.nullable()).describe('Only the agent tiles that changed since the frame before; null: the agent is gone.'),
  })
  .register(outputs, {
    id: 'LiveDelta',
    description: 'Every /ws frame after the first: the whole document except agents, and the changed agent tiles. Applied in order to the first frame it gives the document GET /api/live gives.',
  });

/** What a wallboard /ws socket receives: the full document, then deltas. */
export const LiveFrameSchema = z.union([LiveSnapshotSchema, LiveDeltaSchema]).register(outputs, { id: 'LiveFrame', description: 'A /ws frame: LiveSnapshot first, LiveDelta after.' });

export const HistorySchema = z
  .object({
    from: instant(),
    to: instant(),
    stepMinutes: z.number().int(),
    points: z.array(
      z.object({
        at: instant(),
        serviceLevel: z.number().nullable(),
        offered: z.number().int(),
        answered: z.number().int(),
        answeredWithinTarget: z.number().int(),
        abandoned: z.number().int(),
      }),
    ),
  })
  .register(outputs, { id: 'History', description: 'The service level through the day, cumulative since local midnight at every step.' });

// The compiler checks that the schemas and the shared types describe the same documents.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
const sameSnapshot: Same<z.infer<typeof LiveSnapshotSchema>, LiveSnapshot & Required<Pick<LiveSnapshot, 'alerts' | 'timeZone'>>> = true;
const sameQueue: Same<z.infer<typeof LiveQueueFigures>, QueueFigures> = true;
const sameAgent: Same<z.infer<typeof LiveAgentView>, AgentView> = true;
const sameHistory: Same<z.infer<typeof HistorySchema>, History> = true;
void [sameSnapshot, sameQueue, sameAgent, sameHistory];
