// The console's language: the one picked on its menu, else the browser's if it is one of the
// catalogs', else English. Kept in localStorage (a preference, never a credential).
import { useCallback, useState } from 'react';
import { isSupportedLang, SUPPORTED_LANGS, type SupportedLang } from '../../shared/i18n/index.js';
import { useDocumentLanguage } from '../common/document-language.js';

const KEY = 'lineup.console.lang';

function initialLang(): SupportedLang {
  const saved = localStorage.getItem(KEY);
  if (saved !== null && isSupportedLang(saved)) return saved.toUpperCase() as SupportedLang;
  for (const tag of navigator.languages) {
    const base = tag.slice(0, 2).toUpperCase();
    if (isSupportedLang(base)) return base;
  }
  return 'EN';
}

export function useConsoleLanguage(): [SupportedLang, (lang: SupportedLang) => void] {
  const [lang, setLang] = useState(initialLang);
  useDocumentLanguage(lang);
  const choose = useCallback((next: SupportedLang) => {
    localStorage.setItem(KEY, next);
    setLang(next);
  }, []);
  return [lang, choose];
}

export { SUPPORTED_LANGS };
