/**
 * The wallboard in a real browser: a tiny HTTP + WebSocket server in the test serves the
 * buildWeb() map and /api/history and pushes LiveSnapshot frames built here; Debian's
 * Chromium, driven by playwright-core, shows the page.
 *
 * Skips (with a message) only when no Chromium is found outside CI; in CI it fails instead.
 */
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  addFigures,
  DEFAULT_THRESHOLDS,
  emptyFigures,
  type AgentStateName,
  type AgentView,
  type LiveSnapshot,
  type QueueFigures,
} from '@belofte/shared/figures';
import { buildWeb, type WebAsset } from '../../web/build.ts';
import { CHROMIUM, launchChromium, screenshot } from '../support/browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = join(ROOT, 'screenshots');

const IN_CI = !!process.env.CI;
if (!CHROMIUM && !IN_CI) {
  console.warn(
    '[wallboard browser test] SKIPPED: no Chromium found (tried $CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome). ' +
      'Install it with `apt-get install -y chromium` or set CHROMIUM_PATH. In CI (CI set) this test fails instead of skipping.',
  );
}

// ------------------------------------------------------------------ snapshot builders

const MIDNIGHT = (() => {
  // Local midnight in Amsterdam, close enough for test data: the figures only need one `from`.
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() - 3600_000).toISOString();
})();

function queue(partial: Partial<Omit<QueueFigures, 'agents'>> & { agents?: Partial<QueueFigures['agents']> }): QueueFigures {
  const f = emptyFigures();
  const { agents, ...rest } = partial;
  Object.assign(f, rest);
  Object.assign(f.agents, agents ?? {});
  return f;
}

const FIRST = ['Anna', 'Bram', 'Chantal', 'Daan', 'Eva', 'Fatima', 'Gijs', 'Hanneke', 'Ibrahim', 'Joost', 'Karin', 'Lars',
  'Mila', 'Noah', 'Olga', 'Pieter', 'Quinten', 'Roos', 'Sem', 'Tess'];
