// Store-configured HTML, sanitized on every render (the config can change at any time).
import { useMemo } from 'react';
import { sanitizeHtml } from './sanitize.js';

export function HtmlText({ html, className }: { html: string; className?: string }) {
  const clean = useMemo(() => sanitizeHtml(html), [html]);
  return <span className={className} dangerouslySetInnerHTML={{ __html: clean }} />;
}
