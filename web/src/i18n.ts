/**
 * Every string the wallboard shows, in Dutch and English. One small dictionary: add a key to
 * both languages (the type makes a missing translation a compile error).
 */
export type Lang = 'nl' | 'en';

export const LANGS: Lang[] = ['nl', 'en'];

const en = {
  title: 'Service norm',
  total: 'Total',
  queue: 'Queue',
  slToday: 'Service level today',
  slHour: 'Service level last hour',
  slTodayShort: 'SL today',
  slHourShort: 'SL 60 min',
  target: 'target',
  onTarget: 'on target',
  belowTarget: 'below target',
  noCalls: 'no calls yet',
  waiting: 'Waiting now',
  waitingShort: 'Waiting',
  longestWait: 'Longest wait',
  longestWaitShort: 'Longest',
  waitOk: 'within norm',
  waitWarn: 'nearly {min} min',
  waitBad: 'guarantee broken',
  nobodyWaiting: 'nobody waiting',
  offered: 'Offered',
  answered: 'Answered',
  abandoned: 'Abandoned',
  breaches: 'Over {min} min',
  breachesLong: 'Guarantee ({min} min) broken',
  overTransfer: '> {n} transfers',
  overTransferLong: 'Transferred > {n} times',
  sinceMidnight: 'since midnight',
  agents: 'Agents',
  chartTitle: 'Service level through the day',
  chartSeries: 'Service level',
  chartTarget: 'Target',
  stale: 'Figures are NOT live',
  staleDisconnected: 'connection to the server lost, reconnecting…',
  staleNoFrames: 'no update received for more than {s} seconds',
  staleServer: 'server reports stale figures',
  connecting: 'Connecting…',
  lastUpdate: 'last update',
  noAgents: 'No agents logged in',
  answeredShort: 'answered',
  transfersShort: 'transfers',
  state_available: 'Available',
  state_ringing: 'Ringing',
  state_oncall: 'On call',
  state_wrapup: 'Wrap-up',
  state_paused: 'Paused',
  state_unavailable: 'Unavailable',
  state_loggedoff: 'Logged off',
  switchLanguage: 'Nederlands',
};

export type Key = keyof typeof en;

const nl: Record<Key, string> = {
  title: 'Servicenorm',
  total: 'Totaal',
  queue: 'Wachtrij',
  slToday: 'Servicelevel vandaag',
  slHour: 'Servicelevel laatste uur',
  slTodayShort: 'SL vandaag',
  slHourShort: 'SL 60 min',
  target: 'norm',
  onTarget: 'op norm',
  belowTarget: 'onder norm',
  noCalls: 'geen gesprekken',
  waiting: 'Wachtend nu',
  waitingShort: 'Wachtend',
  longestWait: 'Langste wachttijd',
  longestWaitShort: 'Langste',
  waitOk: 'binnen norm',
  waitWarn: 'bijna {min} min',
  waitBad: 'garantie gebroken',
  nobodyWaiting: 'niemand wacht',
  offered: 'Aangeboden',
  answered: 'Beantwoord',
  abandoned: 'Opgehangen',
  breaches: 'Boven {min} min',
  breachesLong: 'Garantie ({min} min) gebroken',
  overTransfer: '> {n}× doorverbonden',
  overTransferLong: 'Vaker dan {n}× doorverbonden',
  sinceMidnight: 'sinds middernacht',
  agents: 'Medewerkers',
  chartTitle: 'Servicelevel door de dag',
  chartSeries: 'Servicelevel',
  chartTarget: 'Norm',
  stale: 'Cijfers zijn NIET actueel',
  staleDisconnected: 'verbinding met de server verbroken, opnieuw verbinden…',
  staleNoFrames: 'al meer dan {s} seconden geen update ontvangen',
  staleServer: 'server meldt verouderde cijfers',
  connecting: 'Verbinden…',
  lastUpdate: 'laatste update',
  noAgents: 'Geen medewerkers aangemeld',
  answeredShort: 'beantwoord',
  transfersShort: 'doorverbonden',
  state_available: 'Beschikbaar',
  state_ringing: 'Gaat over',
  state_oncall: 'In gesprek',
  state_wrapup: 'Nawerk',
  state_paused: 'Pauze',
  state_unavailable: 'Onbereikbaar',
  state_loggedoff: 'Afgemeld',
  switchLanguage: 'English',
};

export const DICTIONARY: Record<Lang, Record<Key, string>> = { en, nl };

/** The string for key; `{name}` placeholders are filled from vars. */
export function t(lang: Lang, key: Key, vars?: Record<string, string | number>): string {
  const s = DICTIONARY[lang][key];
  return vars ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : s;
}

/** nl, nl-NL, nl-BE … → Dutch; anything else (or nothing) → English. */
export function langFromNavigator(language: string | undefined | null): Lang {
  return language && /^nl\b/i.test(language) ? 'nl' : 'en';
}

export function isLang(value: unknown): value is Lang {
  return value === 'nl' || value === 'en';
}

/** A remembered choice wins over the browser's language. */
export function initialLang(stored: string | null | undefined, navigatorLanguage: string | undefined | null): Lang {
  return isLang(stored) ? stored : langFromNavigator(navigatorLanguage);
}

export function otherLang(lang: Lang): Lang {
  return lang === 'nl' ? 'en' : 'nl';
}

/** BCP 47 tag for Intl formatting. */
export function locale(lang: Lang): string {
  return lang === 'nl' ? 'nl-NL' : 'en-GB';
}

export const LANG_STORAGE_KEY = 'belofte.lang';
