/**
 * The charter's month, quarter and year report (/reports/period?token=…&from=2026-01&to=2026-12
 * [&queue=]): per month and in total, per queue, with the same months a year earlier beside
 * them; the service level and the guarantee per month as charts against the norm; breaches by
 * norm and follow-up, complaints and their deadlines met, compensation by kind and amount.
 * White and print-friendly, like the weekly report: Ctrl+P gives the annual report.
 */
import type { CharterFigures, PeriodReport } from '@belofte/api/schemas/period';
import { ApiFailure, apiJson, downloadWithToken } from './api.ts';
import { count, DASH, esc, percent } from './format.ts';
import { initialLang, LANG_STORAGE_KEY, locale, otherLang, t, type Key, type Lang } from './i18n.ts';
import { slPerDayChart, type ChartHandle } from './reportCharts.ts';
import { serviceLevelStatus } from './status.ts';

type Kind = 'month' | 'quarter' | 'year';

const params = new URLSearchParams(location.search);
const thisYear = new Date().getFullYear();

function kindOf(text: string | null): Kind {
  if (text && /^\d{4}$/.test(text)) return 'year';
  if (text && /^\d{4}-Q[1-4]$/.test(text)) return 'quarter';
  return 'month';
}

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

const state = {
  lang: initialLang(storedLang(), navigator.language) as Lang,
  kind: kindOf(params.get('from')),
  from: params.get('from') ?? `${thisYear}-01`,
  to: params.get('to') ?? params.get('from') ?? `${thisYear}-12`,
  queue: params.get('queue') ?? '',
  data: null as PeriodReport | null,
  knownQueues: new Set<string>(),
  loadSeq: 0,
};
let charts: ChartHandle[] = [];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const tr = (key: Key, vars?: Record<string, string | number>) => t(state.lang, key, vars);
const c = (v: number) => count(v, state.lang);
const euros = (v: number) => new Intl.NumberFormat(locale(state.lang), { style: 'currency', currency: 'EUR' }).format(v);

/** "jan 2026", "K1 2026", "2026". */
function monthLabel(month: string, short = false): string {
  return new Intl.DateTimeFormat(locale(state.lang), { timeZone: 'UTC', month: short ? 'short' : 'long', ...(short ? {} : { year: 'numeric' }) }).format(new Date(`${month}-15T12:00:00Z`));
}

function boundLabel(text: string): string {
  if (/^\d{4}$/.test(text)) return text;
  const q = /^(\d{4})-Q([1-4])$/.exec(text);
  if (q) return `${state.lang === 'nl' ? 'K' : 'Q'}${q[2]} ${q[1]}`;
  return monthLabel(text);
}

/** The choices of the from/to pickers: this year and the four before, in the chosen form. */
function options(kind: Kind): string[] {
  const out: string[] = [];
  for (let y = thisYear - 4; y <= thisYear + 1; y++) {
    if (kind === 'year') out.push(String(y));
    else if (kind === 'quarter') for (let q = 1; q <= 4; q++) out.push(`${y}-Q${q}`);
    else for (let m = 1; m <= 12; m++) out.push(`${y}-${String(m).padStart(2, '0')}`);
  }
  return out;
}

const deadlinesMet = (f: CharterFigures) => {
  const met = f.callbackMet + f.progressMessageMet + f.settledMet;
  const decided = met + f.callbackMissed + f.progressMessageMissed + f.settledMissed;
  return decided === 0 ? null : met / decided;
};

function slCell(v: number | null, target: number): string {
  const s = serviceLevelStatus(v, target);
  return `<td class="num sl-${s}" data-status="${s}">${s === 'bad' ? '▼ ' : s === 'ok' ? '▲ ' : ''}${percent(v, state.lang)}</td>`;
}

// ---------------------------------------------------------------- rendering

function renderHeading(r: PeriodReport): void {
  const span = r.from === r.to ? boundLabel(r.from) : `${boundLabel(r.from)} – ${boundLabel(r.to)}`;
  $('heading').textContent = `${span} · ${r.queue ?? tr('allQueues')}`;
}

