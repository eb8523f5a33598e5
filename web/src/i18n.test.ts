import { describe, expect, it } from 'vitest';
import { DICTIONARY, initialLang, langFromNavigator, locale, otherLang, t, type Key } from './i18n.ts';

describe('language choice', () => {
  it('follows navigator.language: nl* is Dutch, anything else English', () => {
    expect(langFromNavigator('nl')).toBe('nl');
    expect(langFromNavigator('nl-NL')).toBe('nl');
    expect(langFromNavigator('nl-BE')).toBe('nl');
    expect(langFromNavigator('NL-nl')).toBe('nl');
    expect(langFromNavigator('en-US')).toBe('en');
    expect(langFromNavigator('de-DE')).toBe('en');
    expect(langFromNavigator('nld')).toBe('en');
    expect(langFromNavigator('')).toBe('en');
    expect(langFromNavigator(undefined)).toBe('en');
  });
  it('a remembered choice wins; rubbish in storage is ignored', () => {
    expect(initialLang('en', 'nl-NL')).toBe('en');
    expect(initialLang('nl', 'en-US')).toBe('nl');
    expect(initialLang('fr', 'nl-NL')).toBe('nl');
    expect(initialLang(null, 'en-GB')).toBe('en');
  });
  it('toggles between the two and maps to a locale', () => {
    expect(otherLang('nl')).toBe('en');
    expect(otherLang('en')).toBe('nl');
    expect(locale('nl')).toBe('nl-NL');
  });
});

describe('dictionary', () => {
  it('has every key, non-empty, in both languages', () => {
    const keys = Object.keys(DICTIONARY.en) as Key[];
    expect(Object.keys(DICTIONARY.nl).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(DICTIONARY.en[k].trim(), k).not.toBe('');
      expect(DICTIONARY.nl[k].trim(), k).not.toBe('');
    }
  });
  it('uses the same placeholders in both languages', () => {
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const k of Object.keys(DICTIONARY.en) as Key[]) {
      expect(holes(DICTIONARY.nl[k]), k).toEqual(holes(DICTIONARY.en[k]));
    }
  });
  it('fills placeholders', () => {
    expect(t('en', 'overTransfer', { n: 2 })).toBe('Transferred > 2 times');
    expect(t('nl', 'breaches', { min: 5 })).toBe('Garantie (5 min) gebroken');
    expect(t('en', 'title')).toBe('Service norm');
    expect(t('nl', 'title')).toBe('Servicenorm');
  });
});
