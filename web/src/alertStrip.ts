/**
 * The wallboard's alert strip: the active alerts of the live frame, large, across the bottom
 * of the screen, so a supervisor across the room sees "a caller has waited 4:00 in Afval"
 * before the guarantee breaks. It may flash and sound; both can be switched off on the strip
 * itself (remembered in this browser) or in the page's address (`?flash=off&sound=off`, for a
 * TV nobody touches). It lies over the board rather than in its grid: the board's layout stays
 * what it is whether or not something is wrong.
 */
import type { Alert } from '@belofte/shared/alerts';
import { alertFigure, alertTitle, alertWhere } from '@belofte/shared/alertText';
import { timeOfDay } from './format.ts';

type Lang = 'nl' | 'en';

const WORDS = {
  nl: { since: 'sinds', sound: 'Geluid', flash: 'Knipperen', on: 'aan', off: 'uit', alerts: 'Meldingen' },
  en: { since: 'since', sound: 'Sound', flash: 'Flash', on: 'on', off: 'off', alerts: 'Alerts' },
} as const;

const STORAGE = { sound: 'belofte.alerts.sound', flash: 'belofte.alerts.flash' } as const;
type Switch = keyof typeof STORAGE;

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: lasts until reload */
  }
}

export class AlertStrip {
  readonly el: HTMLElement;
  private alerts: Alert[] = [];
  /** The contact centre's zone, from the same frame as the alerts: "since" is on its clock. */
  private timeZone: string | null = null;
  private lang: Lang;
  private readonly on: Record<Switch, boolean>;
  /** Alerts already announced, so each sounds once, also across frames. */
  private readonly heard = new Set<string>();
  private first = true;
  private audio: AudioContext | null = null;
  /** How often it sounded (the browser test reads it from data-beeps). */
  private beeps = 0;

  constructor(o: { parent: HTMLElement; lang: Lang; params: URLSearchParams }) {
    this.lang = o.lang;
    const fromUrl = (k: Switch) => o.params.get(k);
    this.on = {
      sound: (fromUrl('sound') ?? stored(STORAGE.sound) ?? 'on') !== 'off',
      flash: (fromUrl('flash') ?? stored(STORAGE.flash) ?? 'on') !== 'off',
    };
    this.el = document.createElement('section');
    this.el.className = 'alert-strip';
    this.el.dataset.testid = 'alert-strip';
    this.el.setAttribute('role', 'alert');
    this.el.setAttribute('aria-live', 'assertive');
    this.el.hidden = true;
    this.el.addEventListener('click', (e) => {
      const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-switch]');
      if (!button) return;
      const which = button.dataset.switch as Switch;
      this.on[which] = !this.on[which];
      store(STORAGE[which], this.on[which] ? 'on' : 'off');
      // A click is the gesture browsers want before they allow sound.
      if (which === 'sound' && this.on.sound) this.context();
      this.render();
    });
    o.parent.appendChild(this.el);
    this.render();
  }

  setLang(lang: Lang): void {
    this.lang = lang;
    this.render();
  }

  /**
   * The active alerts of the latest frame. A long wait is shown with the wait as it is now
   * (`longestWait` of its queue in the same frame), not as it was when it fired. `timeZone`:
   * the frame's (BELOFTE_TIMEZONE); without one the strip leaves out since when.
   */
  update(alerts: Alert[] | undefined, timeZone: string | null, longestWait: (queue: string) => number | undefined = () => undefined): void {
    this.timeZone = timeZone;
    this.alerts = [...(alerts ?? [])]
      .map((a) => {
        const now = a.rule === 'longWait' && a.queue !== null ? longestWait(a.queue) : undefined;
        return now !== undefined && now > 0 ? { ...a, value: now } : a;
      })
      .sort((a, b) => a.firedAt.localeCompare(b.firedAt));
    const fresh = this.alerts.filter((a) => !this.heard.has(a.id));
    for (const a of fresh) this.heard.add(a.id);
    // Alerts already active when the page opened are shown, not sounded: a TV that reloads
    // at night must not beep for what everyone has seen.
    if (fresh.length && !this.first) this.sound();
    this.first = false;
    this.render();
  }

  private context(): AudioContext | null {
    if (this.audio) return this.audio;
    const Ctx = (window as unknown as { AudioContext?: typeof AudioContext }).AudioContext;
    if (!Ctx) return null;
    try {
      this.audio = new Ctx();
    } catch {
      this.audio = null;
    }
    return this.audio;
  }

  private sound(): void {
    if (!this.on.sound) return;
    this.beeps++;
    this.el.dataset.beeps = String(this.beeps);
    const ctx = this.context();
    if (!ctx) return;
    // Two short tones: noticeable across a room, not an alarm siren.
    for (const [i, freq] of [880, 660].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.value = 0.15;
      osc.connect(gain).connect(ctx.destination);
      const t = ctx.currentTime + i * 0.25;
      osc.start(t);
      osc.stop(t + 0.2);
    }
  }

  private render(): void {
    const w = WORDS[this.lang];
    this.el.hidden = this.alerts.length === 0;
    this.el.classList.toggle('is-flashing', this.on.flash && this.alerts.length > 0);
    this.el.dataset.sound = this.on.sound ? 'on' : 'off';
    this.el.dataset.flash = this.on.flash ? 'on' : 'off';
    const zone = this.timeZone;
    const items = this.alerts
      .map((a) => {
        const figure = alertFigure(a, this.lang);
        return `<li class="alert-item" data-testid="alert" data-rule="${esc(a.rule)}" data-queue="${esc(a.queue ?? '')}">
          <span class="alert-sym" aria-hidden="true">⚠</span>
          <span class="alert-title">${esc(alertTitle(a, this.lang))}</span>
          <span class="alert-where">${esc(alertWhere(a, this.lang))}</span>
          ${figure ? `<span class="alert-figure">${esc(figure)}</span>` : ''}
          ${zone ? `<span class="alert-since">${w.since} ${esc(timeOfDay(Date.parse(a.firedAt), this.lang, zone))}</span>` : ''}
        </li>`;
      })
      .join('');
    const toggle = (which: Switch) =>
      `<button type="button" class="alert-switch" data-switch="${which}" data-testid="alert-${which}" aria-pressed="${this.on[which]}">${w[which]}: ${this.on[which] ? w.on : w.off}</button>`;
    this.el.setAttribute('aria-label', w.alerts);
    this.el.innerHTML = `<ul class="alert-list">${items}</ul><div class="alert-switches">${toggle('flash')}${toggle('sound')}</div>`;
  }
}
