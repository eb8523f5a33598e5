/**
 * The managers' weekly report (/reports?token=<manager token>&week=2026-W47&queue=Afval):
 * the week against the previous one, the service level per day against the target, calls per
 * hour of the day, tables per day, queue and agent, the breach register with its follow-up
 * (recorded here), and the abandoned calls. White and print-friendly: Ctrl+P gives a report.
 */
import type { Breach, BreachDetail, BreachList, ComplaintList, Deadline } from '@belofte/api/schemas/breaches';
import type { AbandonedList, PeriodFigures, WeeklyStats } from '@belofte/api/schemas/stats';
import { serviceLevelDenominator, WINDOW_METRICS, type WindowMetric } from '@belofte/shared/catalogue';

/**
 * How a queue entry can end, in the order the tables show them: every finished entry is
 * exactly one, so offered = the sum of these in every row. A new outcome is one more name here.
 */
const OUTCOMES = ['answered', 'abandoned', 'shortAbandoned', 'timedOut', 'movedOut', 'unknown'] as const satisfies readonly WindowMetric[];
const outcomeLabel = (m: (typeof OUTCOMES)[number]): Key => WINDOW_METRICS[m].label as Key;
import { formatIsoWeek, isoWeekOfInstant, parseIsoWeek, shiftIsoWeek } from '@belofte/shared/time';
import { ApiFailure, apiJson, downloadWithToken } from './api.ts';
import { count, DASH, duration, esc, mmss, percent } from './format.ts';
import { initialLang, LANG_STORAGE_KEY, locale, otherLang, t, type Key, type Lang } from './i18n.ts';
import { callsPerHourChart, slPerDayChart, type ChartHandle } from './reportCharts.ts';
import { serviceLevelStatus } from './status.ts';

const COMPENSATIONS = ['apology', 'coffee', 'parking', 'travel', 'other'] as const;

interface Loaded {
  complaints: ComplaintList;
  stats: WeeklyStats;
  previous: WeeklyStats;
  breaches: BreachList;
  abandoned: AbandonedList;
}

const params = new URLSearchParams(location.search);
const state = {
  lang: initialLang(storedLang(), navigator.language) as Lang,
  /**
   * The week shown; null until the first load when the address names none: the API then picks
   * the current week in BELOFTE_TIMEZONE on the switch's clock, which this browser cannot know.
   */
  week: params.get('week') && parseIsoWeek(params.get('week')!) ? params.get('week')! : (null as string | null),
  queue: params.get('queue') ?? '',
  /** One site of several (?site=); '' is the API's own. */
  site: params.get('site') ?? '',
  sites: [] as string[],
  data: null as Loaded | null,
  knownQueues: new Set<string>(),
  editing: null as string | null,
  editNotice: null as string | null,
  loadSeq: 0,
};
let charts: ChartHandle[] = [];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const tr = (key: Key, vars?: Record<string, string | number>) => t(state.lang, key, vars);

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_STORAGE_KEY);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- formatting

/** The contact centre's zone (BELOFTE_TIMEZONE) as the report states it: only asked while rendering a loaded report. */
function tz(): string {
  return state.data!.stats.timeZone;
}

function dateText(iso: string, opts: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(locale(state.lang), { timeZone: tz(), ...opts }).format(new Date(iso));
}

/** A local date (YYYY-MM-DD) as "ma 16 nov"; noon keeps it on that date in any zone. */
function dayLabel(date: string, withYear = false): string {
  return new Intl.DateTimeFormat(locale(state.lang), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) }).format(new Date(`${date}T12:00:00Z`));
}

/** "ma 16": short enough for seven bars on paper. */
function shortDay(date: string): string {
  return new Intl.DateTimeFormat(locale(state.lang), { timeZone: 'UTC', weekday: 'short', day: 'numeric' }).format(new Date(`${date}T12:00:00Z`));
}

const secs = (v: number | null) => (v === null ? DASH : mmss(v));

/** The share of entries answered within the guarantee, on the service level's denominator. */
function guaranteeShare(f: PeriodFigures): number | null {
  const den = serviceLevelDenominator(f);
  return den === 0 ? null : f.answeredWithinGuarantee / den;
}

function slCell(v: number | null, target: number): string {
  const s = serviceLevelStatus(v, target);
  return `<td class="num sl-${s}" data-status="${s}">${s === 'bad' ? '▼ ' : s === 'ok' ? '▲ ' : ''}${percent(v, state.lang)}</td>`;
}

/** Figures that show as "—": for a week with no calls at all. */
function nothing(f: PeriodFigures): PeriodFigures {
  return Object.fromEntries(Object.keys(f).map((k) => [k, null])) as unknown as PeriodFigures;
}

