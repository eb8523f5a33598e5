/**
 * The supervisors' wallboard: live service-norm figures per queue and in total, the day's
 * service level as a chart, and a tile per agent — for a TV across the room.
 *
 * Two sockets: `/ws` (counts since local midnight) and `/ws?window=60m` (rolling hour, used
 * for the last-60-minutes service level). Figures turn grey under a banner whenever either
 * socket is down or silent, or the server itself says the figures are stale.
 */
import { BOARD_METRICS, WINDOW_METRICS, type BoardPlace, type WindowMetric } from '@belofte/shared/catalogue';
import { AGENT_STATES, type AgentView, type LiveSnapshot, type QueueFigures, type Thresholds } from '@belofte/shared/figures';
import { applyLiveFrame, type LiveFrame } from '@belofte/shared/liveFrame';
import { AlertStrip } from './alertStrip.ts';
import { createSlChart, type SlChart } from './chart.ts';
import { clockTime, count, DASH, duration, esc, mmss, percent, percentHtml } from './format.ts';
import { isHistory, slSeries, type History } from './history.ts';
import { initialLang, LANG_STORAGE_KEY, otherLang, t, type Key, type Lang } from './i18n.ts';
import { ReconnectingSocket, type SocketStatus } from './socket.ts';
import {
  ClockOffset,
  gridLayout,
  runningSeconds,
  serviceLevelStatus,
  STATE_SYMBOL,
  waitStatus,
  type WaitStatus,
} from './status.ts';

const STALE_AFTER_MS = 10_000;
const HISTORY_EVERY_MS = 60_000;

interface State {
  lang: Lang;
  today: LiveSnapshot | null;
  hour: LiveSnapshot | null;
  history: History | null;
  todaySocket: SocketStatus;
  hourSocket: SocketStatus;
  /** Client time of the last frame on either socket. */
  lastFrameAt: number | null;
  /** The server's error code while it cannot read the figures or refuses the token. */
  serverError: string | null;
  /** Client time of the last frame that was live (connected switch, fresh figures). */
  lastGoodAt: number | null;
  /** The switch's time (`at`) of that frame: agent times stand still there while figures are not live. */
  lastGoodSwitchAt: string | null;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`wallboard: #${id} missing from the page`);
  return el as T;
};

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    /* private mode: the choice lasts until reload */
  }
}

const params = new URLSearchParams(location.search);
const token = params.get('token');