function renderKpis(r: PeriodReport): void {
  const f = r.total.period;
  const p = r.yearEarlier.total.period;
  const th = r.thresholds;
  const sl = serviceLevelStatus(f.serviceLevel, th.serviceLevelTarget);
  const min = Math.round(th.guaranteeSeconds / 60);
  const before = tr('yearEarlier').toLowerCase();
  const kpi = (fig: string, label: string, value: string, note: string, cls = '') => `<div class="kpi ${cls}" data-fig="${fig}"><div class="label">${label}</div><div class="value">${value}</div><div class="note">${note}</div></div>`;
  $('kpis').innerHTML = [
    kpi('sl', tr('serviceLevel'), percent(f.serviceLevel, state.lang), `${tr('slNorm', { s: th.targetSeconds, target: percent(th.serviceLevelTarget, state.lang, 0) })} · ${before} ${percent(p.serviceLevel, state.lang)}`, `sl-${sl}`),
    kpi('guarantee', tr('withinGuarantee', { min }), percent(f.guaranteeKeptShare, state.lang), `${before} ${percent(p.guaranteeKeptShare, state.lang)}`),
    kpi('transfers', tr('withinTransferLimit', { n: th.maxTransfers }), percent(f.withinTransferLimitShare, state.lang), `${before} ${percent(p.withinTransferLimitShare, state.lang)}`),
    kpi('breaches', tr('breachesLabel'), c(f.breaches), tr('breachesOpenClosed', { open: c(f.breachesOpen), closed: c(f.breachesClosed) }), f.breaches > 0 ? 'alarm' : ''),
    kpi('complaints', tr('complaintsLabel'), c(f.complaints), `${percent(deadlinesMet(f), state.lang)} ${tr('deadlinesMet')}`),
    kpi('compensation', tr('compensationGiven'), euros(f.compensationAmount), `${before} ${euros(p.compensationAmount)}`),
  ].join('');
}

function renderCompare(r: PeriodReport): void {
  const f = r.total.period;
  const p = r.yearEarlier.total.period;
  const th = r.thresholds;
  const min = Math.round(th.guaranteeSeconds / 60);
  const empty = p.offered === 0 && p.calls === 0;
  const row = (fig: string, label: string, now: string, before: string) => `<tr data-fig="${fig}"><th scope="row">${label}</th><td class="num">${now}</td><td class="num year-earlier">${empty ? DASH : before}</td></tr>`;
  $('compare').innerHTML = `<thead><tr><th></th><th class="num">${tr('thisPeriod')}</th><th class="num year-earlier">${tr('yearEarlier')}</th></tr></thead><tbody>
    ${row('sl', tr('serviceLevel'), percent(f.serviceLevel, state.lang), percent(p.serviceLevel, state.lang))}
    ${row('guarantee', tr('withinGuarantee', { min }), percent(f.guaranteeKeptShare, state.lang), percent(p.guaranteeKeptShare, state.lang))}
    ${row('transfers', tr('withinTransferLimit', { n: th.maxTransfers }), percent(f.withinTransferLimitShare, state.lang), percent(p.withinTransferLimitShare, state.lang))}
    ${row('offered', tr('offered'), c(f.offered), c(p.offered))}
    ${row('answered', tr('answered'), c(f.answered), c(p.answered))}
    ${row('abandoned', tr('abandoned'), c(f.abandoned), c(p.abandoned))}
    ${row('calls', tr('callsLabel'), c(f.calls), c(p.calls))}
    ${row('breaches', tr('breachesLabel'), c(f.breaches), c(p.breaches))}
    ${row('complaints', tr('complaintsLabel'), c(f.complaints), c(p.complaints))}
    ${row('compensation', tr('compensationGiven'), euros(f.compensationAmount), euros(p.compensationAmount))}
  </tbody>`;
}