/** Difference this week − previous week, signed, in the figure's own unit. */
function delta(now: number | null, before: number | null, kind: 'pct' | 'count' | 'secs', goodWhenUp: boolean | null): string {
  if (now === null || before === null) return `<td class="num">${DASH}</td>`;
  // Compare what is shown: seconds as whole seconds, percentages to a tenth of a point.
  const d = kind === 'secs' ? Math.round(now) - Math.round(before) : kind === 'pct' ? Math.round(now * 1000) / 1000 - Math.round(before * 1000) / 1000 : now - before;
  const sign = d > 1e-9 ? '+' : d < -1e-9 ? '−' : '±';
  const abs = Math.abs(d);
  const text = kind === 'pct' ? `${sign}${new Intl.NumberFormat(locale(state.lang), { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(abs * 100)} pp` : kind === 'secs' ? `${sign}${mmss(abs)}` : `${sign}${count(abs, state.lang)}`;
  const cls = sign === '±' || goodWhenUp === null ? '' : (d > 0) === goodWhenUp ? 'better' : 'worse';
  return `<td class="num delta ${cls}">${text}</td>`;
}

// ---------------------------------------------------------------- rendering

function renderHeading(s: WeeklyStats): void {
  const w = parseIsoWeek(s.week)!;
  $('heading').textContent = `${tr('weekHeading', { week: w.week, from: dayLabel(s.dates[0]!), to: dayLabel(s.dates[6]!, true) })}${s.queue ? ` · ${s.queue}` : ` · ${tr('allQueues')}`}${state.sites.length > 1 ? ` · ${state.site || state.sites[0]}` : ''}`;
}

function renderKpis(d: Loaded): void {
  const f = d.stats.total.week;
  if (f.offered === 0 && f.calls === 0) {
    // Nothing to measure: say so, rather than a row of zeros and a "longest wait 0:00".
    $('kpis').innerHTML = `<div class="kpi empty" data-fig="empty"><div class="value">${tr('noCallsThisWeek')}</div></div>`;
    return;
  }
  const p = d.previous.total.week;
  const th = d.stats.thresholds;
  const min = Math.round(th.guaranteeSeconds / 60);
  const sl = serviceLevelStatus(f.serviceLevel, th.serviceLevelTarget);
  const target = percent(th.serviceLevelTarget, state.lang, 0);
  const gShare = guaranteeShare(f);
  $('kpis').innerHTML = `
    <div class="kpi sl-${sl}" data-fig="sl" data-status="${sl}"><div class="label">${tr('serviceLevel')}</div><div class="value">${percent(f.serviceLevel, state.lang)}</div>
      <div class="note">${tr('slNorm', { s: th.targetSeconds, target })} · ${tr('lastWeek').toLowerCase()} ${percent(p.serviceLevel, state.lang)}</div></div>
    <div class="kpi" data-fig="guarantee"><div class="label">${tr('withinGuarantee', { min })}</div><div class="value">${percent(gShare, state.lang)}</div>
      <div class="note">${tr('withinGuaranteeNote')} · ${tr('lastWeek').toLowerCase()} ${percent(guaranteeShare(p), state.lang)}</div></div>
    <div class="kpi" data-fig="offered"><div class="label">${tr('offered')}</div>
      <div class="value">${count(f.offered, state.lang)}</div><div class="note">${OUTCOMES.filter((m) => m === 'answered' || m === 'abandoned' || f[m] > 0).map((m) => `${tr(outcomeLabel(m)).toLowerCase()} ${count(f[m], state.lang)}`).join(' · ')}</div></div>
    <div class="kpi ${f.breaches > 0 ? 'alarm' : ''}" data-fig="breaches"><div class="label">${tr('breachesLabel')}</div><div class="value">${count(f.breaches, state.lang)}</div>
      <div class="note">${tr('breachesOpenClosed', { open: count(f.breachesOpen, state.lang), closed: count(f.breachesClosed, state.lang) })}</div></div>`;
}

