/**
 * The API's /metrics (Prometheus text format): sockets, frames, refreshes, sockets closed
 * and why, Redis read errors, HTTP requests by status class; the alert evaluator's counts and,
 * from the process that evaluates, the queue figures the alert rules look at (the same the
 * open wallboard shows; deploy/prometheus/belofte-alerts.yml alerts on them). No personal data,
 * so it is open, for the scraper on the internal network.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { staffed } from '../alerts/conditions.ts';
import type { AlertEvaluator } from '../alerts/evaluator.ts';
import type { Fanout } from '../push/fanout.ts';

/** A Prometheus label value. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class ApiMetrics {
  private readonly requests = new Map<string, number>();
  fanout: Fanout | null = null;
  /** One alert evaluator per site this process serves. */
  alerts: AlertEvaluator[] = [];

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
    const evaluators = this.alerts;
    if (evaluators.length) {
      const site = (a: AlertEvaluator) => `site="${label(a.site)}"`;
      metric('belofte_alert_evaluator', 'gauge', '1 when this process evaluates the alert rules of the site (holds its lease), else 0.', evaluators.map((a) => [`{${site(a)}}`, a.leader ? 1 : 0]));
      metric('belofte_alerts_fired_total', 'counter', 'Alerts fired by this process.', evaluators.map((a) => [`{${site(a)}}`, a.stats.fired]));
      metric('belofte_alerts_cleared_total', 'counter', 'Alerts cleared by this process.', evaluators.map((a) => [`{${site(a)}}`, a.stats.cleared]));
      metric('belofte_alert_webhook_posts_total', 'counter', 'Alert webhook POSTs by result.', evaluators.flatMap((a): Array<[string, number]> => [
        [`{${site(a)},result="delivered"}`, a.stats.delivered],
        [`{${site(a)},result="failed"}`, a.stats.deliveryFailures],
        [`{${site(a)},result="given_up"}`, a.stats.deliveriesDropped],
      ]));
      const waiting: Array<[string, number]> = [];
      const longest: Array<[string, number]> = [];
      const staffedNow: Array<[string, number]> = [];
      const windowed: Array<[string, number]> = [];
      const calls: Array<[string, number]> = [];
      const breaches: Array<[string, number]> = [];
      const connected: Array<[string, number]> = [];
      for (const a of evaluators) {
        const seen = a.lastSeen;
        if (!seen) continue;
        const q = (name: string) => `{${site(a)},queue="${label(name)}"}`;
        for (const [n, f] of Object.entries(seen.today.queues)) {
          waiting.push([q(n), f.waiting]);
          longest.push([q(n), f.longestWaitSeconds]);
          staffedNow.push([q(n), staffed(f)]);
        }
        for (const [minutes, snap] of seen.windows) {
          for (const [n, f] of Object.entries(snap.queues)) {
            const l = `{${site(a)},queue="${label(n)}",window="${minutes}m"}`;
            if (f.serviceLevel !== null) windowed.push([l, f.serviceLevel]);
            calls.push([l, f.answered + f.abandoned + f.timedOut]);
            breaches.push([l, f.guaranteeBreaches]);
          }
        }
        connected.push([`{${site(a)}}`, seen.today.health.collectorConnected ? 1 : 0]);
      }
      // The queue figures come from the process that evaluates (the others have none to give).
      metric('belofte_queue_waiting', 'gauge', 'Callers waiting now (from the evaluating process).', waiting);
      metric('belofte_queue_longest_wait_seconds', 'gauge', 'How long the longest current caller has waited.', longest);
      metric('belofte_queue_agents_staffed', 'gauge', 'Agents logged in and not paused (free or busy).', staffedNow);
      metric('belofte_queue_service_level', 'gauge', 'Service level over a rolling window (absent while no call counts).', windowed);
      metric('belofte_queue_service_level_calls', 'gauge', 'Calls in the service level of the window (answered + abandoned + timed out).', calls);
      metric('belofte_queue_guarantee_breaches', 'gauge', 'Guarantee breaches registered in the window.', breaches);
      metric('belofte_collector_connected', 'gauge', 'Whether the collector reports a connection to the phone switch (as stored in Redis).', connected);
    }
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
