/**
 * The API process: HTTP routes (hono) and the WebSocket fan-out on one port.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '@belofte/shared/config';
import { buildWeb } from '../../../web/build.ts';
import { createContext, type ApiContext } from './context.ts';
import { Fanout } from './push/fanout.ts';
import { healthRoutes } from './routes/health.ts';
import { liveRoutes } from './routes/live.ts';
import { webRoutes } from './routes/web.ts';

export interface ApiServer {
  server: Server;
  port: number;
  ctx: ApiContext;
  fanout: Fanout;
  close(): Promise<void>;
}

export interface ApiDeps {
  config: Config;
  redis: Redis | Cluster;
  /** A second connection, for SUBSCRIBE (a subscribed connection can do nothing else). */
  subscriber: Redis | Cluster;
  log: Logger;
  heartbeatMs?: number;
}

export async function startApi(deps: ApiDeps): Promise<ApiServer> {
  const ctx = createContext(deps.config, deps.redis, deps.log);
  const app = new Hono();
  app.onError((err, c) => {
    deps.log.error({ err: err.message, path: c.req.path }, 'request failed');
    const redisDown = /Redis|ECONNREFUSED|Connection is closed|Stream isn't writeable/i.test(err.message);
    return c.json(
      { error: redisDown ? 'unavailable' : 'internal', message: redisDown ? `figures unavailable: Redis does not answer (${err.message})` : 'internal error; see the API log' },
      redisDown ? 503 : 500,
    );
  });
  app.route('/', healthRoutes(ctx));
  app.route('/', liveRoutes(ctx));
  app.route('/', webRoutes(await buildWeb()));
  app.notFound((c) => c.json({ error: 'not_found', message: `no such endpoint: ${c.req.method} ${c.req.path}` }, 404));

  const fanout = new Fanout(ctx, deps.subscriber, { heartbeatMs: deps.heartbeatMs });
  await fanout.start();
  const server = createServer(getRequestListener(app.fetch));
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    fanout.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.PORT, deps.config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    ctx,
    fanout,
    async close() {
      await fanout.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
