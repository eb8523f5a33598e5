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

const percentFormats = new Map<Lang, Intl.NumberFormat>();
const countFormats = new Map<Lang, Intl.NumberFormat>();

/**
 * A fraction (0.8) as a percentage with one decimal in the locale ("80.0%", "80,0%"); null → "—".
 * Rounds DOWN to the shown decimal so a figure below target never reads as the target itself:
 * 0.7996 shows 79.9%, not 80.0%, while it is red.
 */
export function percent(value: number | null | undefined, lang: Lang): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  let f = percentFormats.get(lang);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    percentFormats.set(lang, f);
  }
  // The epsilon keeps 0.8 (which is 79.99999… in binary) at 80.0.
  const floored = Math.floor(value * 1000 + 1e-9) / 1000;
  return f.format(floored);
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

/** Wall-clock time (HH:MM:SS) in the contact centre's zone. */
export function clockTime(ms: number, lang: Lang, timeZone = 'Europe/Amsterdam'): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(ms));
}

/** Escapes text for use inside HTML (agent names and pause reasons come from the PBX). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
