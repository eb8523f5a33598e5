/** The OpenAPI document of every route, and a readable page of it. */
import type { ApiRoutes, OpenApiDocument } from '../openapi/routes.ts';
import { docsPage } from '../openapi/page.ts';
import { Health, Html, OpenApiJson } from '../schemas/health.ts';
import { AgentParams } from '../schemas/agents.ts';
import { LiveFrameSchema } from '../schemas/live.ts';
import { WsQuery } from '../schemas/ws.ts';

export const API_DESCRIPTION = [
  'Belofte: real-time service-norm monitor for Asterisk contact centres. The norms come from the charter: everyone who calls has a person on the line within GUARANTEE_SECONDS (5 minutes, the guarantee); 80% answered within TARGET_SECONDS (20 s); transferred at most MAX_TRANSFERS (2) times.',
  'Roles: wallboard (live figures, alerts, the callback list with masked numbers), supervisor (the same, with full numbers, and marking callers called back), agent (only that agent\'s own figures), manager (statistics, breaches and their follow-up, every agent, everything a supervisor may). Send the token as "Authorization: Bearer <token>"; WebSockets and pages carry it as ?token=<token>. Tokens come from the environment: WALLBOARD_TOKENS, SUPERVISOR_TOKENS and MANAGER_TOKENS (comma-separated; name=token records the name in the audit trail), AGENT_TOKENS (comma-separated <agent id>=<token>).',
  'No token, or an unknown one: 401. A token of the wrong role, or of another agent: 403. With no WALLBOARD_TOKENS the live figures are open; with no MANAGER_TOKENS the reports and the breach register answer 403 not_configured, saying how to configure them. Every error is JSON {error, message}; a refused parameter is named in message and parameter.',
].join('\n\n');

export function docRoutes(api: ApiRoutes, version: string): () => OpenApiDocument {
  api.describe({
    method: 'get',
    path: '/ws',
    operationId: 'socket',
    tag: 'live',
    summary: 'WebSocket: live figures pushed on every change and every 5 s; with agent=<id>, that agent\'s own view',
    description:
      'Upgrade to a WebSocket. Without agent (wallboard access): a LiveSnapshot first, then LiveDelta frames that carry only the agent tiles that changed (apply them in order). ' +
      'With agent=<id>: AgentSnapshot frames (that agent\'s or a manager token), sent when the view changed and on the heartbeat. ' +
      'The token goes in ?token= because browsers cannot set headers on a WebSocket. A refused upgrade is answered with the HTTP status and a JSON Error before the upgrade.',
    access: 'wallboard',
    query: WsQuery,
    responses: { 101: { description: 'Switching protocols; then one JSON text frame per update (LiveFrame, or AgentSnapshot with agent=).', schema: LiveFrameSchema } },
  });
  api.describe({ method: 'get', path: '/healthz', operationId: 'healthz', tag: 'health', summary: 'Liveness: the process answers', access: 'public', responses: { 200: { description: 'ok', schema: Health } } });
  api.describe({
    method: 'get',
    path: '/readyz',
    operationId: 'readyz',
    tag: 'health',
    summary: 'Readiness: Redis answers, so figures can be served',
    access: 'public',
    responses: { 200: { description: 'ready', schema: Health }, 503: { description: 'unready, with the reason', schema: Health } },
  });
  for (const [path, summary] of [
    ['/', 'The wallboard page (live figures; ?token= when WALLBOARD_TOKENS is set)'],
    ['/reports', "The managers' weekly report page (?token=<manager token>)"],
    ['/callbacks', 'The callback list page (?token=<supervisor or manager token>; a wallboard token sees masked numbers and cannot mark)'],
  ] as const) {
    api.describe({ method: 'get', path, operationId: `page${path.replace(/\W/g, '') || 'Wallboard'}`, tag: 'pages', summary, access: 'public', responses: { 200: { description: 'HTML; the page fetches its data with the token.', schema: Html, contentType: 'text/html; charset=utf-8' } } });
  }
  api.describe({
    method: 'get',
    path: '/agent/{id}',
    operationId: 'pageAgent',
    tag: 'pages',
    summary: "An agent's own page (?token=<that agent's token>)",
    access: 'public',
    params: AgentParams,
    responses: { 200: { description: 'HTML; the page fetches its data with the token.', schema: Html, contentType: 'text/html; charset=utf-8' } },
  });

  let cached: OpenApiDocument | null = null;
  const doc = () => (cached ??= api.document({ title: 'Belofte API', version, description: API_DESCRIPTION }));

  api.add(
    { method: 'get', path: '/api/openapi.json', operationId: 'openapi', tag: 'docs', summary: 'This API as an OpenAPI 3.1 document', access: 'public', responses: { 200: { description: 'The document.', schema: OpenApiJson } } },
    (_input, c) => c.json(doc()),
  );
  api.add(
    { method: 'get', path: '/api/docs', operationId: 'docs', tag: 'docs', summary: 'This API as a readable page', access: 'public', responses: { 200: { description: 'HTML.', schema: Html, contentType: 'text/html; charset=utf-8' } } },
    (_input, c) => c.html(docsPage(doc())),
  );
  return doc;
}
