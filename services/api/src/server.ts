/**
 * The API process: HTTP routes (hono) and the WebSocket fan-out on one port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@belofte/shared/config';
import { asUnavailable, RedisUnavailable, unavailableBody } from '@belofte/shared/redis';
import { AlertEvaluator, type EvaluatorOptions } from './alerts/evaluator.ts';
import { bearerToken, type Need } from './auth/tokens.ts';
import { createContext, type ApiContext } from './context.ts';
import { ApiRoutes } from './openapi/routes.ts';
import { Fanout, type FanoutOptions } from './push/fanout.ts';
import { agentRoutes } from './routes/agents.ts';
import { alertRoutes } from './routes/alerts.ts';
import { breachRoutes } from './routes/breaches.ts';
import { callbackRoutes } from './routes/callbacks.ts';
import { docRoutes } from './routes/docs.ts';
import { healthRoutes } from './routes/health.ts';
import { ApiMetrics } from './routes/metrics.ts';
import { liveRoutes } from './routes/live.ts';
import { statsRoutes } from './routes/stats.ts';
import { loadWebAssets, webRoutes } from './routes/web.ts';
import { WsQuery } from './schemas/ws.ts';
import { securityHeaders } from './securityHeaders.ts';

/** The largest request body taken (a breach follow-up is a few hundred bytes); larger is 413 at once. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The API's version, as the OpenAPI document states it: the product's one version, package.json's. */
export const API_VERSION = (JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../package.json'), 'utf8')) as { version: string }).version;

export interface ApiServer {
  server: Server;
  port: number;
  ctx: ApiContext;
  fanout: Fanout;
  /** Evaluates the alert rules of the API's own site while this process holds its alert lease. */
  alerts: AlertEvaluator;
  /** One evaluator per site served (BELOFTE_SITES, or the own site); `alerts` is the own site's or the first. */
  evaluators: AlertEvaluator[];
  close(): Promise<void>;
}

export interface ApiDeps {
  config: Config;
  redis: Redis | Cluster;
  /** A second connection, for SUBSCRIBE (a subscribed connection can do nothing else). */
  subscriber: Redis | Cluster;
  log: Logger;
  heartbeatMs?: number;
  /** Fan-out limits (tests tighten them). */
  fanout?: FanoutOptions;
  /** The built pages (default web/dist, made by `npm run build:web`). */
  webDir?: string;
  /** Alert evaluation and webhook timing (tests tighten them). */
  alerts?: EvaluatorOptions;
}

export async function startApi(deps: ApiDeps): Promise<ApiServer> {
  // Before anything connects: a missing build is a one-line error naming the command to run.
  const web = loadWebAssets(deps.webDir);
  const ctx = createContext(deps.config, deps.redis, deps.log);
  const app = new Hono();
  const metrics = new ApiMetrics();
  app.use('*', metrics.count);
  app.use('*', securityHeaders);
  app.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json({ error: 'payload_too_large', message: `request body over ${MAX_BODY_BYTES / 1024} KiB` }, 413),
    }),
  );
  app.onError((err, c) => {
    deps.log.error({ err: err.message, path: c.req.path }, 'request failed');
    const e = asUnavailable(deps.redis, err);
    if (e instanceof RedisUnavailable) return c.json(unavailableBody(e), 503);
    return c.json({ error: 'internal', message: 'internal error; see the API log' }, 500);
  });
  // Every API route goes through one table: access check, validation, and the OpenAPI document.
  const api = new ApiRoutes(ctx.authority);
  liveRoutes(api, ctx);
  statsRoutes(api, ctx);
  breachRoutes(api, ctx);
  alertRoutes(api, ctx);
  callbackRoutes(api, ctx);
  agentRoutes(api, ctx);
  docRoutes(api, API_VERSION);
  app.route('/', healthRoutes(ctx));
  app.route('/', metrics.routes());
  app.route('/', api.app);
  app.route('/', webRoutes(web));
  if (ctx.authority.wallboardOpen && (deps.config.MANAGER_TOKENS.length > 0 || deps.config.AGENT_TOKENS.length > 0)) {
    deps.log.warn('WALLBOARD_TOKENS is not set: the live figures (/api/live, /ws) are open to anyone who can reach this port');
  }
  app.notFound((c) => c.json({ error: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  const fanout = new Fanout(ctx, deps.subscriber, { heartbeatMs: deps.heartbeatMs, ...deps.fanout });
  await fanout.start();
  metrics.fanout = fanout;
  const server = createServer(getRequestListener(app.fetch));
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    // Browsers cannot set headers on a WebSocket: the token comes in ?token= (or the header, for other clients).
    const url = new URL(req.url ?? '/', 'http://x');
    // As on HTTP: a parameter given twice (?agent=a&agent=b) is refused, not silently one of them.
    const repeated = [...new Set(url.searchParams.keys())].find((k) => url.searchParams.getAll(k).length > 1);
    if (repeated !== undefined) {
      fanout.handleUpgrade(req, socket, head, { status: 400, message: `${repeated}: is given more than once` });
      return;
    }
    const parsed = WsQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const name = issue.code === 'unrecognized_keys' ? issue.keys[0]! : String(issue.path[0] ?? 'query');
      fanout.handleUpgrade(req, socket, head, { status: 400, message: `${name}: ${issue.code === 'unrecognized_keys' ? 'unknown parameter; /ws takes window, agent, token' : issue.message}` });
      return;
    }
    const q = parsed.data;
    const need: Need = q.agent !== undefined ? { kind: 'agent', agent: q.agent } : { kind: 'wallboard' };
    const decision = ctx.authority.decide(q.token ?? bearerToken(req.headers.authorization), need);
    if (!decision.ok) {
      fanout.handleUpgrade(req, socket, head, { status: decision.status, message: decision.message, error: decision.error });
      return;
    }
    fanout.handleUpgrade(req, socket, head, undefined, { agent: q.agent ?? null, window: q.window });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.PORT, deps.config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Every process runs an evaluator per site it serves; only the holder of that site's alert
  // lease in Redis evaluates. Sites found only at run time (no BELOFTE_SITES) are judged by
  // an API process of their own BELOFTE_SITE.
  const evaluators: AlertEvaluator[] = [];
  for (const site of deps.config.BELOFTE_SITES ?? [deps.config.BELOFTE_SITE]) {
    const s = await ctx.atSite(site);
    evaluators.push(new AlertEvaluator({ redis: deps.redis, site, keys: s.keys, config: deps.config, log: deps.log.child({ site }), figures: (w) => s.figures(w) }, deps.alerts));
  }
  for (const e of evaluators) e.start();
  const alerts = evaluators.find((e) => e.site === deps.config.BELOFTE_SITE) ?? evaluators[0]!;
  metrics.alerts = evaluators;
  return {
    server,
    port,
    ctx,
    fanout,
    alerts,
    evaluators,
    async close() {
      await Promise.all(evaluators.map((e) => e.close()));
      await fanout.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      ctx.close();
    },
  };
}
