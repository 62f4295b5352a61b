// The document's own `lang` and `dir` (on <html>), not only a container's: screen readers pick
// their voice, and the browser its fonts and hyphenation, from the document.
import { useEffect } from 'react';
import { documentLanguage } from '../i18n/index.js';

export function useDocumentLanguage(lang: string): void {
  useEffect(() => {
    const { lang: tag, dir } = documentLanguage(lang);
    const html = document.documentElement;
    html.lang = tag;
    html.dir = dir;
  }, [lang]);
}
