/**
 * The callback list (/callbacks?token=<supervisor or manager token>&date=2026-11-17): every
 * caller of the day who gave up or was sent out of the queue unanswered, with their number
 * (in full for supervisors and managers, the last four digits with a wallboard token), how
 * long they waited, whether someone called them back — marked here, with who and when — or
 * whether they called again and were answered. Refreshes itself every 30 s.
 */
import type { CallbackEntry, CallbackList } from '@belofte/api/schemas/callbacks';
import { ApiFailure, apiJson } from './api.ts';
import { esc, mmss, timeOfDay } from './format.ts';
import { LANG_STORAGE_KEY } from './i18n.ts';

type Lang = 'nl' | 'en';
const WORDS = {
  nl: {
    title: 'Terugbellijst', date: 'Dag', openOnly: 'Alleen open', other: 'English',
    left: 'Opgehangen', queue: 'Wachtrij', waited: 'Wachttijd', number: 'Nummer', state: 'Stand', action: 'Terugbellen',
    open: 'open', calledBack: 'teruggebeld', calledAgain: 'zelf opnieuw gebeld', reached: 'bereikt', notReached: 'niet bereikt',
    markReached: 'Gebeld: bereikt', markNotReached: 'Gebeld: niet bereikt', undo: 'Ongedaan maken', breach: 'garantie verbroken',
    by: 'door', after: 'na', minutes: 'min', withheld: 'anoniem', timedOut: 'uit de wachtrij gezet',
    summary: '{n} bellers · {back} teruggebeld ({share} binnen de dag) · {again} zelf opnieuw gebeld · {open} open · mediaan tijd tot terugbellen {median}',
    none: 'Geen bellers om terug te bellen op deze dag.', conflict: 'Iemand anders heeft dit net gewijzigd; de lijst is opnieuw geladen.',
  },
  en: {
    title: 'Callback list', date: 'Day', openOnly: 'Open only', other: 'Nederlands',
    left: 'Left at', queue: 'Queue', waited: 'Waited', number: 'Number', state: 'State', action: 'Call back',
    open: 'open', calledBack: 'called back', calledAgain: 'called again', reached: 'reached', notReached: 'not reached',
    markReached: 'Called: reached', markNotReached: 'Called: not reached', undo: 'Undo', breach: 'guarantee broken',
    by: 'by', after: 'after', minutes: 'min', withheld: 'withheld', timedOut: 'sent out of the queue',
    summary: '{n} callers · {back} called back ({share} within the day) · {again} called again · {open} open · median time to callback {median}',
    none: 'No callers to call back on this day.', conflict: 'Someone else just changed this; the list was reloaded.',
  },
} as const;

const params = new URLSearchParams(location.search);
const state = {
  lang: (stored() ?? (navigator.language.startsWith('nl') ? 'nl' : 'en')) as Lang,
  /**
   * The day shown; null until the first list when the address names none: the API then picks
   * today in BELOFTE_TIMEZONE on the switch's clock, which this browser cannot know.
   */
  date: params.get('date') as string | null,
  openOnly: params.get('state') === 'open',
  list: null as CallbackList | null,
  canMark: true,
};

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const w = () => WORDS[state.lang];
const fill = (text: string, vars: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));

function stored(): string | null {
  try {
    const v = localStorage.getItem(LANG_STORAGE_KEY);
    return v === 'nl' || v === 'en' ? v : null;
  } catch {
    return null;
  }
}

/** A time of the list, on the contact centre's clock (the list's BELOFTE_TIMEZONE): only rendered with a list. */
function time(iso: string): string {
  return timeOfDay(Date.parse(iso), state.lang, state.list!.timeZone);
}

function pct(f: number | null): string {
  return f === null ? '—' : `${Math.round(f * 100)}%`;
}

function stateCell(e: CallbackEntry): string {
  const t = w();
  if (e.state === 'calledBack') {
    const reached = e.callback.reached === null ? '' : `, ${e.callback.reached ? t.reached : t.notReached}`;
    return `<span class="cb-state cb-back">${t.calledBack}${reached}</span> <small>${t.by} ${esc(e.callback.calledBackBy ?? '')} ${time(e.callback.calledBackAt!)}, ${t.after} ${e.minutesToCallback} ${t.minutes}</small>`;
  }
  if (e.state === 'calledAgain') return `<span class="cb-state cb-again">${t.calledAgain}</span> <small>${time(e.calledAgain!.at)}</small>`;
  return `<span class="cb-state cb-open">${t.open}</span>`;
}