function authHeaders(): HeadersInit {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

function socketUrl(window: string | null): string {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (window) url.searchParams.set('window', window);
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

const state: State = {
  lang: initialLang(storedLang(), navigator.language),
  today: null,
  hour: null,
  history: null,
  todaySocket: { live: false, problem: 'connecting' },
  hourSocket: { live: false, problem: 'connecting' },
  lastFrameAt: null,
  serverError: null,
  lastGoodAt: null,
  lastGoodSwitchAt: null,
};
const offset = new ClockOffset();
let chart: SlChart | null = null;

const tr = (key: Key, vars?: Record<string, string | number>) => t(state.lang, key, vars);

function thresholds(): Thresholds | null {
  return state.today?.thresholds ?? state.hour?.thresholds ?? null;
}

/**
 * The contact centre's zone (BELOFTE_TIMEZONE), as the live frames carry it: every clock and
 * time of day on the board is on it, whatever zone the TV itself is set to. Null until the
 * first frame: the clock stays empty rather than show another zone's time.
 */
function timeZone(): string | null {
  return state.today?.timeZone ?? state.hour?.timeZone ?? null;
}

function thresholdVars(th: Thresholds): Record<string, number> {
  return { min: Math.round(th.guaranteeSeconds / 60), n: th.maxTransfers };
}

// ---------------------------------------------------------------- pieces of markup

function slCell(value: number | null | undefined, th: Thresholds, fig: string): string {
  const status = serviceLevelStatus(value ?? null, th.serviceLevelTarget);
  const arrow = status === 'ok' ? '▲ ' : status === 'bad' ? '▼ ' : '';
  return `<td class="num sl sl-${status}" data-fig="${fig}" data-status="${status}"><span class="arrow">${arrow}</span>${percent(value ?? null, state.lang, 1, th.serviceLevelTarget)}</td>`;
}

function slTile(value: number | null | undefined, th: Thresholds, fig: string, label: Key): string {
  const status = serviceLevelStatus(value ?? null, th.serviceLevelTarget);
  const note =
    status === 'ok' ? `▲ ${tr('onTarget')}` : status === 'bad' ? `▼ ${tr('belowTarget')}` : tr('noCalls');
  return `<div class="tile big sl sl-${status}" data-fig="${fig}" data-status="${status}">
    <div class="label">${tr(label)}</div>
    <div class="value${(value ?? 0) >= 0.9995 ? ' long' : ''}">${percentHtml(value ?? null, state.lang, 1, th.serviceLevelTarget)}</div>
    <div class="note"><b>${note}</b> · ${tr('target')} ${targetPercent(th)}</div>
  </div>`;
}

/** The target as "80%" (a decimal only when it has one). */
function targetPercent(th: Thresholds): string {
  const whole = Math.abs(th.serviceLevelTarget * 100 - Math.round(th.serviceLevelTarget * 100)) < 1e-6;
  return percent(th.serviceLevelTarget, state.lang, whole ? 0 : 1);
}

/** A running wait clock; tick() keeps it current from the data attributes. */
function waitAttrs(f: QueueFigures, snap: LiveSnapshot): string {
  if (f.waiting <= 0) return 'data-level="none"';
  return `data-wait-base="${f.longestWaitSeconds}" data-wait-at="${esc(snap.at)}"`;
}

/** The wallboard's place of a catalogue figure (BOARD_METRICS have one). */
const board = (m: WindowMetric): BoardPlace & { tileLabel?: Key } => WINDOW_METRICS[m].board!;
const label = (m: WindowMetric): Key => WINDOW_METRICS[m].label;

function countTile(fig: string, label: string, value: number, alarm = false): string {
  const alarmClass = alarm && value > 0 ? ' alarm' : '';
  const mark = alarm && value > 0 ? '<span class="mark">⚠ </span>' : '';
  return `<div class="tile small${alarmClass}" data-fig="${fig}">
    <div class="label">${label}</div>
    <div class="value">${mark}${count(value, state.lang)}</div>
  </div>`;
}

function renderTotals(): void {
  const host = $('totals');
  const snap = state.today;
  const th = thresholds();
  if (!snap || !th) {
    host.innerHTML = `<div class="tile big placeholder"><div class="value">${tr('connecting')}</div></div>`;
    return;
  }
  const f = snap.total;
  const vars = thresholdVars(th);
  host.innerHTML = `
    ${slTile(f.serviceLevel, th, 'sl-today', 'slToday')}
    ${slTile(state.hour?.total.serviceLevel, th, 'sl-hour', 'slHour')}
    <div class="tile big" data-fig="waiting">
      <div class="label">${tr('waiting')}</div>
      <div class="value">${count(f.waiting, state.lang)}</div>
      <div class="note">${f.waiting > 0 ? '' : tr('nobodyWaiting')}</div>
    </div>
    <div class="tile big wait" data-fig="wait" ${waitAttrs(f, snap)}>
      <div class="label">${tr('longestWait')}</div>
      <div class="value clock-value">${f.waiting > 0 ? mmss(f.longestWaitSeconds) : DASH}</div>
      <div class="note wait-note">${f.waiting > 0 ? '' : tr('nobodyWaiting')}</div>
    </div>
    <div class="row-small">
      ${BOARD_METRICS.filter((m) => board(m).tile)
        .map((m) => countTile(board(m).fig, tr(board(m).tileLabel ?? label(m), vars), f[m], board(m).alarm))
        .join('')}
    </div>`;
}

/** Agents needed (Erlang A) beside agents available; short of agents is an alarm. The inputs in the tooltip. */
function staffingCell(f: QueueFigures, isTotal: boolean): string {
  const s = f.staffing;
  if (isTotal || !s) return `<td class="num staffing" data-fig="staffing">${DASH}</td>`;
  const short = s.agentsNeeded !== null && s.agentsAvailable < s.agentsNeeded;
  const inputs = tr('staffingInputs', {
    calls: count(Math.round(s.arrivalsPerHour), state.lang),
    handle: s.handleSeconds === null ? DASH : mmss(Math.round(s.handleSeconds)),
    patience: s.patienceSeconds === null ? tr('staffingNobodyGaveUp') : mmss(Math.round(s.patienceSeconds)),
  });
  const help = `${tr('staffingHelp', { target: percent(s.serviceLevelTarget, state.lang, 0), seconds: s.targetSeconds })}\n${s.agentsNeeded === null ? tr('staffingTooLittle') : inputs}`;
  const needed = s.agentsNeeded === null ? DASH : count(s.agentsNeeded, state.lang);
  return `<td class="num staffing${short ? ' alarm' : ''}" data-fig="staffing" data-needed="${s.agentsNeeded ?? ''}" data-available="${s.agentsAvailable}" title="${esc(help)}"><span class="needed">${needed}</span> / <span class="available">${count(s.agentsAvailable, state.lang)}</span><small class="inputs">${esc(s.agentsNeeded === null ? tr('staffingTooLittle') : inputs)}</small></td>`;
}

/** A queue's own targets under its name, when they differ from the board's. */
function ownTargets(f: QueueFigures, th: Thresholds): string {
  const t = f.targets;
  if (!t || (t.targetSeconds === th.targetSeconds && t.serviceLevelTarget === th.serviceLevelTarget)) return '';
  return `<small class="qtarget" data-fig="queue-target">${tr('queueTarget', { target: percent(t.serviceLevelTarget, state.lang, 0), seconds: t.targetSeconds })}</small>`;
}

function queueRow(name: string, label: string, f: QueueFigures, hourF: QueueFigures | undefined, snap: LiveSnapshot, boardTh: Thresholds, isTotal: boolean, agents: Record<(typeof AGENT_STATES)[number], number>): string {
  const alarm = (v: number) => (v > 0 ? ` class="num alarm"` : ` class="num"`);
  // A queue's service level is held to its own target (BELOFTE_QUEUES), the total to the board's.
  const th: Thresholds = f.targets ? { ...boardTh, ...f.targets } : boardTh;
  const vars = thresholdVars(th);
  // data-label: on a phone the table turns into one card per queue, each figure with its label.
  const L = (key: Key, v?: Record<string, number>) => `data-label="${esc(tr(key, v))}"`;
  return `<tr data-queue="${esc(name)}"${isTotal ? ' class="total"' : ''}>
    <th scope="row" class="qname">${esc(label)}${isTotal ? '' : ownTargets(f, boardTh)}</th>
    ${slCell(f.serviceLevel, th, 'sl-today').replace('<td ', `<td ${L('slTodayShort')} `)}
    ${slCell(hourF?.serviceLevel, th, 'sl-hour').replace('<td ', `<td ${L('slHourShort')} `)}
    <td class="num" data-fig="waiting" ${L('waitingShort')}>${count(f.waiting, state.lang)}</td>
    <td class="num wait" data-fig="wait" ${L('longestWaitShort')} ${waitAttrs(f, snap)}><span class="clock-value">${f.waiting > 0 ? mmss(f.longestWaitSeconds) : DASH}</span></td>
    ${BOARD_METRICS.map((m) => `<td${board(m).alarm ? alarm(f[m]) : ' class="num"'} data-fig="${board(m).fig}" data-label="${esc(tr(WINDOW_METRICS[m].label, vars))}">${count(f[m], state.lang)}</td>`).join('')}
    ${staffingCell(f, isTotal).replace('<td ', `<td ${L('staffingShort')} `)}
    <td class="agent-states" ${L('agents')}>${AGENT_STATES.map((s) => `<span class="ac ac-${s}" title="${esc(tr(`state_${s}`))}"><span class="sym" aria-label="${esc(tr(`state_${s}`))}">${STATE_SYMBOL[s]}</span><span data-fig="agents-${s}">${count(agents[s], state.lang)}</span></span>`).join('')}</td>
  </tr>`;
}

function renderQueues(): void {
  const host = $('queues');
  const snap = state.today;
  const th = thresholds();
  if (!snap || !th) {
    host.innerHTML = '';
    return;
  }
  const vars = thresholdVars(th);
  // The server sends the queues in board order (BELOFTE_QUEUES first, then by name).
  const names = Object.keys(snap.queues);
  const head = `<thead><tr>
    <th scope="col" class="qname">${tr('queue')}</th>
    <th scope="col">${tr('slTodayShort')}</th>
    <th scope="col">${tr('slHourShort')}</th>
    <th scope="col">${tr('waitingShort')}</th>
    <th scope="col">${tr('longestWaitShort')}</th>
    ${BOARD_METRICS.map((m) => `<th scope="col">${tr(label(m), vars)}</th>`).join('')}
    <th scope="col" class="staffing" title="${esc(tr('staffingHelp', { target: percent(th.serviceLevelTarget, state.lang, 0), seconds: th.targetSeconds }))}">${tr('staffingShort')}</th>
    <th scope="col" class="agent-states">${tr('agents')}</th>
  </tr></thead>`;
  // Agent columns count the tiles shown: per queue its members, in a total each person once.
  const people = shownAgents(snap);
  const inQueues = (qs: string[]) => agentCounts(people.filter((a) => a.queues.some((q) => qs.includes(q))));
  const row = (n: string) => queueRow(n, snap.queues[n]!.displayName ?? snap.queues[n]!.queue ?? n, snap.queues[n]!, state.hour?.queues[n], snap, th, false, inQueues([n]));
  const sites = Object.entries(snap.sites ?? {});
  let rows: string;
  if (sites.length > 1) {
    // Several switches: each site's queues under its name, with the site's own total, then the sum of all.
    const columns = 7 + BOARD_METRICS.length;
    rows = sites
      .map(([site, sf]) => {
        const own = names.filter((n) => snap.queues[n]!.site === site);
        const stale = sf.health.stale ? ` <span class="site-stale" data-fig="site-stale">${esc(sf.health.reason ?? '')}</span>` : '';
        return `<tr class="site-head" data-site="${esc(site)}"><th scope="rowgroup" colspan="${columns}">${esc(site)}${stale}</th></tr>
          ${own.map(row).join('')}
          ${queueRow(`__site/${site}`, tr('siteTotal', { site }), sf.total, state.hour?.sites?.[site]?.total, snap, th, true, inQueues(own)).replace('class="total"', 'class="total site-total"')}`;
      })
      .join('');
  } else rows = names.map(row).join('');
  const total = queueRow('__total', sites.length > 1 ? tr('allSitesTotal') : tr('total'), snap.total, state.hour?.total, snap, th, true, agentCounts(people));
  const inSeveral = people.some((a) => a.queues.filter((q) => snap.queues[q]).length > 1);
  host.innerHTML = `${head}<tbody>${rows}${total}</tbody>${inSeveral ? `<caption class="table-note">${tr('totalAgentsNote')}</caption>` : ''}`;
}

function agentOrder(a: AgentView, b: AgentView): number {
  const off = Number(a.state === 'loggedoff') - Number(b.state === 'loggedoff');
  return off !== 0 ? off : a.name.localeCompare(b.name, state.lang);
}

/**
 * The agents the board shows: everyone but those logged off since before today (an agent who
 * left the team weeks ago is not a tile). The table's agent columns count exactly these.
 */
function shownAgents(snap: LiveSnapshot | null): AgentView[] {
  if (!snap) return [];
  const midnight = Date.parse(snap.from);
  return Object.values(snap.agents).filter((a) => !(a.state === 'loggedoff' && Date.parse(a.since) < midnight));
}

/** Agent counts per state over `agents` (a queue's members, or everybody once for the total). */
function agentCounts(agents: AgentView[]): Record<(typeof AGENT_STATES)[number], number> {
  const out = Object.fromEntries(AGENT_STATES.map((s) => [s, 0])) as Record<(typeof AGENT_STATES)[number], number>;
  for (const a of agents) out[a.state]++;
  return out;
}

function renderAgents(): void {
  const host = $('agents');
  $('agents-title').innerHTML = `${tr('agents')} <span class="legend">✓ ${tr('answeredShort')} · ⇄ ${tr('transfersShort')}</span>`;
  const agents = shownAgents(state.today).sort(agentOrder);
  if (!state.today) {
    host.innerHTML = '';
    return;
  }
  if (agents.length === 0) {
    host.innerHTML = `<div class="empty">${tr('noAgents')}</div>`;
    layoutAgents(1);
    return;
  }
  // Heartbeats keep coming while the switch is away; the times in state must not run on with them.
  const live = state.today.health.collectorConnected && !state.today.health.stale;
  const at = live || !state.lastGoodSwitchAt ? state.today.at : state.lastGoodSwitchAt;
  host.innerHTML = agents
    .map((a) => {
      const reason = a.state === 'paused' && a.pausedReason ? ` · ${esc(a.pausedReason)}` : '';
      // Pause is per queue: a person paused in some of their queues only is shown once, with those queues.
      const pausedIn = a.state !== 'paused' && a.pausedIn?.length ? `<span class="a-paused" data-testid="paused-in"> · ⏸ ${tr('pausedIn')} ${esc(a.pausedIn.join(', '))}${a.pausedReason ? ` (${esc(a.pausedReason)})` : ''}</span>` : '';
      return `<div class="agent st-${a.state}" data-agent="${esc(a.name)}" data-state="${a.state}">
        <div class="a-name">${esc(a.name)}</div>
        <div class="a-state"><span class="sym">${STATE_SYMBOL[a.state]}</span> ${tr(`state_${a.state}`)}${reason}${pausedIn}</div>
        <div class="a-meta"><span class="a-time" data-since="${esc(a.since)}">${duration(runningSeconds(0, a.since, Date.parse(at)))}</span><span class="a-count">✓${count(a.answered, state.lang)} ⇄${count(a.transfersMade, state.lang)}</span></div>
      </div>`;
    })
    .join('');
  layoutAgents(agents.length);
}

let agentCount = 0;
function layoutAgents(n = agentCount): void {
  agentCount = n;
  const host = $('agents');
  const gap = parseFloat(getComputedStyle(host).columnGap) || 6;
  const { cols, rows } = gridLayout(n, host.clientWidth, host.clientHeight, gap, 2.3);
  host.style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  host.style.gridTemplateRows = `repeat(${rows}, minmax(0, 1fr))`;
}

// ---------------------------------------------------------------- staleness

/** The server's error code → the page's own words (the server's message is English). */
function serverErrorText(code: string): string {
  if (code === 'unauthorized') return tr('staleUnauthorized');
  if (code === 'forbidden') return tr('staleForbidden');
  if (code === 'not_configured') return tr('staleNotConfigured');
  if (code === 'unavailable') return tr('staleRedis');
  return tr('staleServer');
}

function staleReasons(): string[] {
  const reasons = new Set<string>();
  for (const s of [state.todaySocket, state.hourSocket]) {
    if (s.live) continue;
    if (s.problem === 'connecting') reasons.add(tr('connecting'));
    else if (s.problem === 'silent') reasons.add(tr('staleNoFrames', { s: STALE_AFTER_MS / 1000 }));
    else reasons.add(tr('staleDisconnected'));
  }
  if (state.serverError) reasons.add(serverErrorText(state.serverError));
  for (const snap of [state.today, state.hour]) {
    if (!snap) continue;
    if (!snap.health.collectorConnected) reasons.add(tr('staleCollector'));
    else if (snap.health.stale) reasons.add(tr('staleServer'));
  }
  return [...reasons];
}

/** Whether the figures on screen are not live (the banner shows, the clocks stand still). */
let stale = true;

function renderStatus(): void {
  const reasons = staleReasons();
  stale = reasons.length > 0;
  $('board').classList.toggle('is-stale', stale);
  const banner = $('stale-banner');
  banner.hidden = !stale;
  const zone = timeZone();
  const time = state.lastGoodAt && zone ? clockTime(state.lastGoodAt, state.lang, zone) : null;
  if (stale) {
    // The key fact first: since when the figures are old; then why, then that clocks stopped.
    const since = time ? `<span class="since">${esc(tr('lastGoodUpdate', { time }))}</span>` : '';
    banner.innerHTML = `<span class="sym">⚠</span><span class="text"><b>${tr('stale')}</b>${since ? ` · ${since}` : ''} · ${reasons.map(esc).join('; ')} · ${tr('clocksFrozen')}</span>`;
  }
  $('status').innerHTML = stale ? '' : `<span class="live">● LIVE</span>${time ? ` · ${tr('lastUpdate')} ${time}` : ''}`;
}

// ---------------------------------------------------------------- clocks

function setWaitLevel(el: HTMLElement, level: WaitStatus | 'none'): void {
  if (el.dataset.level !== level) el.dataset.level = level;
}

function tick(): void {
  const now = Date.now();
  const th = thresholds();
  const zone = timeZone();
  const clock = zone ? clockTime(now, state.lang, zone) : '';
  if ($('clock').textContent !== clock) $('clock').textContent = clock;
  // Old figures must not look alive: waits and times in state stop where the last frame left them.
  if (stale) return;
  document.querySelectorAll<HTMLElement>('[data-wait-base]').forEach((el) => {
    const secs = runningSeconds(Number(el.dataset.waitBase), el.dataset.waitAt ?? '', now, offset.ms);
    const level = th ? waitStatus(secs, th) : 'ok';
    const value = el.querySelector('.clock-value');
    const note = el.querySelector('.wait-note');
    if (note) {
      const vars = th ? thresholdVars(th) : { min: 5, n: 2 };
      note.textContent =
        level === 'bad' ? `✖ ${tr('waitBad')}` : level === 'warn' ? `⚠ ${tr('waitWarn', vars)}` : `✓ ${tr('waitOk')}`;
      if (value && value.textContent !== mmss(secs)) value.textContent = mmss(secs);
    } else if (value) {
      // Table cells have no room for a note: a symbol carries the level besides the colour.
      const text = `${level === 'bad' ? '✖ ' : level === 'warn' ? '⚠ ' : ''}${mmss(secs)}`;
      if (value.textContent !== text) value.textContent = text;
    }
    setWaitLevel(el, level);
  });
  document.querySelectorAll<HTMLElement>('[data-since]').forEach((el) => {
    const text = duration(runningSeconds(0, el.dataset.since ?? '', now, offset.ms));
    if (el.textContent !== text) el.textContent = text;
  });
}

// ---------------------------------------------------------------- data

function renderText(): void {
  document.documentElement.lang = state.lang;
  document.title = tr('pageTitleWallboard');
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = tr(el.dataset.i18n as Key);
  });
  const toggle = $('lang-toggle');
  toggle.textContent = tr('switchLanguage');
  toggle.setAttribute('lang', otherLang(state.lang));
  $('chart-legend').innerHTML = `<span class="lg-line">━</span> ${tr('chartSeries')} <span class="lg-target">┅</span> ${tr('chartTarget')} <span class="chart-note">· ${tr('chartNote')}</span>`;
}

