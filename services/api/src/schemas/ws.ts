/** The WebSocket's query: which figures to push, and the token (a browser cannot set headers on it). */
import { z } from 'zod';
import { inputs } from './registry.ts';
import { windowParam } from './live.ts';

export const WsQuery = z
  .object({
    window: windowParam.optional(),
    agent: z.string().min(1).max(128).optional().describe("Push this agent's own view (AgentSnapshot) instead of the live figures; needs that agent's or a manager token."),
    token: z.string().max(256).optional().describe('The bearer token (the Authorization header works too).'),
  })
  .strict()
  .register(inputs, { id: 'WsQuery' });
