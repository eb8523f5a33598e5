/**
 * The API's /metrics (Prometheus text format): sockets, frames, refreshes, sockets closed
 * and why, Redis read errors, HTTP requests by status class. Like /healthz it carries no
 * figures and no personal data, so it is open, for the scraper on the internal network.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { Fanout } from '../push/fanout.ts';

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  fanout: Fanout | null = null;

  /** Counts every HTTP request by method and status class (2xx, 4xx, …). */
  readonly count: MiddlewareHandler = async (c, next) => {
    await next();
    const key = `${c.req.method}|${Math.floor(c.res.status / 100)}xx`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  };

  render(): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) out.push(`${name}${labels} ${v}`);
    };
    const f = this.fanout?.stats;
    metric('belofte_api_sockets', 'gauge', 'Connected WebSocket clients.', [['', f?.sockets ?? 0]]);
    metric('belofte_api_frames_sent_total', 'counter', 'WebSocket frames sent.', [['', f?.framesSent ?? 0]]);
    metric('belofte_api_refreshes_total', 'counter', 'Figure reads for the sockets (one per burst of change notices).', [['', f?.refreshes ?? 0]]);
    metric('belofte_api_sockets_closed_total', 'counter', 'Sockets closed by the server, by reason.', [
      ['{reason="slow_reader"}', f?.closedSlow ?? 0],
      ['{reason="flood"}', f?.closedFlood ?? 0],
    ]);
    metric('belofte_api_redis_read_errors_total', 'counter', 'Failed reads of the figures from Redis.', [['', f?.readErrors ?? 0]]);
    metric('belofte_api_http_requests_total', 'counter', 'HTTP requests by method and status class.', [...this.requests].map(([k, v]) => {
      const [method, status] = k.split('|');
      return [`{method="${method}",status="${status}"}`, v] as [string, number];
    }));
    const mem = process.memoryUsage();
    metric('belofte_api_process_resident_memory_bytes', 'gauge', 'Resident memory of the API process.', [['', mem.rss]]);
    const cpu = process.cpuUsage();
    metric('belofte_api_process_cpu_seconds_total', 'counter', 'CPU time of the API process.', [['', (cpu.user + cpu.system) / 1e6]]);
    return out.join('\n') + '\n';
  }

  routes(): Hono {
    const app = new Hono();
    app.get('/metrics', (c) => c.body(this.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
    return app;
  }
}
