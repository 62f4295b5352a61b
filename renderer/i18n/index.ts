// The renderer's i18n glue over the shared catalogs (the printer and the announcements use
// the same ones), and local formatting of times.
import type { LocalizedText } from '../../shared/domain/entities.js';
import {
  formatLocaleFor,
  localeFor,
  isRtl,
  pickText,
  t,
  type MessageKey,
  type MessageVars,
} from '../../shared/i18n/index.js';

export type UiKey = MessageKey;

/** A text of the shared catalogs in `lang` (English when the language or the text is missing). */
export function tr(lang: string, key: UiKey, vars?: MessageVars): string {
  return t(lang, key, vars);
}

/** A per-language config text in `lang`, else in the store's languages, else any. */
export function localText(
  text: LocalizedText | undefined,
  lang: string,
  fallbacks: readonly string[],
): string {
  return pickText(text, lang, fallbacks);
}

const NAMES: Readonly<Record<string, string>> = {
  EN: 'English',
  FR: 'Français',
  SV: 'Svenska',
  AR: 'العربية',
};

/** A language's name in that language, as people look for it on a picker. */
export function languageName(lang: string): string {
  const up = lang.toUpperCase();
  const known = NAMES[up];
  if (known !== undefined) return known;
  try {
    return (
      new Intl.DisplayNames([lang.toLowerCase()], { type: 'language' }).of(lang.toLowerCase()) ?? up
    );
  } catch {
    return up;
  }
}

export function formatTime(iso: string, lang: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(formatLocaleFor(lang), {
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(formatLocaleFor(lang), {
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(iso));
  }
}

/** Date and time in the store's zone (not the browser's), with the zone named: "… (Europe/Paris)". */
export function formatDateTime(iso: string, lang: string, timeZone: string): string {
  const options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'medium' };
  let text: string;
  try {
    text = new Intl.DateTimeFormat(formatLocaleFor(lang), { ...options, timeZone }).format(
      new Date(iso),
    );
  } catch {
    // An unknown zone in the config: say the time in UTC rather than in the browser's zone.
    return t(lang, 'tech.inZone', {
      time: new Intl.DateTimeFormat(formatLocaleFor(lang), { ...options, timeZone: 'UTC' }).format(
        new Date(iso),
      ),
      zone: 'UTC',
    });
  }
  return t(lang, 'tech.inZone', { time: text, zone: timeZone });
}

/** `lang` and `dir` of the whole document follow the language shown (screen readers, fonts). */
export function documentLanguage(lang: string): { lang: string; dir: 'rtl' | 'ltr' } {
  return { lang: localeFor(lang), dir: isRtl(lang) ? 'rtl' : 'ltr' };
}

/** Whole minutes from `fromIso` to `to`, never negative. */
export function minutesBetween(fromIso: string, to: Date): number {
  const ms = to.getTime() - Date.parse(fromIso);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0;
}