function renderAll(): void {
  renderText();
  renderTotals();
  renderQueues();
  renderAgents();
  renderStatus();
  updateChart();
  tick();
}

function updateChart(): void {
  const th = thresholds();
  if (!chart || !th) return;
  chart.update(slSeries(state.history, state.today), th.serviceLevelTarget);
}

function makeChart(): void {
  chart?.destroy();
  chart = createSlChart($('chart'), { series: tr('chartSeries'), target: tr('chartTarget') }, timeZone);
  updateChart();
}

/** A full document or a frame of agent-tile changes (services/shared/src/liveFrame.ts). */
function parseSnapshot(data: string): LiveFrame | null {
  try {
    const v = JSON.parse(data) as LiveFrame;
    return v && typeof v === 'object' && typeof v.at === 'string' && v.total && v.queues ? v : null;
  } catch {
    return null;
  }
}

let explaining = false;
async function explainRefusal(): Promise<void> {
  if (explaining) return;
  explaining = true;
  try {
    const res = await fetch('/api/live', { headers: authHeaders(), cache: 'no-store' });
    if (res.status === 401 || res.status === 403) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      state.serverError = body.error ?? (res.status === 401 ? 'unauthorized' : 'forbidden');
      renderStatus();
    }
  } catch {
    /* the server is away: the socket status says so already */
  } finally {
    explaining = false;
  }
}

