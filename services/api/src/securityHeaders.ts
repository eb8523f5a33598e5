/**
 * Security headers of every HTML page: a Content-Security-Policy that allows only the app's
 * own scripts and styles (an inline `<style>` of a server-rendered page by its hash), no
 * framing, no sniffing, no referrer. Applied by content type, so a new page cannot forget it.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/** The headers for one HTML document. */
export function htmlSecurityHeaders(html: string): Record<string, string> {
  const hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self'${hashes.length ? ' ' + hashes.join(' ') : ''}`,
    "img-src 'self' data:",
    // The wallboard's socket is on this origin (ws: / wss: are not covered by 'self' everywhere).
    "connect-src 'self' ws: wss:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (!/^text\/html\b/i.test(c.res.headers.get('content-type') ?? '')) {
    // Every answer: no sniffing a JSON or CSV document into something else.
    c.res.headers.set('x-content-type-options', 'nosniff');
    return;
  }
  const html = await c.res.text();
  const headers = new Headers(c.res.headers);
  for (const [k, v] of Object.entries(htmlSecurityHeaders(html))) headers.set(k, v);
  c.res = new Response(html, { status: c.res.status, headers });
};
