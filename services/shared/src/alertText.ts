/** An alert in words, Dutch or English: the webhook's text, the chat cards and the wallboard's alert strip. */
import type { Alert } from './alerts.ts';
import { assertNever } from './never.ts';
import type { RuleKind } from './alertRules.ts';

type Lang = 'nl' | 'en';

const mmss = (s: number) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
const pct = (f: number | null) => (f === null ? '—' : `${Math.round(f * 1000) / 10}%`);

const TITLE: Record<Lang, Record<RuleKind, string>> = {
  nl: {
    longWait: 'Garantie in gevaar: beller wacht lang',
    breach: 'Garantie verbroken',
    serviceLevel: 'Servicelevel onder de norm',
    noAgent: 'Bellers wachten, geen medewerker beschikbaar',
    disconnected: 'Verbinding met de telefooncentrale verbroken',
    redisDown: 'Redis onbereikbaar: cijfers staan stil',
  },
  en: {
    longWait: 'Guarantee at risk: a caller is waiting long',
    breach: 'Guarantee broken',
    serviceLevel: 'Service level below target',
    noAgent: 'Callers waiting, no agent available',
    disconnected: 'Phone switch disconnected',
    redisDown: 'Redis unreachable: figures are frozen',
  },
};

export function alertTitle(a: Pick<Alert, 'rule'>, lang: Lang): string {
  return TITLE[lang][a.rule];
}

export function alertWhere(a: Pick<Alert, 'queue'>, lang: Lang): string {
  const nl = lang === 'nl';
  return a.queue ? (nl ? `wachtrij ${a.queue}` : `queue ${a.queue}`) : nl ? 'hele centrale' : 'whole site';
}

/** The figure beside its threshold ('' for the rules without one). */
export function alertFigure(a: Alert, lang: Lang): string {
  const nl = lang === 'nl';
  const v = a.clearedAt ? a.clearedValue : a.value;
  let figure: string;
  switch (a.rule) {
    case 'longWait':
      figure = nl ? `langste wachttijd ${mmss(v ?? 0)} (drempel ${mmss(a.threshold)})` : `longest wait ${mmss(v ?? 0)} (threshold ${mmss(a.threshold)})`;
      break;
    case 'breach':
      figure = nl ? `${v ?? 0} verbroken in de laatste ${a.windowMinutes} min` : `${v ?? 0} broken in the last ${a.windowMinutes} min`;
      break;
    case 'serviceLevel':
      figure = nl ? `servicelevel ${a.windowMinutes} min ${pct(v)} (norm ${pct(a.threshold)})` : `${a.windowMinutes}-min service level ${pct(v)} (target ${pct(a.threshold)})`;
      break;
    case 'noAgent':
      figure = nl ? `${v ?? 0} medewerkers aangemeld` : `${v ?? 0} agents logged in`;
      break;
    case 'disconnected':
    case 'redisDown':
      figure = '';
      break;
    default:
      assertNever(a.rule, 'alert rule');
  }
  return figure;
}

/** One line: what, where, the figure beside its threshold. */
export function alertText(a: Alert, lang: Lang): string {
  const nl = lang === 'nl';
  const where = alertWhere(a, lang);
  const figure = alertFigure(a, lang);
  const state = a.clearedAt ? (nl ? 'OPGELOST' : 'CLEARED') : nl ? 'ALARM' : 'ALERT';
  return `${state}: ${alertTitle(a, lang)} — ${where}${figure ? `, ${figure}` : ''}`;
}
