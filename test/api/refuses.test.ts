/**
 * What the API refuses: a body over the limit at once with 413 JSON (not buffered), HTML pages
 * without their security headers, and a /ws parameter given twice.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_BODY_BYTES } from '@belofte/api/server';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';

const prefix = testPrefix('refuses');
const redis = connect();
const MANAGER = 'manager-token-refuses';
let api: RunningApi;

beforeAll(async () => {
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER }));
});
afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('request bodies', () => {
  it('refuses a 300 MB body at once with 413 JSON, having read only a little of it', async () => {
    const declared = 300 * 1024 * 1024;
    let sent = 0;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: api.port, method: 'PATCH', path: '/api/breaches/x', headers: { 'content-type': 'application/json', 'content-length': declared, authorization: `Bearer ${MANAGER}` } },
        (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', (e) => (sent > 0 ? undefined : reject(e)));
      // Send 64 KiB chunks until the answer comes (it must, long before 300 MB).
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (sent < 64 * 1024 * 1024 && req.write(chunk)) sent += chunk.length;
        if (sent < 64 * 1024 * 1024) req.once('drain', pump);
      };
      pump();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'payload_too_large' });
    expect(sent).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a body just over the limit without Content-Length (chunked) too, and takes one under it', async () => {
    const big = await fetch(`${api.url}/api/breaches/x`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${MANAGER}` },
      body: new Blob([JSON.stringify({ note: 'x'.repeat(MAX_BODY_BYTES) })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(big.status).toBe(413);
    const small = await fetch(`${api.url}/api/breaches/x`, { method: 'PATCH', headers: { 'content-type': 'application/json', authorization: `Bearer ${MANAGER}` }, body: JSON.stringify({}) });
    expect(small.status).not.toBe(413);
  });
});

describe('HTML pages', () => {
  it.each(['/', '/reports', '/agent/agent1', '/api/docs'])('%s sends the security headers', async (path) => {
    const res = await fetch(`${api.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(csp).toMatch(/(^|; )style-src 'self'( 'sha256-[^']+')*(;|$)/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('allows the docs page its own inline style by hash, and nothing else inline', async () => {
    const res = await fetch(`${api.url}/api/docs`);
    const html = await res.text();
    const styles = [...html.matchAll(/<style>/g)].length;
    const hashes = (res.headers.get('content-security-policy') ?? '').match(/'sha256-/g) ?? [];
    expect(hashes.length).toBe(styles);
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('/ws parameters', () => {
  function upgrade(query: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${api.port}/ws?${query}`);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      ws.on('open', () => {
        ws.close();
        resolve({ status: 101, body: '' });
      });
      ws.on('error', (e) => (/Unexpected server response/.test(e.message) ? undefined : reject(e)));
    });
  }

  it('refuses ?agent=a&agent=b like a repeated HTTP parameter', async () => {
    const r = await upgrade('agent=agent1&agent=agent2');
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/agent: is given more than once/);
    // And a repeated window the same way; a single parameter is still taken.
    expect((await upgrade('window=60m&window=8h')).status).toBe(400);
    expect((await upgrade('window=60m')).status).toBe(101);
  });
});