function renderCompare(d: Loaded): void {
  const f = d.stats.total.week;
  // A previous week without any call (before Belofte ran, or past the retention) compares with nothing.
  const empty = d.previous.total.week.offered === 0 && d.previous.total.week.calls === 0;
  const p: PeriodFigures = empty ? nothing(d.previous.total.week) : d.previous.total.week;
  const th = d.stats.thresholds;
  const min = Math.round(th.guaranteeSeconds / 60);
  const row = (label: string, now: string, before: string, diff: string, fig: string) => `<tr data-fig="${fig}"><th scope="row">${label}</th><td class="num">${now}</td><td class="num">${before}</td>${diff}</tr>`;
  const c = (v: number | null) => (v === null ? DASH : count(v, state.lang));
  $('compare').innerHTML = `<thead><tr><th></th><th class="num">${tr('thisWeek')}</th><th class="num">${tr('lastWeek')}</th><th class="num">${tr('difference')}</th></tr></thead><tbody>
    ${row(tr('serviceLevel'), percent(f.serviceLevel, state.lang), percent(p.serviceLevel, state.lang), delta(f.serviceLevel, p.serviceLevel, 'pct', true), 'sl')}
    ${row(tr('withinGuarantee', { min }), percent(guaranteeShare(f), state.lang), percent(guaranteeShare(p), state.lang), delta(guaranteeShare(f), guaranteeShare(p), 'pct', true), 'guarantee')}
    ${row(tr('offered'), c(f.offered), c(p.offered), delta(f.offered, p.offered, 'count', null), 'offered')}
    ${row(tr('answered'), c(f.answered), c(p.answered), delta(f.answered, p.answered, 'count', null), 'answered')}
    ${row(tr('abandoned'), c(f.abandoned), c(p.abandoned), delta(f.abandoned, p.abandoned, 'count', false), 'abandoned')}
    ${row(tr('averageWait'), secs(f.averageWaitSeconds), secs(p.averageWaitSeconds), delta(f.averageWaitSeconds, p.averageWaitSeconds, 'secs', false), 'avgWait')}
    ${row(tr('longestWait'), f.offered ? mmss(f.longestWaitSeconds) : DASH, p.longestWaitSeconds === null || !p.offered ? DASH : mmss(p.longestWaitSeconds), delta(f.longestWaitSeconds, p.longestWaitSeconds, 'secs', false), 'longestWait')}
    ${row(tr('averageTalk'), secs(f.averageTalkSeconds), secs(p.averageTalkSeconds), delta(f.averageTalkSeconds, p.averageTalkSeconds, 'secs', null), 'avgTalk')}
    ${row(tr('callsLabel'), c(f.calls), c(p.calls), delta(f.calls, p.calls, 'count', null), 'calls')}
    ${row(tr('breachesLabel'), c(f.breaches), c(p.breaches), delta(f.breaches, p.breaches, 'count', false), 'breaches')}
    ${row(tr('guaranteeBroken'), c(f.guaranteeBreaches), c(p.guaranteeBreaches), delta(f.guaranteeBreaches, p.guaranteeBreaches, 'count', false), 'guaranteeBreaches')}
    ${row(tr('transferredTimes', { n: 0 }), c(f.callsTransferred0), c(p.callsTransferred0), delta(f.callsTransferred0, p.callsTransferred0, 'count', null), 't0')}
    ${row(tr('transferredTimes', { n: 1 }), c(f.callsTransferred1), c(p.callsTransferred1), delta(f.callsTransferred1, p.callsTransferred1, 'count', null), 't1')}
    ${row(tr('transferredTimes', { n: 2 }), c(f.callsTransferred2), c(p.callsTransferred2), delta(f.callsTransferred2, p.callsTransferred2, 'count', null), 't2')}
    ${row(tr('transferredMore', { n: 2 }), c(f.callsTransferredMore), c(p.callsTransferredMore), delta(f.callsTransferredMore, p.callsTransferredMore, 'count', false), 'tMore')}
  </tbody>`;
}

/** The columns shared by the day and queue tables. */
function figureHead(first: string): string {
  const min = Math.round((state.data?.stats.thresholds.guaranteeSeconds ?? 300) / 60);
  return `<thead><tr><th>${first}</th><th class="num">${tr('offered')}</th>${OUTCOMES.map((m) => `<th class="num" data-outcome="${m}">${tr(outcomeLabel(m))}</th>`).join('')}
    <th class="num">${tr('serviceLevel')}</th><th class="num">≤ ${min} min</th><th class="num">${tr('averageWait')}</th><th class="num">${tr('longestWait')}</th>
    <th class="num">${tr('averageTalk')}</th><th class="num">${tr('breachesLabel')}</th></tr></thead>`;
}

function figureRow(label: string, f: PeriodFigures, target: number, cls = ''): string {
  const c = (v: number) => count(v, state.lang);
  return `<tr class="${cls}"><th scope="row">${label}</th><td class="num" data-fig="offered">${c(f.offered)}</td>${OUTCOMES.map((m) => `<td class="num" data-outcome="${m}">${c(f[m])}</td>`).join('')}
    ${slCell(f.serviceLevel, target)}<td class="num">${percent(guaranteeShare(f), state.lang)}</td><td class="num">${secs(f.averageWaitSeconds)}</td>
    <td class="num">${f.offered ? mmss(f.longestWaitSeconds) : DASH}</td><td class="num">${secs(f.averageTalkSeconds)}</td><td class="num ${f.breaches ? 'warn' : ''}">${c(f.breaches)}</td></tr>`;
}

