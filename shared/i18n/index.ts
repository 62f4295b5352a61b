// Message catalogs shared by the renderer (kiosk, desk, screen, technician), the printer and
// the screen's spoken announcement. EN is the source of keys; an unknown language falls back
// to EN, and a missing text never shows as an empty string.
import { ar } from './ar.js';
import { en, type Catalog, type MessageKey } from './en.js';
import { fr } from './fr.js';
import { sv } from './sv.js';

export type { Catalog, MessageKey } from './en.js';

export const SUPPORTED_LANGS = ['EN', 'FR', 'SV', 'AR'] as const;
export type SupportedLang = (typeof SUPPORTED_LANGS)[number];

export const CATALOGS: Readonly<Record<SupportedLang, Catalog>> = {
  EN: en,
  FR: fr,
  SV: sv,
  AR: ar,
};

/** BCP 47 tags for Intl (dates, numbers) and for speech synthesis. */
export const LOCALES: Readonly<Record<SupportedLang, string>> = {
  EN: 'en-GB',
  FR: 'fr-FR',
  SV: 'sv-SE',
  AR: 'ar',
};

const RTL = new Set(['AR', 'HE', 'FA', 'UR']);

export function isSupportedLang(lang: string): lang is SupportedLang {
  return (SUPPORTED_LANGS as readonly string[]).includes(lang.toUpperCase());
}

/** Right-to-left script (Arabic...): the UI sets dir="rtl" and mirrors its layout. */
export function isRtl(lang: string): boolean {
  return RTL.has(lang.toUpperCase());
}

export function localeFor(lang: string): string {
  const up = lang.toUpperCase();
  return isSupportedLang(up) ? LOCALES[up] : 'en-GB';
}

/**
 * The Intl locale for dates, times and numbers. One digit style per language, the one tickets,
 * phone numbers and keypads use: Latin digits everywhere, Arabic included (`nu-latn`), so a clock
 * never reads ١٠:٤٥ above ticket A12.
 */
export function formatLocaleFor(lang: string): string {
  return `${localeFor(lang)}-u-nu-latn`;
}

export type MessageVars = Readonly<Record<string, string | number>>;

/** Fills `{name}` placeholders; a placeholder with no value stays visible, not blank. */
export function format(template: string, vars?: MessageVars): string {
  if (vars === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
}

/** The text for `key` in `lang` (case-insensitive), falling back to English. */
export function t(lang: string, key: MessageKey, vars?: MessageVars): string {
  const up = lang.toUpperCase();
  const catalog = isSupportedLang(up) ? CATALOGS[up] : en;
  const text = catalog[key] || en[key];
  return format(text, vars);
}

/**
 * The text of a per-language field (service names, SMS texts...): `lang`, then each fallback
 * (usually the store's langs), then any language that has a text, else ''.
 */
export function pickText(
  localized: Readonly<Record<string, string>> | undefined,
  lang: string,
  fallbacks: readonly string[] = [],
): string {
  if (localized === undefined) return '';
  for (const l of [lang, ...fallbacks]) {
    const v = localized[l] ?? localized[l.toUpperCase()];
    if (v !== undefined && v.trim() !== '') return v;
  }
  for (const v of Object.values(localized)) if (v.trim() !== '') return v;
  return '';
}

/**
 * The wait a customer is told: "You're next" when nobody is before them and no wait is expected,
 * else whole minutes, never under one (a desk needs that long to call and the customer to come).
 */
export function waitText(lang: string, peopleBefore: number, waitMinutes: number): string {
  if (peopleBefore === 0 && waitMinutes < 1) return t(lang, 'kiosk.youreNext');
  return t(lang, 'kiosk.minutes', { minutes: Math.max(1, Math.ceil(waitMinutes)) });
}
