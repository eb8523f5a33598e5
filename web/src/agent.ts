/**
 * One agent's own page (/agent/<id>?token=<that agent's token>): calls answered today and this
 * week, average talk time, transfers made, and how many calls they took that had already been
 * transferred twice — pushed live over /ws?agent=<id>. Shows only what the token may see.
 */
import type { AgentSnapshot } from '@belofte/api/schemas/agents';
import type { AgentFigures } from '@belofte/api/schemas/stats';
import { ApiFailure, apiJson, socketUrl } from './api.ts';
import { clockTime, count, DASH, duration, esc, mmss } from './format.ts';
import { initialLang, LANG_STORAGE_KEY, otherLang, t, type Key, type Lang } from './i18n.ts';
import { ReconnectingSocket, type SocketStatus } from './socket.ts';

const agentId = decodeURIComponent(location.pathname.replace(/^\/agent\//, '').replace(/\/$/, ''));
const state = {
  lang: initialLang(storedLang(), navigator.language) as Lang,
  view: null as AgentSnapshot | null,
  socket: { live: false, problem: 'connecting' } as SocketStatus,
  /** Client time of the last frame, to run the "since" clock. */
  receivedAt: 0,
};

const $ = (id: string) => document.getElementById(id)!;
const tr = (key: Key, vars?: Record<string, string | number>) => t(state.lang, key, vars);

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

function tiles(f: AgentFigures, which: string, n: number): string {
  const tile = (fig: string, label: string, value: string, note = '') =>
    `<div class="agent-tile" data-fig="${which}-${fig}"><div class="label">${label}</div><div class="value">${value}</div>${note ? `<div class="note">${note}</div>` : ''}</div>`;
  return [
    tile('answered', tr('answered'), count(f.answered, state.lang)),
    tile('talk', tr('averageTalk'), f.averageTalkSeconds === null ? DASH : mmss(f.averageTalkSeconds), `${tr('talkTime')} ${duration(f.talkSeconds)}`),
    tile('transfers', tr('transfersMade'), count(f.transfersMade, state.lang)),
    tile('atLimit', tr('takenAfterLimit', { n }), count(f.answeredAtTransferLimit, state.lang), tr('takenAfterLimitHelp', { n })),
  ].join('');
}

function render(): void {
  document.documentElement.lang = state.lang;
  document.title = tr('pageTitleAgent');
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = tr(el.dataset.i18n as Key);
  });
  $('lang-toggle').textContent = tr('switchLanguage');
  $('agent-name').textContent = agentId;
  const live = $('live');
  live.className = `live-status ${state.socket.live ? 'on' : 'off'}`;
  live.textContent = state.socket.live ? '● LIVE' : tr(state.socket.problem === 'connecting' ? 'connecting' : 'staleDisconnected');
  const v = state.view;
  if (!v) return;
  const n = v.thresholds.maxTransfers;
  const now = $('now');
  if (v.live) {
    const running = Math.max(0, Math.floor((Date.now() - state.receivedAt) / 1000 + (Date.parse(v.at) - Date.parse(v.live.since)) / 1000));
    now.dataset.state = v.live.state;
    now.innerHTML = `<span class="label">${tr('stateNow')}</span> <b class="state state-${v.live.state}">${tr(`state_${v.live.state}` as Key)}</b>
      <span class="since" data-testid="since">${duration(running)}</span>${v.live.pausedReason ? ` · ${esc(v.live.pausedReason)}` : ''}
      <span class="queues">${v.live.queues.map(esc).join(' · ')}</span>`;
  } else {
    now.dataset.state = 'unknown';
    now.innerHTML = `<span class="label">${tr('stateNow')}</span> <span class="muted">${tr('unknownAgent')}</span>`;
  }
  $('today').innerHTML = tiles(v.today, 'today', n);
  $('week').innerHTML = tiles(v.thisWeek, 'week', n);
  $('week-title').textContent = `${tr('thisWeek')} · ${v.isoWeek}`;
  $('footnote').textContent = `${tr('countsInProgress')} · ${tr('lastUpdate')} ${clockTime(Date.parse(v.at), state.lang, v.timeZone)}`;
  document.body.dataset.ready = 'true';
}

function showProblem(e: unknown): void {
  const host = $('problem');
  host.hidden = false;
  host.innerHTML = `<h2>${tr('accessProblem')}${e instanceof ApiFailure ? ` (${e.status})` : ''}</h2><p>${esc((e as Error).message)}</p>`;
  document.querySelector('main')!.classList.add('has-problem');
  $('live').hidden = true;
  document.body.dataset.ready = 'problem';
}

async function start(): Promise<void> {
  render();
  // One fetch first: it says in words why access is refused, which a refused socket cannot.
  try {
    state.view = await apiJson<AgentSnapshot>(`/api/agents/${encodeURIComponent(agentId)}`);
    state.receivedAt = Date.now();
  } catch (e) {
    showProblem(e);
    return;
  }
  render();
  const socket = new ReconnectingSocket({
    url: socketUrl('/ws', { agent: agentId }),
    onMessage(text) {
      const frame = JSON.parse(text) as AgentSnapshot | { error: string };
      if ('error' in frame) return;
      state.view = frame;
      state.receivedAt = Date.now();
      render();
    },
    onStatus(s) {
      state.socket = s;
      render();
    },
  });
  socket.start();
  // The time-in-state clock runs between frames.
  setInterval(render, 1_000);
}

$('lang-toggle').addEventListener('click', () => {
  state.lang = otherLang(state.lang);
  try {
    localStorage.setItem(LANG_STORAGE_KEY, state.lang);
  } catch {
    /* private mode */
  }
  render();
});
void start();