function renderTables(s: WeeklyStats): void {
  const target = s.thresholds.serviceLevelTarget;
  $('days').innerHTML = `${figureHead(tr('day'))}<tbody>${s.total.days.map((d) => figureRow(esc(dayLabel(d.date)), d, target)).join('')}</tbody>
    <tfoot>${figureRow(tr('total'), s.total.week, target, 'total')}</tfoot>`;
  const queues = Object.entries(s.queues);
  const profile = (q: string) => s.queueProfiles?.[q];
  $('queue-table').innerHTML = `${figureHead(tr('queue'))}<tbody>${queues.map(([q, f]) => figureRow(esc(profile(q)?.displayName ?? q), f.week, profile(q)?.targets.serviceLevelTarget ?? target)).join('')}</tbody>
    ${queues.length > 1 ? `<tfoot>${figureRow(tr('total'), s.total.week, target, 'total')}</tfoot>` : ''}`;
  const n = s.thresholds.maxTransfers;
  $('agents').innerHTML = s.agents.length
    ? `<thead><tr><th>${tr('agents')}</th><th class="num">${tr('answered')}</th><th class="num">${tr('talkTime')}</th><th class="num">${tr('averageTalk')}</th>
        <th class="num">${tr('transfersMade')}</th><th class="num">${tr('takenAfterLimit', { n })}</th></tr></thead><tbody>${s.agents
          .map(
            (a) => `<tr><th scope="row">${esc(a.agent)}</th><td class="num">${count(a.week.answered, state.lang)}</td><td class="num">${duration(a.week.talkSeconds)}</td>
              <td class="num">${secs(a.week.averageTalkSeconds)}</td><td class="num">${count(a.week.transfersMade, state.lang)}</td><td class="num">${count(a.week.answeredAtTransferLimit, state.lang)}</td></tr>`,
          )
          .join('')}</tbody>`
    : `<tbody><tr><td class="empty">${tr('noCallsWeek')}</td></tr></tbody>`;
}

/** Which target applied to which queue: each queue's figures were counted against its own. */
function renderNorms(s: WeeklyStats): void {
  const rows = Object.keys(s.queues).map((q) => {
    const p = s.queueProfiles?.[q];
    const t = p?.targets ?? s.thresholds;
    return `<tr data-queue="${esc(q)}"><th scope="row">${esc(p?.displayName ?? q)}${p && p.displayName !== q ? ` <span class="sub">${esc(q)}</span>` : ''}</th>
      <td class="num" data-fig="norm-sl">${percent(t.serviceLevelTarget, state.lang, 0)}</td><td class="num" data-fig="norm-seconds">${t.targetSeconds} s</td>
      <td class="num" data-fig="norm-guarantee">${mmss(t.guaranteeSeconds)}</td><td class="num" data-fig="norm-transfers">${t.maxTransfers}</td></tr>`;
  });
  $('norms').innerHTML = rows.length
    ? `<thead><tr><th>${tr('queue')}</th><th class="num">${tr('normServiceLevel')}</th><th class="num">${tr('normAnswerWithin')}</th><th class="num">${tr('normGuarantee')}</th><th class="num">${tr('normMaxTransfers')}</th></tr></thead><tbody>${rows.join('')}</tbody>
       <caption>${tr('normsExplained')}</caption>`
    : `<tbody><tr><td class="empty">${tr('noCallsWeek')}</td></tr></tbody>`;
}

function renderCharts(s: WeeklyStats): void {
  for (const c of charts) c.destroy();
  charts = [];
  const slHost = $('chart-sl');
  const hourHost = $('chart-hours');
  slHost.innerHTML = '';
  hourHost.innerHTML = '';
  charts.push(
    slPerDayChart(slHost, {
      labels: s.dates.map(shortDay),
      values: s.total.days.map((d) => d.serviceLevel),
      target: s.thresholds.serviceLevelTarget,
      names: { onTarget: tr('onTargetLegend'), belowTarget: tr('belowTargetLegend'), target: `${tr('chartTarget')} ${percent(s.thresholds.serviceLevelTarget, state.lang, 0)}` },
    }),
    callsPerHourChart(hourHost, {
      offered: s.total.hours.map((h) => h.offered),
      answered: s.total.hours.map((h) => h.answered),
      names: { offered: tr('offeredLegend'), answered: tr('answeredLegend') },
    }),
  );
}

/** A euro amount as the page's language writes it: € 12,50. */
function eurosText(v: number): string {
  return new Intl.NumberFormat(locale(state.lang), { style: 'currency', currency: 'EUR' }).format(v);
}

function shortDate(date: string): string {
  return new Intl.DateTimeFormat(locale(state.lang), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(`${date}T12:00:00Z`));
}

