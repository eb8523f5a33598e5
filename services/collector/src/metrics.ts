/**
 * The collector's own /metrics (Prometheus text format), /healthz and /readyz.
 *
 * It has a port of its own rather than going through Redis, because the figures that matter
 * most — the event buffer and Redis errors — matter exactly when Redis is away.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Collector } from './collector.ts';

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Renders every collector metric. */
export function renderMetrics(c: Collector, site: string): string {
  const p = c.pipeline;
  const w = p.writer;
  const t = p.tracker;
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const l = Object.entries({ site, ...labels })
        .map(([k, v]) => `${k}="${esc(v)}"`)
        .join(',');
      lines.push(`${name}{${l}} ${Number.isFinite(value) ? value : 0}`);
    }
  };
  metric('belofte_ami_events_total', 'counter', 'AMI events handled by the domain core, by type.', [...p.counters.eventsByType].map(([type, n]) => [{ type }, n]));
  metric('belofte_ami_events_skipped_total', 'counter', 'AMI events Belofte does not use (firehose), by type.', [...p.counters.skippedByType].map(([type, n]) => [{ type }, n]));
  metric('belofte_ami_malformed_total', 'counter', 'Malformed AMI frames skipped.', [[{}, p.counters.malformed]]);
  metric('belofte_ami_suspect_timestamps_total', 'counter', 'Events whose Timestamp was garbage or more than a day from the receipt time; the receipt time was used.', [[{}, p.counters.suspectTimes]]);
  metric('belofte_ami_implausible_total', 'counter', 'Missing or impossible HoldTime/TalkTime: derived from the event times, or the event skipped.', [[{}, t.counters.implausible]]);
  metric('belofte_calls_evicted_total', 'counter', 'Calls let go to keep memory bounded (MAX_CALLS_IN_MEMORY).', [[{}, t.counters.evicted]]);
  metric('belofte_live_state_rewrites_total', 'counter', 'Times the live state was written again because Redis came back empty.', [[{}, c.rewrites]]);
  metric('belofte_ami_duplicates_total', 'counter', 'Duplicate events ignored by the domain core.', [[{}, t.counters.duplicates]]);
  metric('belofte_ami_orphans_total', 'counter', 'Events about calls or visits Belofte did not know (skipped or reconstructed).', [[{}, t.counters.orphans]]);
  metric('belofte_ami_connected', 'gauge', '1 while logged in to the phone switch.', [[{}, c.client.isConnected ? 1 : 0]]);
  metric('belofte_ami_reconnects_total', 'counter', 'Reconnects to the phone switch.', [[{}, c.client.reconnects]]);
  metric('belofte_ami_event_lag_seconds', 'gauge', 'Receipt time minus the event Timestamp of the newest event.', [[{}, p.counters.lagMs / 1000]]);
  metric('belofte_buffer_events', 'gauge', 'Events waiting to be written to Redis.', [[{}, w.buffered]]);
  metric('belofte_buffer_dropped_total', 'counter', 'Events dropped because the buffer was full (BUFFER_MAX_EVENTS).', [[{}, w.stats.dropped]]);
  metric('belofte_redis_errors_total', 'counter', 'Failed Redis writes (each retried).', [[{}, w.stats.errors]]);
  metric('belofte_redis_batches_total', 'counter', 'Batches written to Redis (one round trip each).', [[{}, w.stats.batches]]);
  metric('belofte_calls_in_progress', 'gauge', 'Customer calls the collector holds in memory.', [[{}, t.calls.size]]);
  return lines.join('\n') + '\n';
}

export async function startMetricsServer(c: Collector, site: string, port: number, host: string): Promise<Server & { port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(renderMetrics(c, site));
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok' }));
    } else if (path === '/readyz') {
      // Ready: logged in to the switch and Redis taking our writes.
      const reasons = [];
      if (!c.client.isConnected) reasons.push('not connected to the phone switch');
      if (c.pipeline.writer.buffered > 1000) reasons.push(`${c.pipeline.writer.buffered} events waiting for Redis`);
      // Working, but not as well as it could: said, without making the collector unready.
      const warnings = [];
      if (c.pipeline.callEvents === 'absent') {
        warnings.push('the AMI user receives no `call` class events (hang-ups): abandons cannot be told from queue timeouts; add `call` to its `read =` line in manager.conf');
      }
      res.writeHead(reasons.length ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...(reasons.length ? { status: 'unready', reasons } : { status: 'ready' }), ...(warnings.length ? { warnings } : {}) }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'not_found', message: `no such endpoint: ${path}` }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return Object.assign(server, { port: (server.address() as AddressInfo).port });
}
