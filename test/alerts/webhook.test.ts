/**
 * Alerts end to end against the real Redis and a webhook receiver on loopback: a caller who
 * has waited 4:00 fires one alert (stored, in the live document, posted with the documented
 * body) and their answer clears it once; posts are retried while the receiver is down; two API
 * processes deliver each alert once; a restart of the evaluator loses and doubles nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Keys } from '@belofte/shared/keys';
import type { EvaluatorOptions } from '@belofte/api/alerts/evaluator';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { startReceiver, type Receiver } from '../support/receiver.ts';
import { apiFor, testConfig, until, type RunningApi } from '../support/stack.ts';

const FAST: EvaluatorOptions = { evaluateMs: 40, leaseMs: 1_500, deliverMs: 20, retryBaseMs: 40, retryMaxMs: 200, timeoutMs: 2_000 };
const redis = connect();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(name: string, extra: Record<string, string> = {}) {
  const prefix = testPrefix(name);
  const keys = new Keys(prefix, 'main');
  const receiver = await startReceiver();
  const config = testConfig(prefix, { ALERT_RULES: 'longWait at=4m clearFor=0s', ALERT_WEBHOOK_URL: receiver.url, BELOFTE_PUBLIC_URL: 'http://wallboard.example/', ...extra });
  const apis: RunningApi[] = [];
  const start = async () => {
    const api = await apiFor(config, 5_000, undefined, FAST);
    apis.push(api);
    return api;
  };
  cleanups.push(async () => {
    for (const a of apis) await a.stop().catch(() => undefined);
    await receiver.close();
    await cleanPrefix(redis, prefix);
  });
  return {
    keys,
    receiver,
    start,
    /** A caller in Afval who joined `seconds` ago. */
    async callerWaiting(seconds: number) {
      await redis.multi().sadd(keys.queues, 'Afval').hset(keys.waiting('Afval'), 'v1', String(Date.now() - seconds * 1000)).exec();
    },
    async callerAnswered() {
      await redis.hdel(keys.waiting('Afval'), 'v1');
    },
  };
}

const events = (r: Receiver) => r.accepted().map((x) => `${x.body.event} ${x.body.alert.rule} ${x.body.alert.queue}`);