/** One charter deadline of a complaint as a badge: due date and whether it is met, late, due soon. */
function deadlineBadge(step: 'callback' | 'progressMessage' | 'settled', d: Deadline): string {
  if (d.state === 'notNeeded') return '';
  const when = d.doneOn ? tr('doneOn', { date: shortDate(d.doneOn) }) : tr('dueOn', { date: shortDate(d.due!) });
  const state = d.overdue ? 'overdue' : d.state;
  return `<span class="badge deadline ${state}" data-step="${step}" data-state="${state}">${tr(`step_${step}` as Key)}: ${when}${d.overdue ? ` · ${tr('overdue')}` : d.state === 'dueSoon' ? ` · ${tr('dueSoon')}` : d.state === 'missed' ? ` · ${tr('late')}` : ''}</span>`;
}

function followUpText(b: Breach): string {
  const f = b.followUp;
  const parts: string[] = [`<span class="badge ${b.state}">${b.state === 'closed' ? tr('closedLabel') : tr('openLabel')}</span>`];
  if (f.complaintReceived) parts.push(`<span class="badge complaint">${tr('complaintReceived')}${f.complaint ? ` ${shortDate(f.complaint.receivedOn)}` : ''}</span>`);
  if (f.complaint) for (const step of ['callback', 'progressMessage', 'settled'] as const) parts.push(deadlineBadge(step, f.complaint.deadlines[step]));
  for (const c of f.compensation) parts.push(`<span class="badge comp">${tr(`comp_${c.kind}` as Key)}${c.amount !== null ? ` ${eurosText(c.amount)}` : ''}</span>`);
  // From the callback list (/callbacks): the caller of this breach was called back.
  if (b.calledBack) {
    const reached = b.calledBack.reached === null ? '' : tr(b.calledBack.reached ? 'calledBackReached' : 'calledBackNotReached');
    const when = b.calledBack.at ? dateText(b.calledBack.at, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) : '';
    parts.push(`<span class="badge called-back" data-testid="called-back">${esc(tr('calledBackBadge', { when, who: b.calledBack.by ?? '', reached }))}</span>`);
  }
  if (f.note) parts.push(`<span class="note-text">${esc(f.note)}</span>`);
  if (f.updatedBy && f.updatedAt) parts.push(`<span class="by">${tr('savedBy', { who: esc(f.updatedBy), when: dateText(f.updatedAt, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) })}</span>`);
  return parts.filter(Boolean).join(' ');
}

/** An amount field's text from euros, in the page's decimal form. */
const amountText = (v: number | null | undefined) => (v === null || v === undefined ? '' : state.lang === 'nl' ? v.toFixed(2).replace('.', ',') : v.toFixed(2));

function editForm(b: Breach): string {
  const f = b.followUp;
  const c = f.complaint;
  const amountOf = (kind: string) => f.compensation.find((e) => e.kind === kind)?.amount;
  const date = (name: string, label: Key, value: string | null | undefined) =>
    `<label class="date-field">${tr(label)}<input type="date" name="${name}" value="${value ?? ''}" data-testid="${name}"></label>`;
  return `<tr class="edit-row no-print" data-edit="${esc(b.id)}"><td colspan="8">
    <form class="follow-up" data-id="${esc(b.id)}" data-version="${f.version}">
      ${state.editNotice ? `<p class="notice" role="alert">${esc(state.editNotice)}</p>` : ''}
      <fieldset class="complaint"><legend><label><input type="checkbox" name="complaintReceived" ${f.complaintReceived ? 'checked' : ''}> ${tr('complaintReceived')}</label></legend>
        ${date('receivedOn', 'receivedOn', c?.receivedOn)}
        <label><input type="checkbox" name="phoneKnown" ${c?.phoneKnown ? 'checked' : ''}> ${tr('phoneKnown')}</label>
        ${date('calledBackOn', 'calledBackOn', c?.calledBackOn)}${date('progressMessageOn', 'progressMessageOn', c?.progressMessageOn)}${date('settledOn', 'settledOn', c?.settledOn)}
      </fieldset>
      <fieldset class="ledger"><legend>${tr('compensation')}</legend>${COMPENSATIONS.map(
        (k) =>
          `<label><input type="checkbox" name="compensation" value="${k}" ${f.compensation.some((e) => e.kind === k) ? 'checked' : ''}> ${tr(`comp_${k}` as Key)}</label>${
            k === 'parking' || k === 'travel' || k === 'other' ? `<label class="amount">€ <input type="text" inputmode="decimal" name="amount-${k}" size="7" value="${amountText(amountOf(k))}" data-testid="amount-${k}" aria-label="${tr(`comp_${k}` as Key)} (€)"></label>` : ''
          }`,
      ).join(' ')}</fieldset>
      <label class="note-field">${tr('noteLabel')}<textarea name="note" rows="2" maxlength="2000">${esc(f.note)}</textarea></label>
      <label><input type="checkbox" name="closed" ${f.closed ? 'checked' : ''}> ${tr('closedLabel')}</label>
      <span class="buttons"><button type="submit" class="primary" data-testid="save-follow-up">${tr('save')}</button> <button type="button" data-cancel>${tr('cancel')}</button></span>
    </form></td></tr>`;
}