function head(first: string): string {
  const th = state.data!.thresholds;
  return `<thead><tr><th>${first}</th><th class="num">${tr('offered')}</th><th class="num">${tr('answered')}</th><th class="num">${tr('serviceLevel')}</th>
    <th class="num">≤ ${Math.round(th.guaranteeSeconds / 60)} min</th><th class="num">${tr('withinTransferLimit', { n: th.maxTransfers })}</th><th class="num">${tr('guaranteeBroken')}</th>
    <th class="num">${tr('transferredMore', { n: th.maxTransfers })}</th><th class="num">${tr('openLabel')}</th><th class="num">${tr('closedLabel')}</th><th class="num">${tr('complaintsLabel')}</th>
    <th class="num">${tr('deadlinesMet')}</th><th class="num">${tr('compensationGiven')}</th><th class="num year-earlier">${tr('serviceLevel')} · ${tr('yearEarlier').toLowerCase()}</th></tr></thead>`;
}

function row(label: string, f: CharterFigures, before: CharterFigures | undefined, cls = '', attrs = ''): string {
  const target = state.data!.thresholds.serviceLevelTarget;
  return `<tr class="${cls}" ${attrs}><th scope="row">${label}</th><td class="num">${c(f.offered)}</td><td class="num">${c(f.answered)}</td>${slCell(f.serviceLevel, target)}
    <td class="num">${percent(f.guaranteeKeptShare, state.lang)}</td><td class="num">${percent(f.withinTransferLimitShare, state.lang)}</td>
    <td class="num ${f.guaranteeBreaches ? 'warn' : ''}">${c(f.guaranteeBreaches)}</td><td class="num">${c(f.overTransferLimit)}</td><td class="num">${c(f.breachesOpen)}</td><td class="num">${c(f.breachesClosed)}</td>
    <td class="num">${c(f.complaints)}</td><td class="num">${percent(deadlinesMet(f), state.lang)}</td><td class="num">${euros(f.compensationAmount)}</td>
    <td class="num year-earlier">${before && (before.offered || before.calls) ? percent(before.serviceLevel, state.lang) : DASH}</td></tr>`;
}

function renderTables(r: PeriodReport): void {
  $('months').innerHTML = `${head(tr('month'))}<tbody>${r.total.months.map((m, i) => row(esc(monthLabel(m.month)), m, r.yearEarlier.total.months[i], '', `data-month="${m.month}"`)).join('')}</tbody>
    <tfoot>${row(tr('total'), r.total.period, r.yearEarlier.total.period, 'total')}</tfoot>`;
  const queues = Object.entries(r.queues);
  $('queue-table').innerHTML = `${head(tr('queue'))}<tbody>${queues.map(([q, s]) => row(esc(q), s.period, r.yearEarlier.queues[q]?.period, '', `data-queue="${esc(q)}"`)).join('')}</tbody>
    ${queues.length > 1 ? `<tfoot>${row(tr('total'), r.total.period, r.yearEarlier.total.period, 'total')}</tfoot>` : ''}`;
  const f = r.total.period;
  const p = r.yearEarlier.total.period;
  const line = (fig: string, label: string, now: string, before: string) => `<tr data-fig="${fig}"><th scope="row">${label}</th><td class="num">${now}</td><td class="num year-earlier">${before}</td></tr>`;
  const deadline = (met: number, missed: number, open: number) => tr('metMissedOpen', { met: c(met), missed: c(missed), open: c(open) });
  const min = Math.round(r.thresholds.guaranteeSeconds / 60);
  const kinds = [
    ['apology', f.compensationApology, p.compensationApology, null, null],
    ['coffee', f.compensationCoffee, p.compensationCoffee, null, null],
    ['parking', f.compensationParking, p.compensationParking, f.compensationParkingAmount, p.compensationParkingAmount],
    ['travel', f.compensationTravel, p.compensationTravel, f.compensationTravelAmount, p.compensationTravelAmount],
    ['other', f.compensationOther, p.compensationOther, f.compensationOtherAmount, p.compensationOtherAmount],
  ] as const;
  $('books').innerHTML = `<thead><tr><th></th><th class="num">${tr('thisPeriod')}</th><th class="num year-earlier">${tr('yearEarlier')}</th></tr></thead><tbody>
    <tr class="group"><th colspan="3">${tr('byReason')}</th></tr>
    ${line('guaranteeBreaches', tr('reasonGuarantee', { min }), c(f.guaranteeBreaches), c(p.guaranteeBreaches))}
    ${line('overTransferLimit', tr('transferredMore', { n: r.thresholds.maxTransfers }), c(f.overTransferLimit), c(p.overTransferLimit))}
    <tr class="group"><th colspan="3">${tr('byFollowUp')}</th></tr>
    ${line('breachesOpen', tr('openLabel'), c(f.breachesOpen), c(p.breachesOpen))}
    ${line('breachesClosed', tr('closedLabel'), c(f.breachesClosed), c(p.breachesClosed))}
    ${line('breachesCompensated', tr('compensationGiven'), c(f.breachesCompensated), c(p.breachesCompensated))}
    <tr class="group"><th colspan="3">${tr('complaintsLabel')}: ${c(f.complaints)}</th></tr>
    ${line('callback', tr('callbackInTime'), deadline(f.callbackMet, f.callbackMissed, f.callbackOpen), deadline(p.callbackMet, p.callbackMissed, p.callbackOpen))}
    ${line('progressMessage', tr('progressInTime'), deadline(f.progressMessageMet, f.progressMessageMissed, f.progressMessageOpen), deadline(p.progressMessageMet, p.progressMessageMissed, p.progressMessageOpen))}
    ${line('settled', tr('settledInTime'), deadline(f.settledMet, f.settledMissed, f.settledOpen), deadline(p.settledMet, p.settledMissed, p.settledOpen))}
    <tr class="group"><th colspan="3">${tr('compensationGiven')}: ${euros(f.compensationAmount)}</th></tr>
    ${kinds.map(([k, n, pn, amount, pamount]) => line(`comp-${k}`, tr(`comp_${k}` as Key), `${c(n)}${amount !== null ? ` · ${euros(amount)}` : ''}`, `${c(pn)}${pamount !== null ? ` · ${euros(pamount)}` : ''}`)).join('')}
  </tbody>`;
}

