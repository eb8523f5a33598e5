/** One agent's own view: today and this week, and their live state. */
import { z } from 'zod';
import { AGENT_STATES } from '@belofte/shared/figures';
import { instant, inputs, outputs } from './registry.ts';
import { AgentFigures, ThresholdsSchema } from './stats.ts';

export const AgentParams = z
  .object({ id: z.string().min(1).max(128).describe('Agent id: the queue member name (URL-encoded), e.g. Anna%20de%20Vries.') })
  .strict()
  .register(inputs, { id: 'AgentParams' });

export const AgentLive = z
  .object({
    state: z.enum(AGENT_STATES),
    since: instant(),
    queues: z.array(z.string()),
    pausedReason: z.string().nullable(),
  })
  .register(outputs, { id: 'AgentLive' });

export const AgentSnapshot = z
  .object({
    agent: z.string(),
    at: instant(),
    timeZone: z.string(),
    date: z.string().describe('Today, local date.'),
    isoWeek: z.string().describe('This ISO week, e.g. 2026-W47.'),
    today: AgentFigures,
    thisWeek: AgentFigures,
    live: AgentLive.nullable().describe('State now; null when the phone switch has not reported this agent.'),
    thresholds: ThresholdsSchema,
  })
  .register(outputs, {
    id: 'AgentSnapshot',
    description: 'Also the frame sent on /ws?agent=<id>. Counts finished calls and calls still in progress.',
  });

export type AgentSnapshot = z.infer<typeof AgentSnapshot>;
export type AgentLive = z.infer<typeof AgentLive>;
