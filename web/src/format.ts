/** Pure formatting for the wallboard: clocks, percentages and counts in the viewer's language. */
import { locale, type Lang } from './i18n.ts';

export const DASH = '—';

/** Whole seconds as m:ss ("0:07", "4:59", "61:00"); negative or non-finite counts as 0. */
export function mmss(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** Time in state for an agent tile: m:ss below an hour, h:mm:ss from an hour on. */
export function duration(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  if (s < 3600) return mmss(s);
  const h = Math.floor(s / 3600);
  return `${h}:${mmss(s % 3600).padStart(5, '0')}`;
}

const percentFormats = new Map<string, Intl.NumberFormat>();
const countFormats = new Map<Lang, Intl.NumberFormat>();

function percentFormat(lang: Lang, decimals: number): Intl.NumberFormat {
  const key = `${lang}/${decimals}`;
  let f = percentFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    percentFormats.set(key, f);
  }
  return f;
}

/**
 * value rounded half-up to `decimals` places of a percentage (2 of 3 = 66.7%; the epsilon keeps
 * 0.7 + 0.1 at 80 and 0.6665 at 66.7). With `below`: a value under that threshold never shows
 * as reaching it (0.7996 against a target of 0.8 shows 79.9%, not 80.0%, while it is red).
 */
function roundPercent(value: number, decimals: number, below?: number): number {
  const scale = 100 * 10 ** decimals;
  const rounded = Math.floor(value * scale + 0.5 + 1e-6) / scale;
  if (below !== undefined && value < below - 1e-9 && rounded >= below - 1e-9) return Math.floor(below * scale - 1 + 1e-6) / scale;
  return rounded;
}

/**
 * A fraction (0.8) as a percentage in the locale ("80.0%", "80,0%"); null → "—". Rounded
 * half-up; `below` (the target) keeps a figure under it from reading as the target itself.
 */
export function percent(value: number | null | undefined, lang: Lang, decimals = 1, below?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return percentFormat(lang, decimals).format(roundPercent(value, decimals, below));
}

/** As percent(), as HTML with the percent sign in a <span class="pct"> so it can be drawn smaller. */
export function percentHtml(value: number | null | undefined, lang: Lang, decimals = 1, below?: number): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return percentFormat(lang, decimals)
    .formatToParts(roundPercent(value, decimals, below))
    .map((p) => (p.type === 'percentSign' ? `<span class="pct">${esc(p.value)}</span>` : esc(p.value)))
    .join('');
}

/** A whole count with the locale's grouping ("1,234" / "1.234"). */
export function count(value: number, lang: Lang): string {
  let f = countFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 0 });
    countFormats.set(lang, f);
  }
  return f.format(value);
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** 24-hour time of day in the locale and zone; cached, since the clock asks four times a second. */
function timeFormat(lang: Lang, timeZone: string, seconds: boolean): Intl.DateTimeFormat {
  const key = `${lang}/${timeZone}/${seconds}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), { timeZone, hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}), hourCycle: 'h23' });
    timeFormats.set(key, f);
  }
  return f;
}

/**
 * Wall-clock time (HH:MM:SS) in the contact centre's zone: BELOFTE_TIMEZONE as the API sends
 * it (the live frame's, the agent view's `timeZone`), never the zone of the TV showing it.
 */
export function clockTime(ms: number, lang: Lang, timeZone: string): string {
  return timeFormat(lang, timeZone, true).format(new Date(ms));
}

/** Time of day (HH:MM) in the contact centre's zone, as clockTime. */
export function timeOfDay(ms: number, lang: Lang, timeZone: string): string {
  return timeFormat(lang, timeZone, false).format(new Date(ms));
}

/** Escapes text for use inside HTML (agent names and pause reasons come from the PBX). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
