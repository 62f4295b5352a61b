// Store colours as CSS custom properties, with text colours picked for contrast (WCAG AA) so a
// store's palette can never make its own buttons unreadable.
import type { Organization } from '../../shared/domain/entities.js';

function channels(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const n = Number.parseInt(full, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The first candidate readable on `background`, else whichever of black/white reads better. */
export function readableOn(background: string, candidates: string[]): string {
  for (const c of candidates) if (contrastRatio(background, c) >= 4.5) return c;
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#FFFFFF')
    ? '#000000'
    : '#FFFFFF';
}

const DEFAULT_ONE = '#1F3A5F';
const DEFAULT_TWO = '#FFFFFF';

export function brandStyle(organization: Organization | null | undefined): Record<string, string> {
  const one = organization?.colorOne ?? DEFAULT_ONE;
  const two = organization?.colorTwo ?? DEFAULT_TWO;
  const onOne = readableOn(one, [two, '#FFFFFF', '#111111']);
  // Brand colour used as text on the light page: only when it reads, else a dark neutral.
  const brandText = contrastRatio(one, '#F4F6F9') >= 4.5 ? one : '#1B2430';
  // The brand colour on the second colour (a monogram tile), readable whatever the palette.
  const oneOnTwo = readableOn(two, [one, '#111111', '#FFFFFF']);
  return {
    '--brand': one,
    '--brand-on-two': oneOnTwo,
    '--brand-two': two,
    '--on-brand': onOne,
    '--brand-text': brandText,
  };
}

/** `css_template` becomes a class name; anything but letters, digits, - and _ is dropped. */
export function templateClass(cssTemplate: string | undefined): string {
  const safe = (cssTemplate ?? 'default').replace(/[^A-Za-z0-9_-]/g, '');
  return `template-${safe === '' ? 'default' : safe}`;
}