async function loadHistory(): Promise<void> {
  try {
    const res = await fetch('/api/history?step=5', { headers: authHeaders(), cache: 'no-store' });
    if (!res.ok) return;
    const body: unknown = await res.json();
    if (isHistory(body)) {
      state.history = body;
      updateChart();
    }
  } catch {
    /* keep the old chart; try again next minute */
  }
}

/** The server says it cannot read the figures (Redis away): stale at once; its error code. */
function serverError(data: string): string | null {
  try {
    const v = JSON.parse(data) as { error?: unknown };
    return v && typeof v.error === 'string' ? v.error : null;
  } catch {
    return null;
  }
}

function onFrame(which: 'today' | 'hour', data: string): void {
  const frame = parseSnapshot(data);
  // After the first (full) frame only the agent tiles that changed come along.
  const snap = frame && applyLiveFrame(state[which], frame);
  if (!snap) {
    const message = serverError(data);
    if (message !== null) {
      state.serverError = message;
      renderStatus();
    }
    return;
  }
  state.serverError = null;
  const now = Date.now();
  offset.add(snap.at, now);
  state.lastFrameAt = now;
  if (snap.health.collectorConnected && !snap.health.stale) {
    state.lastGoodAt = now;
    if (which === 'today') state.lastGoodSwitchAt = snap.at;
  }
  state[which] = snap;
  if (which === 'today') alertStrip?.update(snap.alerts, snap.timeZone ?? null, (q) => snap.queues[q]?.longestWaitSeconds);
  // Both sockets carry the full snapshot; each screen part re-renders from its own source.
  renderTotals();
  renderQueues();
  if (which === 'today') {
    renderAgents();
    updateChart();
  }
  renderStatus();
  tick();
}