function renderCharts(r: PeriodReport): void {
  for (const ch of charts) ch.destroy();
  charts = [];
  const labels = r.months.map((m) => monthLabel(m, true));
  const sl = $('chart-sl');
  const g = $('chart-guarantee');
  sl.innerHTML = '';
  g.innerHTML = '';
  charts.push(
    slPerDayChart(sl, {
      labels,
      values: r.total.months.map((m) => m.serviceLevel),
      target: r.thresholds.serviceLevelTarget,
      names: { onTarget: tr('onTargetLegend'), belowTarget: tr('belowTargetLegend'), target: `${tr('chartTarget')} ${percent(r.thresholds.serviceLevelTarget, state.lang, 0)}` },
    }),
    // The guarantee is promised to everyone: its norm is 100%.
    slPerDayChart(g, {
      labels,
      values: r.total.months.map((m) => m.guaranteeKeptShare),
      target: 1,
      names: { onTarget: tr('onTargetLegend'), belowTarget: tr('belowTargetLegend'), target: tr('guarantee100') },
    }),
  );
}

function renderControls(): void {
  document.documentElement.lang = state.lang;
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = tr(el.dataset.i18n as Key);
  });
  $('lang-toggle').textContent = tr('switchLanguage');
  $<HTMLSelectElement>('kind').value = state.kind;
  const opts = options(state.kind);
  for (const v of [state.from, state.to]) if (!opts.includes(v)) opts.push(v);
  for (const id of ['from', 'to'] as const) {
    $<HTMLSelectElement>(id).innerHTML = opts.map((o) => `<option value="${esc(o)}" ${o === state[id] ? 'selected' : ''}>${esc(boundLabel(o))}</option>`).join('');
  }
  const select = $<HTMLSelectElement>('queue');
  const queues = [...state.knownQueues].sort((a, b) => a.localeCompare(b));
  if (state.queue && !queues.includes(state.queue)) queues.push(state.queue);
  select.innerHTML = `<option value="">${tr('allQueues')}</option>${queues.map((q) => `<option value="${esc(q)}" ${q === state.queue ? 'selected' : ''}>${esc(q)}</option>`).join('')}`;
  select.setAttribute('aria-label', tr('queue'));
  const week = new URL('/reports', location.href);
  const token = params.get('token');
  if (token) week.searchParams.set('token', token);
  if (state.queue) week.searchParams.set('queue', state.queue);
  $<HTMLAnchorElement>('to-week').href = week.pathname + week.search;
}

