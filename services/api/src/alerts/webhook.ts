/**
 * The alert webhook: the body in Belofte's own form (documented in the README), the ready-made
 * bodies for a Microsoft Teams and a Slack or Mattermost incoming webhook, and one POST with a
 * time limit. The evaluator's outbox decides when to (re)try; nothing here waits on anything
 * but the receiver, and nothing the push or the collector does waits on this.
 */
import type { Alert } from '@belofte/shared/alerts';
import { alertText, alertTitle } from '@belofte/shared/alertText';

export type WebhookFormat = 'belofte' | 'teams' | 'slack' | 'mattermost';

/** Belofte's own body: what happened, and the whole alert. */
export interface AlertEvent {
  /** `fired` when the condition started, `cleared` when it ended. */
  event: 'fired' | 'cleared';
  /** The same for every attempt of this delivery: `<alert id>:<event>` (also the Idempotency-Key header). */
  deliveryId: string;
  /** The site (BELOFTE_SITE). */
  site: string;
  /** The alert in words (ALERT_LANGUAGE). */
  text: string;
  alert: Alert;
}

export function alertEvent(alert: Alert, site: string, lang: 'nl' | 'en'): AlertEvent {
  const event = alert.clearedAt ? 'cleared' : 'fired';
  return { event, deliveryId: `${alert.id}:${event}`, site, text: alertText(alert, lang), alert };
}

/** The body to POST for this format. */
export function webhookBody(e: AlertEvent, format: WebhookFormat, lang: 'nl' | 'en'): unknown {
  if (format === 'belofte') return e;
  const title = `${e.event === 'cleared' ? '✅' : '🚨'} ${alertTitle(e.alert, lang)}${e.alert.queue ? ` — ${e.alert.queue}` : ''}`;
  const open = lang === 'nl' ? 'Open het wallboard' : 'Open the wallboard';
  if (format === 'teams') {
    // A Teams "Workflows" incoming webhook takes a message with an Adaptive Card attachment.
    return {
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              { type: 'TextBlock', text: title, weight: 'Bolder', size: 'Medium', wrap: true, color: e.event === 'cleared' ? 'Good' : 'Attention' },
              { type: 'TextBlock', text: e.text, wrap: true },
            ],
            actions: [{ type: 'Action.OpenUrl', title: open, url: e.alert.link }],
          },
        },
      ],
    };
  }
  // Slack and Mattermost incoming webhooks take the same body: text, and a coloured attachment.
  return {
    text: `${title}\n${e.text}`,
    attachments: [{ color: e.event === 'cleared' ? '#2e7d32' : '#c62828', title: open, title_link: e.alert.link, fallback: e.text }],
  };
}

export type PostResult = { ok: true; status: number } | { ok: false; error: string };

/** One POST of a JSON body, given up after `timeoutMs`. */
export async function postJson(url: string, body: unknown, o: { idempotencyKey: string; timeoutMs: number }): Promise<PostResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': o.idempotencyKey, 'user-agent': 'Belofte-alerts' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs),
      redirect: 'error',
    });
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    return { ok: false, error: err.name === 'TimeoutError' ? `no answer within ${o.timeoutMs} ms` : (err.cause?.code ?? err.message) };
  }
}

/** Exponential backoff with jitter: attempt 1 waits about `baseMs`, doubling up to `maxMs`. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exp * (0.75 + 0.5 * random()));
}
