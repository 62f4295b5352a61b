// Store-configured HTML (`html_name`, ...) shown on public screens, through DOMPurify with the
// allow-list in sanitize-config.ts (tested in Chromium by test/e2e/sanitizer.spec.ts).
import DOMPurify from 'dompurify';
import { SANITIZE_CONFIG } from './sanitize-config.js';

export function sanitizeHtml(html: string): string {
  return DOMPurify.sanitize(html, {
    ...SANITIZE_CONFIG,
    ALLOWED_TAGS: [...SANITIZE_CONFIG.ALLOWED_TAGS],
  });
}