function actions(e: CallbackEntry): string {
  if (!state.canMark) return '';
  const t = w();
  if (e.state === 'calledBack') return `<button type="button" data-act="undo" data-id="${esc(e.id)}" data-version="${e.callback.version}">${t.undo}</button>`;
  return `<button type="button" data-act="reached" data-id="${esc(e.id)}" data-version="${e.callback.version}" data-testid="mark-reached">${t.markReached}</button>
    <button type="button" data-act="notReached" data-id="${esc(e.id)}" data-version="${e.callback.version}">${t.markNotReached}</button>`;
}

function render(): void {
  const t = w();
  document.documentElement.lang = state.lang;
  $('title').textContent = t.title;
  $('date-label').textContent = t.date;
  $('open-label').textContent = t.openOnly;
  $('lang-toggle').textContent = t.other;
  ($('date') as HTMLInputElement).value = state.date ?? '';
  ($('open-only') as HTMLInputElement).checked = state.openOnly;
  $('head').innerHTML = `<tr><th>${t.left}</th><th>${t.queue}</th><th>${t.waited}</th><th>${t.number}</th><th>${t.state}</th><th>${t.action}</th></tr>`;
  const list = state.list;
  if (!list) return;
  const s = list.summary;
  $('summary').textContent = fill(t.summary, {
    n: s.callers, back: s.calledBack, share: pct(s.shareCalledBackWithinDay), again: s.calledAgain, open: s.open,
    median: s.medianMinutesToCallback === null ? '—' : `${s.medianMinutesToCallback} ${t.minutes}`,
  });
  $('rows').innerHTML = list.entries.length
    ? list.entries
        .map(
          (e) => `<tr data-testid="callback" data-id="${esc(e.id)}" data-state="${e.state}">
        <td>${time(e.leftAt)}</td>
        <td>${esc(e.queue)}${e.outcome === 'timedOut' ? ` <small>(${t.timedOut})</small>` : ''}</td>
        <td>${mmss(e.waitSeconds)}${e.breach ? ` <span class="cb-breach" data-testid="breach">${t.breach}</span>` : ''}</td>
        <td class="cb-number" data-testid="number">${e.caller ? esc(e.caller) : `<i>${t.withheld}</i>`}</td>
        <td>${stateCell(e)}</td>
        <td class="cb-actions">${actions(e)}</td>
      </tr>`,
        )
        .join('')
    : `<tr><td colspan="6">${t.none}</td></tr>`;
}

function problem(text: string | null): void {
  const el = $('problem');
  el.hidden = text === null;
  el.textContent = text ?? '';
}

async function load(): Promise<void> {
  try {
    const q = new URLSearchParams({ ...(state.date ? { date: state.date } : {}), ...(state.openOnly ? { state: 'open' } : {}) });
    state.list = await apiJson<CallbackList>(`/api/callbacks?${q}`);
    // Stays on this day from now on, also past midnight (the 30 s refresh).
    state.date ??= state.list.date;
    // Only supervisors and managers see full numbers, and only they may mark.
    state.canMark = state.list.entries.every((e) => e.caller === null || !e.caller.startsWith('****'));
    problem(null);
  } catch (e) {
    problem(e instanceof ApiFailure ? e.message : String(e));
    document.body.dataset.ready = 'problem';
  }
  render();
  if (state.list) document.body.dataset.ready = 'true';
}

async function mark(button: HTMLButtonElement): Promise<void> {
  const act = button.dataset.act!;
  const body = act === 'undo' ? { calledBack: false } : { calledBack: true, reached: act === 'reached' };
  button.disabled = true;
  try {
    await apiJson(`/api/callbacks/${encodeURIComponent(button.dataset.id!)}`, { method: 'PATCH', body: { ...body, expectedVersion: Number(button.dataset.version) } });
    problem(null);
  } catch (e) {
    problem(e instanceof ApiFailure ? (e.status === 409 ? w().conflict : e.message) : String(e));
    if (e instanceof ApiFailure && e.status === 403) state.canMark = false;
  }
  await load();
}

function start(): void {
  render();
  $('date').addEventListener('change', () => {
    const v = ($('date') as HTMLInputElement).value;
    if (!v) return;
    state.date = v;
    void load();
  });
  $('open-only').addEventListener('change', () => {
    state.openOnly = ($('open-only') as HTMLInputElement).checked;
    void load();
  });
  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'nl' ? 'en' : 'nl';
    try {
      localStorage.setItem(LANG_STORAGE_KEY, state.lang);
    } catch {
      /* private mode */
    }
    render();
  });
  $('rows').addEventListener('click', (e) => {
    const b = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-act]');
    if (b) void mark(b);
  });
  void load();
  setInterval(() => void load(), 30_000);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