function render(): void {
  renderControls();
  const r = state.data;
  if (!r) return;
  renderHeading(r);
  renderKpis(r);
  renderCompare(r);
  renderTables(r);
  renderCharts(r);
  $('footnote').textContent = `${tr('periodFootnote', { tz: r.timeZone, today: r.today })} ${tr('generatedAt', { when: new Intl.DateTimeFormat(locale(state.lang), { dateStyle: 'long', timeStyle: 'short', timeZone: r.timeZone }).format(new Date(r.generatedAt)) })}`;
  document.body.dataset.ready = 'true';
}

function showProblem(e: unknown): void {
  const host = $('problem');
  host.hidden = false;
  const message = e instanceof ApiFailure ? e.message : (e as Error).message;
  host.innerHTML = `<h2>${tr('accessProblem')}${e instanceof ApiFailure ? ` (${e.status})` : ''}</h2><p>${esc(message)}</p>`;
  $('report').classList.add('has-problem');
  document.body.dataset.ready = 'problem';
}

const query = () => `from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}${state.queue ? `&queue=${encodeURIComponent(state.queue)}` : ''}`;

async function load(): Promise<void> {
  const seq = ++state.loadSeq;
  document.body.dataset.ready = 'false';
  try {
    const r = await apiJson<PeriodReport>(`/api/stats/period?${query()}`);
    if (seq !== state.loadSeq) return;
    for (const name of [...Object.keys(r.queues), ...Object.keys(r.yearEarlier.queues)]) state.knownQueues.add(name);
    state.data = r;
    $('problem').hidden = true;
    $('report').classList.remove('has-problem');
    render();
  } catch (e) {
    if (seq === state.loadSeq) showProblem(e);
  }
}

function go(): void {
  const url = new URL(location.href);
  url.searchParams.set('from', state.from);
  url.searchParams.set('to', state.to);
  if (state.queue) url.searchParams.set('queue', state.queue);
  else url.searchParams.delete('queue');
  history.replaceState(null, '', url);
  void load();
}

/** The same stretch in another form: months of a year become its quarters, or the year. */
function convert(bound: string, kind: Kind, end: boolean): string {
  const year = bound.slice(0, 4);
  const month = /^\d{4}-(\d{2})$/.exec(bound)?.[1];
  const quarter = /^\d{4}-Q([1-4])$/.exec(bound)?.[1];
  const q = month ? Math.ceil(Number(month) / 3) : quarter ? Number(quarter) : end ? 4 : 1;
  if (kind === 'year') return year;
  if (kind === 'quarter') return `${year}-Q${q}`;
  if (month) return bound;
  return `${year}-${String(end ? q * 3 : q * 3 - 2).padStart(2, '0')}`;
}

function wire(): void {
  $<HTMLSelectElement>('kind').addEventListener('change', (e) => {
    const kind = (e.target as HTMLSelectElement).value as Kind;
    state.from = convert(state.from, kind, false);
    state.to = kind === 'year' ? state.from : convert(state.to, kind, true);
    state.kind = kind;
    go();
  });
  $<HTMLSelectElement>('from').addEventListener('change', (e) => {
    state.from = (e.target as HTMLSelectElement).value;
    go();
  });
  $<HTMLSelectElement>('to').addEventListener('change', (e) => {
    state.to = (e.target as HTMLSelectElement).value;
    go();
  });
  $<HTMLSelectElement>('queue').addEventListener('change', (e) => {
    state.queue = (e.target as HTMLSelectElement).value;
    go();
  });
  $('csv').addEventListener('click', () => {
    void downloadWithToken(`/api/stats/period?${query()}&format=csv&lang=${state.lang}`, `belofte-${state.from}_${state.to}.csv`).catch(showProblem);
  });
  $('print').addEventListener('click', () => window.print());
  $('lang-toggle').addEventListener('click', () => {
    state.lang = otherLang(state.lang);
    try {
      localStorage.setItem(LANG_STORAGE_KEY, state.lang);
    } catch {
      /* private mode */
    }
    render();
  });
}

wire();
renderControls();
void load();
