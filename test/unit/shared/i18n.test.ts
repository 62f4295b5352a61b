import { describe, expect, it } from 'vitest';
import { CATALOGS, SUPPORTED_LANGS, isRtl, pickText, t } from '../../../shared/i18n/index.js';
import { en } from '../../../shared/i18n/en.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('every language has every English key, non-empty, with the same placeholders', () => {
    for (const lang of SUPPORTED_LANGS) {
      const catalog = CATALOGS[lang] as Record<string, string>;
      expect(Object.keys(catalog).sort(), lang).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        const translated = catalog[key] ?? '';
        expect(translated.trim(), `${lang} ${key}`).not.toBe('');
        expect(placeholders(translated), `${lang} ${key}`).toEqual(placeholders(text));
      }
    }
  });

  it('is really translated: Arabic in Arabic script, French and Swedish mostly not English', () => {
    const arabic = /[\u0600-\u06FF]/;
    // A pure layout template ("{label}: {value}") has no words to translate.
    const wordsOf = (text: string): string => text.replace(/\{\w+\}/g, '').replace(/[\s:.,]/g, '');
    for (const [key, text] of Object.entries(CATALOGS.AR))
      if (wordsOf(text) !== '') expect(text, key).toMatch(arabic);
    for (const lang of ['FR', 'SV'] as const) {
      const same = Object.entries(CATALOGS[lang]).filter(
        ([key, text]) => text === (en as Record<string, string>)[key] && wordsOf(text) !== '',
      );
      expect(same.length, `${lang}: ${same.map(([k]) => k).join(', ')}`).toBeLessThan(8);
    }
  });

  it('fills placeholders, leaves a missing one visible, and falls back to English', () => {
    expect(t('EN', 'kiosk.minutes', { minutes: 12 })).toBe('12 min');
    expect(t('fr', 'screen.announce', { ticket: 'A12', desk: '2' })).toBe('Ticket A12, guichet 2');
    expect(t('SV', 'screen.announce', { ticket: 'A12', desk: '2' })).toBe('Nummer A12, kassa 2');
    expect(t('AR', 'screen.announce', { ticket: 'A12', desk: '2' })).toBe('التذكرة A12، الشباك 2');
    expect(t('EN', 'kiosk.takePager')).toBe('Take pager number {pager}');
    expect(t('DE', 'ticket.yourNumber')).toBe('Your number');
  });

  it('knows Arabic is right to left', () => {
    expect(isRtl('AR')).toBe(true);
    expect(isRtl('ar')).toBe(true);
    expect(SUPPORTED_LANGS.filter(isRtl)).toEqual(['AR']);
  });

  it('picks a per-language text with fallbacks and never an empty one', () => {
    const name = { FR: 'Réparation', EN: '', SV: 'Reparation' };
    expect(pickText(name, 'FR', ['EN'])).toBe('Réparation');
    expect(pickText(name, 'EN', ['SV', 'FR'])).toBe('Reparation');
    expect(pickText(name, 'AR', [])).toBe('Réparation');
    expect(pickText({}, 'EN', ['FR'])).toBe('');
    expect(pickText(undefined, 'EN')).toBe('');
  });
});