describe('alert webhook', () => {
  it('fires once when a caller has waited 4:00 and clears once when they are answered, with the documented body', async () => {
    const s = await setup('alert-fire');
    const api = await s.start();
    await s.callerWaiting(200);
    // Below the threshold: nothing fires, however often it is evaluated.
    const before = api.alerts.stats.evaluations;
    await until(() => (api.alerts.stats.evaluations >= before + 5 ? true : undefined), 10_000, 'evaluations');
    expect(s.receiver.requests).toHaveLength(0);

    await s.callerWaiting(245);
    await until(() => (s.receiver.accepted().length === 1 ? true : undefined), 10_000, 'the fired post');
    const fired = s.receiver.accepted()[0]!;
    expect(fired.headers['content-type']).toBe('application/json');
    expect(fired.headers['idempotency-key']).toBe(fired.body.deliveryId);
    expect(fired.body).toMatchObject({ event: 'fired', site: 'main', alert: { rule: 'longWait', queue: 'Afval', figure: 'longestWaitSeconds', threshold: 240, clearedAt: null, link: 'http://wallboard.example/' } });
    expect(fired.body.alert.value).toBeGreaterThanOrEqual(245);
    expect(fired.body.deliveryId).toBe(`${fired.body.alert.id}:fired`);
    expect(fired.body.text).toMatch(/^ALARM: Garantie in gevaar.*wachtrij Afval, langste wachttijd 4:0\d \(drempel 4:00\)/);

    // Active: in the live document and in the stored list.
    const live = await (await fetch(`${api.url}/api/live`)).json();
    expect(live.alerts.map((a: any) => a.id)).toEqual([fired.body.alert.id]);
    // Still waiting, evaluated again and again: no second post.
    const mid = api.alerts.stats.evaluations;
    await until(() => (api.alerts.stats.evaluations >= mid + 5 ? true : undefined), 10_000, 'evaluations');
    expect(s.receiver.requests).toHaveLength(1);

    await s.callerAnswered();
    await until(() => (s.receiver.accepted().length === 2 ? true : undefined), 10_000, 'the cleared post');
    const cleared = s.receiver.accepted()[1]!;
    expect(cleared.body).toMatchObject({ event: 'cleared', deliveryId: `${fired.body.alert.id}:cleared`, alert: { id: fired.body.alert.id } });
    expect(Date.parse(cleared.body.alert.clearedAt)).toBeGreaterThanOrEqual(Date.parse(fired.body.alert.firedAt));
    expect(cleared.body.text).toMatch(/^OPGELOST/);

    const stored = await (await fetch(`${api.url}/api/alerts`)).json();
    expect(stored.alerts).toEqual([cleared.body.alert]);
    const after = await (await fetch(`${api.url}/api/live`)).json();
    expect(after.alerts).toEqual([]);
    expect(s.receiver.requests).toHaveLength(2);
  });

  it('retries with backoff while the receiver is down, in order, and delivers each post once it is up', async () => {
    const s = await setup('alert-retry');
    s.receiver.answer(503);
    const api = await s.start();
    await s.callerWaiting(250);
    await until(() => (s.receiver.requests.length >= 3 ? true : undefined), 10_000, 'three attempts');
    await s.callerAnswered();
    await until(() => (api.alerts.stats.cleared === 1 ? true : undefined), 10_000, 'the clearing');
    // The cleared post waits behind the fired one: only the fired one is tried while it fails.
    expect(new Set(s.receiver.requests.map((r) => r.body.deliveryId)).size).toBe(1);
    const attempts = s.receiver.requests.length;
    s.receiver.answer(200);
    await until(() => (s.receiver.accepted().length === 2 ? true : undefined), 10_000, 'both posts');
    expect(events(s.receiver)).toEqual(['fired longWait Afval', 'cleared longWait Afval']);
    expect(api.alerts.stats.deliveryFailures).toBeGreaterThanOrEqual(attempts);
    // Every attempt carried the same body.
    const firedBodies = new Set(s.receiver.requests.filter((r) => r.body.event === 'fired').map((r) => JSON.stringify(r.body)));
    expect(firedBodies.size).toBe(1);
    // A post is taken off the outbox once its answer is back, just after the receiver saw it.
    await until(async () => ((await api.alerts.store.outboxSize()) === 0 ? true : undefined), 10_000, 'the outbox emptied');
  });

  it('delivers exactly once with two API processes', async () => {
    const s = await setup('alert-two');
    const [a, b] = [await s.start(), await s.start()];
    await until(() => (a.alerts.leader || b.alerts.leader ? true : undefined), 10_000, 'a leader');
    expect(a.alerts.leader && b.alerts.leader).toBe(false);
    await s.callerWaiting(250);
    await until(() => (s.receiver.accepted().length === 1 ? true : undefined), 10_000, 'the fired post');
    const leader = a.alerts.leader ? a : b;
    const mark = leader.alerts.stats.evaluations;
    await until(() => (leader.alerts.stats.evaluations >= mark + 10 ? true : undefined), 10_000, 'evaluations');
    await s.callerAnswered();
    await until(() => (s.receiver.accepted().length >= 2 ? true : undefined), 10_000, 'the cleared post');
    const mark2 = leader.alerts.stats.evaluations;
    await until(() => (leader.alerts.stats.evaluations >= mark2 + 10 ? true : undefined), 10_000, 'evaluations');
    expect(events(s.receiver)).toEqual(['fired longWait Afval', 'cleared longWait Afval']);
    expect(s.receiver.requests).toHaveLength(2);
    expect(a.alerts.stats.fired + b.alerts.stats.fired).toBe(1);
  });

  it('loses and doubles nothing across a restart of the evaluating process', async () => {
    const s = await setup('alert-restart');
    s.receiver.answer(503);
    const first = await s.start();
    await s.callerWaiting(250);
    await until(() => (s.receiver.requests.length >= 1 ? true : undefined), 10_000, 'an attempt');
    // The first process goes away with the fired post undelivered.
    await first.stop();
    const id = s.receiver.requests[0]!.body.alert.id;
    s.receiver.answer(200);
    const second = await s.start();
    await until(() => (s.receiver.accepted().length === 1 ? true : undefined), 10_000, 'the fired post, from the second process');
    // The caller still waits: the second process knows the alert is active and fires nothing new.
    const mark = second.alerts.stats.evaluations;
    await until(() => (second.alerts.stats.evaluations >= mark + 10 ? true : undefined), 10_000, 'evaluations');
    expect(second.alerts.stats.fired).toBe(0);
    await s.callerAnswered();
    await until(() => (s.receiver.accepted().length === 2 ? true : undefined), 10_000, 'the cleared post');
    expect(s.receiver.accepted().map((r) => r.body.deliveryId)).toEqual([`${id}:fired`, `${id}:cleared`]);
    const stored = await (await fetch(`${second.url}/api/alerts`)).json();
    expect(stored.alerts.map((a: any) => [a.id, a.clearedAt !== null])).toEqual([[id, true]]);
  });

  it('posts ready-made Teams and Slack/Mattermost bodies', async () => {
    for (const format of ['teams', 'mattermost'] as const) {
      const s = await setup(`alert-${format}`, { ALERT_WEBHOOK_FORMAT: format, ALERT_LANGUAGE: 'en' });
      await s.start();
      await s.callerWaiting(250);
      await until(() => (s.receiver.accepted().length === 1 ? true : undefined), 10_000, `the ${format} post`);
      const body = s.receiver.accepted()[0]!.body;
      if (format === 'teams') {
        expect(body.type).toBe('message');
        expect(body.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
        expect(body.attachments[0].content.body[1].text).toMatch(/^ALERT: Guarantee at risk.*queue Afval/);
        expect(body.attachments[0].content.actions[0].url).toBe('http://wallboard.example/');
      } else {
        expect(body.text).toMatch(/Guarantee at risk: a caller is waiting long — Afval\nALERT: .*longest wait 4:1\d/);
        expect(body.attachments[0].title_link).toBe('http://wallboard.example/');
      }
    }
  });

  it('judges every site of BELOFTE_SITES, each under its own lease', async () => {
    const s = await setup('alert-sites', { BELOFTE_SITE: 'delft', BELOFTE_SITES: 'delft,den-haag' });
    const api = await s.start();
    expect(api.evaluators.map((e) => e.site)).toEqual(['delft', 'den-haag']);
    const haag = new Keys(s.keys.prefix, 'den-haag');
    await redis.multi().sadd(haag.queues, 'Parkeren').hset(haag.waiting('Parkeren'), 'v1', String(Date.now() - 250_000)).exec();
    await until(() => (s.receiver.accepted().length === 1 ? true : undefined), 10_000, 'the fired post of den-haag');
    expect(s.receiver.accepted()[0]!.body).toMatchObject({ event: 'fired', site: 'den-haag', alert: { rule: 'longWait', queue: 'Parkeren' } });
    const listed = await (await fetch(`${api.url}/api/alerts?site=den-haag`)).json();
    expect(listed.alerts.map((a: any) => a.queue)).toEqual(['Parkeren']);
    expect((await (await fetch(`${api.url}/api/alerts?site=delft`)).json()).alerts).toEqual([]);
    await redis.hdel(haag.waiting('Parkeren'), 'v1');
    await until(() => (s.receiver.accepted().length === 2 ? true : undefined), 10_000, 'the cleared post of den-haag');
  });
});
