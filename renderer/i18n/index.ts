// The renderer's i18n glue over the shared catalogs (the printer and the announcements use
// the same ones), and local formatting of times.
import type { LocalizedText } from '../../shared/domain/entities.js';
import {
  localeFor,
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
    return new Intl.DateTimeFormat(localeFor(lang), {
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(localeFor(lang), { hour: '2-digit', minute: '2-digit' }).format(
      new Date(iso),
    );
  }
}

export function formatDateTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(localeFor(lang), {
    dateStyle: 'short',
    timeStyle: 'medium',
  }).format(new Date(iso));
}

/** Whole minutes from `fromIso` to `to`, never negative. */
export function minutesBetween(fromIso: string, to: Date): number {
  const ms = to.getTime() - Date.parse(fromIso);
  return Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0;
}
