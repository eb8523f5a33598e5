/** One agent's own figures: for that agent (their token) and for managers. */
import type { ApiContext } from '../context.ts';
import type { ApiRoutes } from '../openapi/routes.ts';
import { AgentParams, AgentSnapshot } from '../schemas/agents.ts';

export function agentRoutes(api: ApiRoutes, ctx: ApiContext): void {
  api.add(
    {
      method: 'get',
      path: '/api/agents/{id}',
      operationId: 'agentView',
      tag: 'agents',
      summary: "One agent's calls today and this week: answered, talk time, transfers made, calls taken after two transfers",
      description: 'The same document is pushed live on /ws?agent=<id>. An agent token opens only its own agent.',
      access: 'agent',
      params: AgentParams,
      responses: { 200: { description: "The agent's view.", schema: AgentSnapshot } },
    },
    async ({ params }, c) => c.json((await ctx.agents([params.id])).get(params.id)!),
  );
}