function renderBreaches(d: Loaded): void {
  const host = $('breaches');
  const list = d.breaches.breaches;
  if (list.length === 0) {
    host.innerHTML = `<p class="empty">${tr('noBreaches')}</p>`;
    return;
  }
  const th = d.stats.thresholds;
  const min = Math.round(th.guaranteeSeconds / 60);
  const steps = list.flatMap((b) => (b.followUp.complaint ? Object.values(b.followUp.complaint.deadlines) : []));
  const overdue = steps.filter((s) => s.overdue).length;
  const dueSoon = steps.filter((s) => s.state === 'dueSoon').length;
  const summary =
    overdue || dueSoon
      ? `<p class="deadline-summary" data-testid="deadline-summary">${overdue ? `<span class="badge deadline overdue">${tr('complaintsOverdue', { n: overdue })}</span> ` : ''}${dueSoon ? `<span class="badge deadline dueSoon">${tr('complaintsDueSoon', { n: dueSoon })}</span>` : ''}</p>`
      : '';
  host.innerHTML = `${summary}<table class="figures breaches"><thead><tr><th>${tr('when')}</th><th>${tr('queues')}</th><th class="num">${tr('waited')}</th><th class="num">⇄</th>
      <th>${tr('agents')}</th><th>${tr('caller')}</th><th>${tr('reason')}</th><th>${tr('followUp')}</th></tr></thead><tbody>${list
        .map((b) => {
          const reasons = b.reasons.map((r) => (r === 'guarantee' ? tr('reasonGuarantee', { min }) : tr('reasonTransfers', { n: b.transfers }))).join('; ');
          return `<tr data-breach="${esc(b.id)}"><td class="when">${dateText(b.at, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}</td>
            <td>${b.queues.map(esc).join(' → ')}</td><td class="num">${mmss(b.waitSeconds)}<div class="sub">${tr(`outcome_${b.outcome}` as Key)}</div></td><td class="num">${b.transfers}</td>
            <td>${b.agents.map(esc).join(', ') || DASH}</td><td class="mono">${b.caller ? esc(b.caller) : DASH}</td><td>${reasons}</td>
            <td class="follow">${followUpText(b)} <button type="button" class="link no-print" data-edit-open="${esc(b.id)}" data-testid="edit-${esc(b.id)}">${tr('editFollowUp')}</button></td></tr>${state.editing === b.id ? editForm(b) : ''}`;
        })
        .join('')}</tbody></table>`;
}

/** Complaints of every week that are not settled, the most urgent first, with a link to their week. */
function renderOpenComplaints(d: Loaded): void {
  const host = $('open-complaints');
  const list = d.complaints.breaches;
  if (list.length === 0) {
    host.innerHTML = '';
    return;
  }
  const link = (b: Breach) => {
    const url = new URL(location.href);
    url.searchParams.set('week', formatIsoWeek(isoWeekOfInstant(Date.parse(b.at), tz())));
    return url.pathname + url.search;
  };
  host.innerHTML = `<h4>${tr('openComplaints', { n: list.length })}${d.complaints.overdue ? ` <span class="badge deadline overdue">${tr('complaintsWithOverdue', { n: d.complaints.overdue })}</span>` : ''}</h4>
    <table class="figures complaints"><thead><tr><th>${tr('when')}</th><th>${tr('queues')}</th><th>${tr('caller')}</th><th>${tr('receivedOn')}</th><th>${tr('followUp')}</th></tr></thead><tbody>${list
      .map(
        (b) => `<tr data-complaint="${esc(b.id)}"><td class="when"><a href="${esc(link(b))}">${dateText(b.at, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}</a></td>
          <td>${b.queues.map(esc).join(' → ')}</td><td class="mono">${b.caller ? esc(b.caller) : DASH}</td><td>${shortDate(b.followUp.complaint!.receivedOn)}</td>
          <td>${(['callback', 'progressMessage', 'settled'] as const).map((s) => deadlineBadge(s, b.followUp.complaint!.deadlines[s])).join(' ')}</td></tr>`,
      )
      .join('')}</tbody></table>`;
}

function renderAbandoned(d: Loaded): void {
  const host = $('abandoned');
  const list = d.abandoned.entries;
  if (list.length === 0) {
    host.innerHTML = `<p class="empty">${tr('noAbandoned')}</p>`;
    return;
  }
  host.innerHTML = `<table class="figures abandoned"><thead><tr><th>${tr('when')}</th><th>${tr('queue')}</th><th class="num">${tr('waited')}</th><th>${tr('caller')}</th></tr></thead><tbody>${list
    .map((a) => `<tr><td class="when">${dateText(a.at, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' })}</td><td>${esc(a.queue)}</td><td class="num">${mmss(a.waitedSeconds)}</td><td class="mono">${a.caller ? esc(a.caller) : DASH}</td></tr>`)
    .join('')}</tbody></table>`;
}

function renderControls(): void {
  document.documentElement.lang = state.lang;
  document.title = tr('pageTitleReports');
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    el.textContent = tr(el.dataset.i18n as Key);
  });
  $('lang-toggle').textContent = tr('switchLanguage');
  // The month and year report, for the year of the week shown, with the same token.
  const period = new URL('/reports/period', location.href);
  const token = params.get('token');
  if (token) period.searchParams.set('token', token);
  if (state.week) {
    period.searchParams.set('from', `${state.week.slice(0, 4)}-01`);
    period.searchParams.set('to', `${state.week.slice(0, 4)}-12`);
  }
  if (state.queue) period.searchParams.set('queue', state.queue);
  $<HTMLAnchorElement>('to-period').href = period.pathname + period.search;
  $<HTMLInputElement>('week').value = state.week ?? '';
  const select = $<HTMLSelectElement>('queue');
  const queues = [...state.knownQueues].sort((a, b) => a.localeCompare(b));
  if (state.queue && !queues.includes(state.queue)) queues.push(state.queue);
  select.innerHTML = `<option value="">${tr('allQueues')}</option>${queues.map((q) => `<option value="${esc(q)}" ${q === state.queue ? 'selected' : ''}>${esc(q)}</option>`).join('')}`;
  select.setAttribute('aria-label', tr('queue'));
}

function render(): void {
  renderControls();
  const d = state.data;
  if (!d) return;
  renderHeading(d.stats);
  renderKpis(d);
  renderCompare(d);
  renderTables(d.stats);
  renderNorms(d.stats);
  renderCharts(d.stats);
  renderOpenComplaints(d);
  renderBreaches(d);
  renderAbandoned(d);
  $('footnote').textContent = `${tr('explainOffered')} ${tr('explainBreaches', { min: Math.round(d.stats.thresholds.guaranteeSeconds / 60), n: d.stats.thresholds.maxTransfers })} ${tr('finishedOnly', { tz: d.stats.timeZone })} ${tr('generatedAt', { when: dateText(d.stats.generatedAt, { dateStyle: 'long', timeStyle: 'short' }) })}`;
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

// ---------------------------------------------------------------- loading and actions

async function load(): Promise<void> {
  const seq = ++state.loadSeq;
  document.body.dataset.ready = 'false';
  const q = filterQuery();
  try {
    // No week asked for: the API's current week first, then the rest for that week.
    const current = state.week === null ? await apiJson<WeeklyStats>(`/api/stats/weekly?${q.slice(1)}`) : null;
    if (seq !== state.loadSeq) return;
    const week = (state.week ??= current!.week);
    const prev = formatIsoWeek(shiftIsoWeek(parseIsoWeek(week)!, -1));
    const [stats, previous, breaches, abandoned, complaints] = await Promise.all([
      current ?? apiJson<WeeklyStats>(`/api/stats/weekly?week=${week}${q}`),
      apiJson<WeeklyStats>(`/api/stats/weekly?week=${prev}${q}`),
      apiJson<BreachList>(`/api/breaches?week=${week}${q}`),
      apiJson<AbandonedList>(`/api/stats/abandoned?week=${week}${q}`),
      apiJson<ComplaintList>(`/api/complaints?state=open${q}`),
    ]);
    if (seq !== state.loadSeq) return;
    for (const s of [stats, previous]) for (const name of Object.keys(s.queues)) state.knownQueues.add(name);
    state.data = { stats, previous, breaches, abandoned, complaints };
    $('problem').hidden = true;
    $('report').classList.remove('has-problem');
    render();
  } catch (e) {
    if (seq === state.loadSeq) showProblem(e);
  }
}

/** The site chosen, as the query of a single breach. */
function siteQuery(): string {
  return state.site ? `?site=${encodeURIComponent(state.site)}` : '';
}

/** The queue and site filters as query parameters. */
function filterQuery(): string {
  return `${state.queue ? `&queue=${encodeURIComponent(state.queue)}` : ''}${state.site ? `&site=${encodeURIComponent(state.site)}` : ''}`;
}

/** The sites the API shows (from the live figures); a choice only when there are several. */
async function loadSites(): Promise<void> {
  try {
    const live = await apiJson<{ sites?: Record<string, unknown> }>('/api/live');
    state.sites = Object.keys(live.sites ?? {});
  } catch {
    state.sites = [];
  }
  const select = $<HTMLSelectElement>('site');
  select.hidden = state.sites.length < 2;
  select.innerHTML = state.sites.map((n) => `<option value="${esc(n)}"${n === (state.site || state.sites[0]) ? ' selected' : ''}>${esc(n)}</option>`).join('');
}

/** Shows `week` (null: the current one, as the API counts it). */
function go(week: string | null, queue = state.queue, site = state.site): void {
  state.week = week;
  state.queue = queue;
  if (site !== state.site) state.knownQueues.clear();
  state.site = site;
  state.editing = null;
  const url = new URL(location.href);
  if (week) url.searchParams.set('week', week);
  else url.searchParams.delete('week');
  if (queue) url.searchParams.set('queue', queue);
  else url.searchParams.delete('queue');
  if (site) url.searchParams.set('site', site);
  else url.searchParams.delete('site');
  history.replaceState(null, '', url);
  void load();
}

async function saveFollowUp(form: HTMLFormElement): Promise<void> {
  const id = form.dataset.id!;
  const data = new FormData(form);
  const complaintReceived = data.get('complaintReceived') === 'on';
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const dateOrNull = (name: string) => text(name) || null;
  const body: Record<string, unknown> = {
    complaintReceived,
    compensation: data.getAll('compensation').map(String).map((kind) => (text(`amount-${kind}`) ? { kind, amount: text(`amount-${kind}`) } : kind)),
    note: String(data.get('note') ?? ''),
    closed: data.get('closed') === 'on',
    expectedVersion: Number(form.dataset.version),
  };
  if (complaintReceived && text('receivedOn')) {
    body.complaint = { receivedOn: text('receivedOn'), phoneKnown: data.get('phoneKnown') === 'on', calledBackOn: dateOrNull('calledBackOn'), progressMessageOn: dateOrNull('progressMessageOn'), settledOn: dateOrNull('settledOn') };
  }
  const replace = (b: BreachDetail) => {
    if (!state.data) return;
    state.data.breaches.breaches = state.data.breaches.breaches.map((x) => (x.id === b.id ? b : x));
  };
  try {
    replace(await apiJson<BreachDetail>(`/api/breaches/${encodeURIComponent(id)}${siteQuery()}`, { method: 'PATCH', body }));
    state.editing = null;
    state.editNotice = null;
    // The weekly counts by follow-up state changed too.
    await load();
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 409) {
      replace(await apiJson<BreachDetail>(`/api/breaches/${encodeURIComponent(id)}${siteQuery()}`));
      state.editNotice = tr('conflict');
      render();
      return;
    }
    state.editNotice = e instanceof Error ? e.message : String(e);
    render();
  }
}

function wire(): void {
  // Before the first load the week is not known yet: nothing to step from.
  $('prev-week').addEventListener('click', () => state.week && go(formatIsoWeek(shiftIsoWeek(parseIsoWeek(state.week)!, -1))));
  $('next-week').addEventListener('click', () => state.week && go(formatIsoWeek(shiftIsoWeek(parseIsoWeek(state.week)!, 1))));
  $<HTMLInputElement>('week').addEventListener('change', (e) => {
    const v = (e.target as HTMLInputElement).value;
    if (parseIsoWeek(v)) go(v);
  });
  $<HTMLSelectElement>('queue').addEventListener('change', (e) => go(state.week, (e.target as HTMLSelectElement).value));
  $<HTMLSelectElement>('site').addEventListener('change', (e) => go(state.week, '', (e.target as HTMLSelectElement).value));
  const csv = (part: 'figures' | 'agents') => () => {
    const q = filterQuery();
    if (!state.week) return;
    void downloadWithToken(`/api/stats/weekly?week=${state.week}${q}&format=csv&part=${part}&lang=${state.lang}`, `belofte-${state.week}-${part}.csv`).catch(showProblem);
  };
  $('csv-figures').addEventListener('click', csv('figures'));
  $('csv-agents').addEventListener('click', csv('agents'));
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
  $('breaches').addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    const open = target.closest<HTMLElement>('[data-edit-open]');
    if (open) {
      state.editing = state.editing === open.dataset.editOpen ? null : open.dataset.editOpen!;
      state.editNotice = null;
      if (state.data) renderBreaches(state.data);
      document.querySelector<HTMLTextAreaElement>('.follow-up textarea')?.focus();
    } else if (target.closest('[data-cancel]')) {
      state.editing = null;
      state.editNotice = null;
      if (state.data) renderBreaches(state.data);
    }
  });
  $('breaches').addEventListener('submit', (e) => {
    e.preventDefault();
    void saveFollowUp(e.target as HTMLFormElement);
  });
}

wire();
renderControls();
void load();
void loadSites().then(() => {
  if (state.data) render();
});