const LAST = ['de Vries', 'Jansen', 'Bakker', 'El Amrani', 'van den Berg', 'Visser', 'Smit', 'Meijer', 'Yılmaz', 'de Boer',
  'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Leeuwen', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra'];
const STATES: AgentStateName[] = ['oncall', 'oncall', 'available', 'oncall', 'wrapup', 'paused', 'ringing', 'oncall', 'available', 'unavailable', 'oncall', 'loggedoff'];
const QUEUE_NAMES = ['Afval', 'Belastingen', 'Burgerzaken', 'Parkeren', 'Wmo-zorg'];

function makeAgents(n: number, now: number): Record<string, AgentView> {
  const out: Record<string, AgentView> = {};
  for (let i = 0; i < n; i++) {
    const name = `${FIRST[i % FIRST.length]} ${LAST[(i + Math.floor(i / FIRST.length) * 3) % LAST.length]}`;
    const state = STATES[i % STATES.length]!;
    out[`PJSIP/${1000 + i}`] = {
      name,
      interface: `PJSIP/${1000 + i}`,
      state,
      queues: [QUEUE_NAMES[i % QUEUE_NAMES.length]!],
      pausedIn: state === 'paused' ? [QUEUE_NAMES[i % QUEUE_NAMES.length]!] : [],
      pausedReason: state === 'paused' ? ['Lunch', 'Overleg', 'Training'][i % 3]! : null,
      since: new Date(now - ((i * 37) % 900) * 1000 - (i % 5 === 0 ? 3600_000 : 0)).toISOString(),
      answered: (i * 3) % 41,
      transfersMade: i % 4,
    };
  }
  return out;
}

function snapshot(opts: {
  window?: string;
  queues: Record<string, QueueFigures>;
  agents?: Record<string, AgentView>;
  at?: number;
  health?: Partial<LiveSnapshot['health']>;
}): LiveSnapshot {
  const at = opts.at ?? Date.now();
  let total = emptyFigures();
  for (const q of Object.values(opts.queues)) total = addFigures(total, q);
  // The counts' own serviceLevel wins when a test sets one on a single queue.
  const names = Object.keys(opts.queues);
  if (names.length === 1) total.serviceLevel = opts.queues[names[0]!]!.serviceLevel;
  return {
    at: new Date(at).toISOString(),
    window: opts.window ?? 'today',
    from: opts.window && opts.window !== 'today' ? new Date(at - 3600_000).toISOString() : MIDNIGHT,
    thresholds: { ...DEFAULT_THRESHOLDS },
    // As the API sends it (BELOFTE_TIMEZONE): the board's clock and times are on this zone.
    timeZone: 'Europe/Amsterdam',
    total,
    queues: opts.queues,
    agents: opts.agents ?? {},
    health: { collectorConnected: true, lastEventAt: new Date(at).toISOString(), stale: false, reason: null, ...opts.health },
  };
}

/** A queue whose service level is `sl` (answered within 20 s out of 100 answered). */
function slQueue(sl: number, extra: Partial<QueueFigures> = {}): QueueFigures {
  const within = Math.round(sl * 100);
  return queue({ offered: 104, answered: 100, abandoned: 0, answeredWithinTarget: within, serviceLevel: within / 100, ...extra });
}

function historyBody(now: number) {
  const points = [];
  const start = now - 8 * 3600_000;
  for (let t = start, i = 0; t <= now; t += 15 * 60_000, i++) {
    const offered = i * 20;
    const answered = Math.round(offered * 0.95);
    const sl = answered === 0 ? null : 0.72 + 0.16 * Math.sin(i / 4);
    points.push({
      at: new Date(t).toISOString(),
      serviceLevel: sl,
      offered,
      answered,
      answeredWithinTarget: sl === null ? 0 : Math.round(sl * answered),
      abandoned: offered - answered,
    });
  }
  return { from: MIDNIGHT, to: new Date(now).toISOString(), stepMinutes: 15, points };
}

// ------------------------------------------------------------------ the fake API

class FakeApi {
  readonly server: http.Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Map<WebSocket, string>();
  accepting = true;
  today: LiveSnapshot = snapshot({ queues: { Afval: slQueue(0.9) } });
  hour: LiveSnapshot = snapshot({ window: '60m', queues: { Afval: slQueue(0.7) } });
  readonly historyAuth: (string | undefined)[] = [];
  readonly wsUrls: string[] = [];

  constructor(private readonly assets: Map<string, WebAsset>) {
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/api/history') {
        this.historyAuth.push(req.headers.authorization);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(historyBody(Date.now())));
        return;
      }
      const asset = this.assets.get(url.pathname);
      if (!asset) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': asset.contentType });
      res.end(asset.body);
    });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== '/ws' || !this.accepting) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wsUrls.push(req.url ?? '');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const window = url.searchParams.get('window') ?? 'today';
        this.clients.set(ws, window);
        ws.on('close', () => this.clients.delete(ws));
        ws.send(JSON.stringify(window === 'today' ? this.today : this.hour));
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets the snapshots and pushes them to every connected client. */
  push(next: { today?: LiveSnapshot; hour?: LiveSnapshot }): void {
    if (next.today) this.today = next.today;
    if (next.hour) this.hour = next.hour;
    for (const [ws, window] of this.clients) ws.send(JSON.stringify(window === 'today' ? this.today : this.hour));
  }

  dropAll(): void {
    for (const ws of this.clients.keys()) ws.terminate();
  }

  get connected(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    this.dropAll();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

// ------------------------------------------------------------------ the tests

describe.skipIf(!CHROMIUM && !IN_CI)('wallboard in Chromium', () => {
  let browser: Browser;
  let api: FakeApi;
  let base: string;
  let context: BrowserContext | null = null;

  beforeAll(async () => {
    if (!CHROMIUM) {
      throw new Error('No Chromium found (CI is set, so this fails instead of skipping): install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
    }
    api = new FakeApi(await buildWeb());
    base = await api.listen();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  afterEach(async () => {
    await context?.close();
    context = null;
  });

  async function open(opts: { locale?: string; query?: string; width?: number; height?: number } = {}): Promise<Page> {
    context = await browser.newContext({
      locale: opts.locale ?? 'nl-NL',
      viewport: { width: opts.width ?? 1920, height: opts.height ?? 1080 },
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/${opts.query ?? ''}`);
    await page.waitForSelector('[data-testid="stale-banner"]', { state: 'hidden', timeout: 10_000 });
    expect(errors).toEqual([]);
    return page;
  }

  const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

  async function waitText(page: Page, selector: string, expected: string | RegExp, timeout = 10_000): Promise<void> {
    const source = expected instanceof RegExp ? expected.source : null;
    await page.waitForFunction(
      ([sel, str, re]) => {
        const t = (document.querySelector(sel as string) as HTMLElement | null)?.innerText ?? '';
        return re ? new RegExp(re as string).test(t) : t.includes(str as string);
      },
      [selector, typeof expected === 'string' ? expected : '', source],
      { timeout },
    );
  }

  async function waitAttr(page: Page, selector: string, attr: string, value: string, timeout = 10_000): Promise<void> {
    await page.waitForFunction(
      ([sel, a, v]) => document.querySelector(sel as string)?.getAttribute(a as string) === v,
      [selector, attr, value],
      { timeout },
    );
  }

  const TOTAL = '#totals';
  const qrow = (name: string) => `#queues tr[data-queue="${name}"]`;

  it('renders the figures from both sockets', async () => {
    const now = Date.now();
    api.push({
      today: snapshot({
        at: now,
        queues: {
          Afval: queue({ offered: 1234, answered: 1100, abandoned: 61, answeredWithinTarget: 990, serviceLevel: 0.853, waiting: 3, longestWaitSeconds: 65, guaranteeBreaches: 2, overTransferLimit: 1, agents: { available: 4, oncall: 7, paused: 1 } }),
          Parkeren: queue({}),
        },
        agents: makeAgents(6, now),
      }),
      hour: snapshot({ window: '60m', at: now, queues: { Afval: queue({ answered: 125, answeredWithinTarget: 89, serviceLevel: 89 / 125 }), Parkeren: queue({}) } }),
    });
    const page = await open();
    await waitText(page, `${TOTAL} [data-fig="offered"] .value`, '1.234'); // Dutch grouping
    expect(await text(page, `${TOTAL} [data-fig="answered"] .value`)).toBe('1.100');
    expect(await text(page, `${TOTAL} [data-fig="abandoned"] .value`)).toBe('61');
    expect(await text(page, `${TOTAL} [data-fig="breaches"] .value`)).toContain('2');
    expect(await text(page, `${TOTAL} [data-fig="over-transfer"] .value`)).toContain('1');
    expect(await text(page, `${TOTAL} [data-fig="waiting"] .value`)).toBe('3');
    // Since midnight from /ws, last hour from /ws?window=60m.
    // The total is the server's (addFigures over both queues: 990 / (1100 + 61) = 85.27…%), rounded half-up.
    expect(await text(page, `${TOTAL} [data-fig="sl-today"] .value`)).toBe('85,3%');
    expect(await text(page, `${qrow('Afval')} [data-fig="sl-today"]`)).toBe('▲ 85,3%');
    expect(await text(page, `${TOTAL} [data-fig="sl-hour"] .value`)).toBe('71,2%');
    expect(await text(page, `${qrow('Afval')} [data-fig="sl-hour"]`)).toContain('71,2%');
    // A queue without calls shows a dash, not 0%.
    expect(await text(page, `${qrow('Parkeren')} [data-fig="sl-today"]`)).toBe('—');
    expect(await page.getAttribute(`${qrow('Parkeren')} [data-fig="sl-today"]`, 'data-status')).toBe('none');
    // Agent counts per queue are the tiles shown (the queue's members), the total each person once.
    const tiles = Object.values(makeAgents(6, now));
    const members = (q: string, st: string) => String(tiles.filter((a) => a.queues.includes(q) && a.state === st).length);
    expect(await text(page, `${qrow('Afval')} [data-fig="agents-oncall"]`)).toBe(members('Afval', 'oncall'));
    expect(await text(page, `${qrow('Afval')} [data-fig="agents-available"]`)).toBe(members('Afval', 'available'));
    expect(await text(page, `${qrow('__total')} [data-fig="agents-available"]`)).toBe(String(tiles.filter((a) => a.state === 'available').length));
    // Callers moved into another queue: a column of the table (every catalogue figure with a board place).
    expect(await text(page, `${qrow('Afval')} [data-fig="moved-out"]`)).toBe('0');
    expect(await page.locator('#agents .agent').count()).toBe(6);
    const paused = page.locator('#agents .agent[data-state="paused"]').first();
    expect(await paused.innerText()).toMatch(/Pauze · (Lunch|Overleg|Training)/);
    // The chart is drawn.
    await page.waitForSelector('#chart .uplot canvas');
    // The wait clock ticks (65 s at the snapshot, more a second later).
    await waitText(page, `${TOTAL} [data-fig="wait"] .value`, /^1:(0[6-9]|[1-5]\d)$/, 5_000);
  });

  it('shows per queue the agents needed now beside those available, with the inputs, and a dash while traffic is too thin', async () => {
    const staffing = { agentsAvailable: 4, arrivalsPerHour: 96, handleSeconds: 185.4, patienceSeconds: 132, targetSeconds: 20, serviceLevelTarget: 0.8, sample: { arrivals: 48, conversations: 90, abandons: 7 } };
    api.push({
      today: snapshot({
        queues: {
          Afval: slQueue(0.7, { staffing: { ...staffing, agentsNeeded: 6 } }),
          Belastingen: slQueue(0.9, { staffing: { ...staffing, agentsNeeded: 3, agentsAvailable: 5, patienceSeconds: null } }),
          Parkeren: queue({ staffing: { ...staffing, agentsNeeded: null, agentsAvailable: 2, arrivalsPerHour: 4, sample: { arrivals: 2, conversations: 1, abandons: 0 } } }),
        },
      }),
    });
    const page = await open();
    const cell = (q: string) => `${qrow(q)} [data-fig="staffing"]`;
    await waitAttr(page, cell('Afval'), 'data-needed', '6');
    // Short of two agents: an alarm; the inputs under it, in Dutch.
    expect(await text(page, `${cell('Afval')} .needed`)).toBe('6');
    expect(await text(page, `${cell('Afval')} .available`)).toBe('4');
    expect(await page.getAttribute(cell('Afval'), 'class')).toContain('alarm');
    expect(await text(page, `${cell('Afval')} .inputs`)).toBe('96 gesprekken/u · afhandeling 3:05 · geduld 2:12');
    expect(await page.getAttribute(cell('Afval'), 'title')).toContain('80% binnen 20 s');
    // Enough agents: no alarm; nobody gave up: said so.
    expect(await page.getAttribute(cell('Belastingen'), 'class')).not.toContain('alarm');
    expect(await text(page, `${cell('Belastingen')} .inputs`)).toContain('niemand haakte af');
    // Too little traffic: a dash, not a number, and why.
    expect(await text(page, `${cell('Parkeren')} .needed`)).toBe('—');
    expect(await text(page, `${cell('Parkeren')} .inputs`)).toBe('te weinig verkeer om iets te zeggen');
    // The total has no advice of its own.
    expect(await text(page, `${qrow('__total')} [data-fig="staffing"]`)).toBe('—');
  });

  it('shows two sites on one board: each site\'s queues under its name with its own total, and the total of both', async () => {
    const haag = { Afval: slQueue(0.9, { site: 'den-haag', queue: 'Afval', displayName: 'Afval en grondstoffen' }), Parkeren: slQueue(0.6, { site: 'den-haag', queue: 'Parkeren' }) };
    const delft = { Afval: slQueue(0.7, { site: 'delft', queue: 'Afval' }) };
    const siteTotal = (qs: Record<string, QueueFigures>) => Object.values(qs).reduce((t, q) => addFigures(t, q), emptyFigures());
    const queues = { 'den-haag/Afval': haag.Afval, 'den-haag/Parkeren': haag.Parkeren, 'delft/Afval': delft.Afval };
    const snap = snapshot({ queues });
    snap.sites = {
      'den-haag': { total: siteTotal(haag), health: snap.health, clockOffsetMs: 0 },
      delft: { total: siteTotal(delft), health: { ...snap.health, collectorConnected: false, stale: true, reason: 'geen verbinding met de centrale' }, clockOffsetMs: 0 },
    };
    api.push({ today: snap });
    const page = await open();
    await page.waitForSelector('#queues tr[data-site="delft"]');
    // Site headings in order, each followed by its queues and its own total.
    const order = await page.locator('#queues tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.site ?? (r as HTMLElement).dataset.queue));
    expect(order).toEqual(['den-haag', 'den-haag/Afval', 'den-haag/Parkeren', '__site/den-haag', 'delft', 'delft/Afval', '__site/delft', '__total']);
    expect(await text(page, `${qrow('den-haag/Afval')} th`)).toBe('Afval en grondstoffen');
    expect(await text(page, `${qrow('delft/Afval')} th`)).toBe('Afval');
    expect(await text(page, `${qrow('__site/den-haag')} th`)).toBe('Totaal den-haag');
    // Site totals and the total of both from the summed counts: (90 + 60 + 70) / 300.
    expect(await text(page, `${qrow('__site/den-haag')} [data-fig="sl-today"]`)).toContain('75,0%');
    expect(await text(page, `${qrow('__site/delft')} [data-fig="sl-today"]`)).toContain('70,0%');
    expect(await text(page, `${qrow('__total')} th`)).toBe('Totaal, alle locaties');
    expect(await text(page, `${qrow('__total')} [data-fig="sl-today"]`)).toContain('73,3%');
    // A site whose collector is away says so under its name.
    expect(await text(page, '#queues tr[data-site="delft"] [data-fig="site-stale"]')).toBe('geen verbinding met de centrale');
  });

  it('updates a figure on the page when a new snapshot arrives, without reload', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9, { offered: 10 }) } }) });
    const page = await open();
    await waitText(page, `${TOTAL} [data-fig="offered"] .value`, '10');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9, { offered: 11, waiting: 2 }) } }) });
    await waitText(page, `${TOTAL} [data-fig="offered"] .value`, '11');
    await waitText(page, `${qrow('Afval')} [data-fig="waiting"]`, '2');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('colours the service level red below 80% and green at or above, with an arrow and text', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.79) } }) });
    const page = await open({ locale: 'en-GB' });
    const tile = `${TOTAL} [data-fig="sl-today"]`;
    await waitAttr(page, tile, 'data-status', 'bad');
    expect(await text(page, `${tile} .value`)).toBe('79.0%');
    expect(await text(page, `${tile} .note`)).toContain('▼ below target');
    expect(await page.$eval(tile, (el) => getComputedStyle(el).borderTopColor)).toBe('rgb(255, 82, 82)');
    expect(await page.getAttribute(`${qrow('Afval')} [data-fig="sl-today"]`, 'data-status')).toBe('bad');

    api.push({ today: snapshot({ queues: { Afval: slQueue(0.8) } }) });
    await waitAttr(page, tile, 'data-status', 'ok');
    expect(await text(page, `${tile} .value`)).toBe('80.0%');
    expect(await text(page, `${tile} .note`)).toContain('▲ on target');
    expect(await page.$eval(tile, (el) => getComputedStyle(el).borderTopColor)).toBe('rgb(46, 204, 113)');
    expect(await text(page, `${qrow('Afval')} [data-fig="sl-today"]`)).toContain('▲');

    // The longest percentage still fits its tile.
    api.push({ today: snapshot({ queues: { Afval: slQueue(1) } }), hour: snapshot({ window: '60m', queues: { Afval: slQueue(1) } }) });
    await waitText(page, `${tile} .value`, '100.0%');
    await waitText(page, `${TOTAL} [data-fig="sl-hour"] .value`, '100.0%');
    for (const fig of ['sl-today', 'sl-hour']) {
      const clipped = await page.$eval(`${TOTAL} [data-fig="${fig}"] .value`, (el) => el.scrollWidth > el.clientWidth + 1);
      expect(clipped, fig).toBe(false);
    }
  });

  it('turns the wait clock amber at 4:00 and red at 5:00', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }) });
    const page = await open({ locale: 'en-GB' });
    const tile = `${TOTAL} [data-fig="wait"]`;
    // Pushed once the page is up, so page-load time does not eat into the 4 s before 4:00.
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9, { waiting: 1, longestWaitSeconds: 236 }) } }) });
    await waitAttr(page, tile, 'data-wait-base', '236');
    expect(await page.getAttribute(tile, 'data-level')).toBe('ok');
    expect(await text(page, `${tile} .value`)).toMatch(/^3:5[6-9]$/);
    expect(await text(page, `${tile} .note`)).toContain('within norm');
    // It ticks past 4:00 by itself.
    await waitAttr(page, tile, 'data-level', 'warn', 8_000);
    expect(await text(page, `${tile} .value`)).toMatch(/^4:0\d$/);
    expect(await text(page, `${tile} .note`)).toContain('⚠');
    expect(await page.getAttribute(`${qrow('Afval')} [data-fig="wait"]`, 'data-level')).toBe('warn');
    expect(await page.$eval(tile, (el) => getComputedStyle(el).borderTopColor)).toBe('rgb(255, 193, 7)');

    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9, { waiting: 1, longestWaitSeconds: 299 }) } }) });
    await waitAttr(page, tile, 'data-level', 'bad', 6_000);
    expect(await text(page, `${tile} .value`)).toMatch(/^5:0\d$/);
    expect(await text(page, `${tile} .note`)).toContain('guarantee broken');
    expect(await text(page, `${qrow('Afval')} [data-fig="wait"]`)).toMatch(/^✖ 5:0\d$/);

    // Nobody waiting: no clock.
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }) });
    await waitAttr(page, tile, 'data-level', 'none');
    expect(await text(page, `${tile} .value`)).toBe('—');
  });

  it('shows the stale banner while the socket is down and clears it after reconnecting', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9, { offered: 20 }) } }), hour: snapshot({ window: '60m', queues: { Afval: slQueue(0.9) } }) });
    const page = await open({ locale: 'en-GB' });
    const banner = '[data-testid="stale-banner"]';
    expect(await page.locator('#board').getAttribute('class')).not.toContain('is-stale');

    api.accepting = false;
    api.dropAll();
    await page.waitForSelector(banner, { state: 'visible', timeout: 5_000 });
    expect(await text(page, banner)).toContain('Figures are NOT live');
    expect(await text(page, banner)).toContain('connection to the server lost');
    expect(await page.locator('#board').getAttribute('class')).toContain('is-stale');
    // The last figures stay readable, greyed.
    expect(await text(page, `${TOTAL} [data-fig="offered"] .value`)).toBe('20');
    expect(await page.$eval('#totals', (el) => Number(getComputedStyle(el).opacity))).toBeLessThan(0.6);

    await page.waitForTimeout(1_500); // a few refused reconnect attempts
    api.accepting = true;
    await page.waitForSelector(banner, { state: 'hidden', timeout: 15_000 });
    expect(await page.locator('#board').getAttribute('class')).not.toContain('is-stale');
    expect(api.connected).toBe(2);

    // The server's own verdict shows too, in the page's words (its reason is English, for logs).
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) }, health: { stale: true, collectorConnected: false, reason: 'collector disconnected from Asterisk' } }) });
    await page.waitForSelector(banner, { state: 'visible', timeout: 5_000 });
    expect(await text(page, banner)).toMatch(/geen verbinding met de telefooncentrale|no connection to the phone switch/);
    expect(await text(page, banner)).not.toContain('collector disconnected from Asterisk');
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }) });
    await page.waitForSelector(banner, { state: 'hidden', timeout: 5_000 });
  });

  it('goes stale when no frame comes for more than 10 s, and recovers on the next frame', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }), hour: snapshot({ window: '60m', queues: { Afval: slQueue(0.9) } }) });
    const page = await open({ locale: 'en-GB' });
    const banner = '[data-testid="stale-banner"]';
    // The fake server sends no heartbeats: silence.
    await page.waitForTimeout(8_000);
    expect(await page.isVisible(banner)).toBe(false);
    await page.waitForSelector(banner, { state: 'visible', timeout: 5_000 });
    expect(await text(page, banner)).toContain('no update received for more than 10 seconds');
    // The language toggle stays usable while the banner shows.
    expect(await page.isVisible('[data-testid="lang-toggle"]')).toBe(true);
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }), hour: snapshot({ window: '60m', queues: { Afval: slQueue(0.9) } }) });
    await page.waitForSelector(banner, { state: 'hidden', timeout: 5_000 });
  });

  it('follows navigator.language and switches language with the toggle, remembering it', async () => {
    api.push({ today: snapshot({ queues: { Afval: slQueue(0.9) } }), hour: snapshot({ window: '60m', queues: { Afval: slQueue(0.9) } }) });
    const page = await open({ locale: 'nl-NL' });
    const label = `${TOTAL} [data-fig="sl-today"] .label`;
    expect(await text(page, label)).toBe('Servicelevel vandaag');
    expect(await text(page, 'h1')).toContain('Servicenorm');
    expect(await text(page, `${TOTAL} [data-fig="sl-today"] .value`)).toBe('90,0%');
    expect(await page.getAttribute('html', 'lang')).toBe('nl');

    await page.click('[data-testid="lang-toggle"]');
    expect(await text(page, label)).toBe('Service level today');
    expect(await text(page, 'h1')).toContain('Service norm');
    expect(await text(page, `${TOTAL} [data-fig="sl-today"] .value`)).toBe('90.0%');
    expect(await text(page, '[data-testid="lang-toggle"]')).toBe('Nederlands');

    await page.reload();
    await page.waitForSelector('[data-testid="stale-banner"]', { state: 'hidden' });
    expect(await text(page, label)).toBe('Service level today');
    await context!.close();

    const english = await open({ locale: 'en-US' });
    expect(await text(english, label)).toBe('Service level today');
    expect(await text(english, '[data-testid="lang-toggle"]')).toBe('Nederlands');
  });

  it('passes ?token= on as a bearer header and on the socket URLs', async () => {
    const before = api.wsUrls.length;
    const page = await open({ query: '?token=s3cr%C3%ABt' });
    await page.waitForFunction(() => document.querySelector('#chart .uplot'));
    await expect.poll(() => api.historyAuth.at(-1)).toBe('Bearer s3crët');
    const urls = api.wsUrls.slice(before);
    expect(urls.some((u) => /^\/ws\?token=s3cr%C3%ABt$/.test(u))).toBe(true);
    expect(urls.some((u) => /^\/ws\?window=60m&token=s3cr%C3%ABt$/.test(u))).toBe(true);
  });

  it('fits 60 agents on a 1920×1080 TV without scrolling (screenshot)', async () => {
    const now = Date.now();
    const queues: Record<string, QueueFigures> = {};
    const hourQueues: Record<string, QueueFigures> = {};
    const spec = [
      { sl: 0.862, waiting: 2, wait: 48, offered: 412, breaches: 0, over: 1 },
      { sl: 0.741, waiting: 5, wait: 251, offered: 288, breaches: 3, over: 0 },
      { sl: 0.915, waiting: 0, wait: 0, offered: 655, breaches: 0, over: 2 },
      { sl: 0.803, waiting: 1, wait: 312, offered: 197, breaches: 1, over: 0 },
      { sl: null, waiting: 0, wait: 0, offered: 0, breaches: 0, over: 0 },
    ];
    QUEUE_NAMES.forEach((name, i) => {
      const s = spec[i]!;
      const answered = Math.round(s.offered * 0.94);
      queues[name] = queue({
        offered: s.offered,
        answered,
        abandoned: s.offered - answered,
        answeredWithinTarget: s.sl === null ? 0 : Math.round(s.sl * s.offered),
        serviceLevel: s.sl,
        waiting: s.waiting,
        longestWaitSeconds: s.wait,
        guaranteeBreaches: s.breaches,
        overTransferLimit: s.over,
        agents: { available: 2 + i, ringing: i % 2, oncall: 6 + i, wrapup: 1, paused: 1 + (i % 2), unavailable: i % 3 === 0 ? 1 : 0, loggedoff: 2 },
      });
      hourQueues[name] = queue({ serviceLevel: s.sl === null ? null : Math.min(1, s.sl + 0.05 - i * 0.04) });
    });
    const today = snapshot({ at: now, queues, agents: makeAgents(60, now) });
    const hour = snapshot({ window: '60m', at: now, queues: hourQueues });
    hour.total.serviceLevel = 0.784;
    api.push({ today, hour });

    const page = await open({ locale: 'nl-NL', width: 1920, height: 1080 });
    await page.waitForSelector('#chart .uplot canvas');
    expect(await page.locator('#agents .agent').count()).toBe(60);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await screenshot(page, join(SCREENSHOTS, 'wallboard.png'));

    const fit = await page.evaluate(() => {
      const vw = window.innerWidth;
      const vh = window.innerHeight;
      const out = [...document.querySelectorAll('#agents .agent, #totals .tile, #queues tr')].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top < 0 || r.left < 0 || r.bottom > vh + 0.5 || r.right > vw + 0.5;
      }).map((el) => `${el.className || el.tagName} ${JSON.stringify(el.getBoundingClientRect())}`);
      const agent = document.querySelector('#agents .agent')!.getBoundingClientRect();
      const fontOf = (sel: string) => parseFloat(getComputedStyle(document.querySelector(sel)!).fontSize);
      return {
        scrollsV: document.documentElement.scrollHeight > vh,
        scrollsH: document.documentElement.scrollWidth > vw,
        outside: out,
        agentW: agent.width,
        agentH: agent.height,
        bigFont: fontOf('#totals [data-fig="sl-today"] .value'),
        tableFont: fontOf('#queues tbody td'),
        agentNameFont: fontOf('#agents .agent .a-name'),
      };
    });
    expect(fit.scrollsV).toBe(false);
    expect(fit.scrollsH).toBe(false);
    expect(fit.outside).toEqual([]);
    // Readable across the room: big figures, and agent tiles still legible.
    expect(fit.bigFont).toBeGreaterThanOrEqual(72);
    expect(fit.tableFont).toBeGreaterThanOrEqual(22);
    expect(fit.agentNameFont).toBeGreaterThanOrEqual(15);

    // The agent corner at real pixels, to judge the smallest text.
    await screenshot(page, join(SCREENSHOTS, 'wallboard-agents-detail.png'), { clip: { x: 0, y: 640, width: 960, height: 440 } });
    await page.click('[data-testid="lang-toggle"]');
    await screenshot(page, join(SCREENSHOTS, 'wallboard-en.png'));
    api.accepting = false;
    api.dropAll();
    await page.waitForSelector('[data-testid="stale-banner"]', { state: 'visible' });
    await screenshot(page, join(SCREENSHOTS, 'wallboard-stale.png'));
    api.accepting = true;
  });
});