let alertStrip: AlertStrip | null = null;

function start(): void {
  alertStrip = new AlertStrip({ parent: document.body, lang: state.lang, params });
  renderAll();
  makeChart();

  $('lang-toggle').addEventListener('click', () => {
    state.lang = otherLang(state.lang);
    rememberLang(state.lang);
    alertStrip?.setLang(state.lang);
    renderAll();
    makeChart();
  });

  const sockets: [keyof Pick<State, 'today' | 'hour'>, string | null][] = [
    ['today', null],
    ['hour', '60m'],
  ];
  for (const [which, window] of sockets) {
    const socket = new ReconnectingSocket({
      url: socketUrl(window),
      staleAfterMs: STALE_AFTER_MS,
      onMessage: (data) => onFrame(which, data),
      onStatus: (status) => {
        if (which === 'today') state.todaySocket = status;
        else state.hourSocket = status;
        renderStatus();
        // A browser cannot read why a socket upgrade was refused: ask the same question over
        // HTTP, so a missing or wrong token is explained rather than shown as "reconnecting".
        if (which === 'today' && !status.live && status.problem !== 'silent') void explainRefusal();
      },
    });
    socket.start();
  }

  void loadHistory();
  setInterval(() => void loadHistory(), HISTORY_EVERY_MS);
  setInterval(tick, 250);
  // Re-fit the agent grid whenever its box changes (TV resolution, queue rows added or removed).
  new ResizeObserver(() => layoutAgents()).observe($('agents'));
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
