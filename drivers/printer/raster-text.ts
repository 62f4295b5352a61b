// Text a printer's code pages cannot carry (Arabic needs shaping and right-to-left layout; other
// scripts have no code page at all) is drawn to pixels with Skia through @napi-rs/canvas, whose
// prebuilt binary ships inside the npm package (no network, no system build at run time).
import { existsSync } from 'node:fs';
import { createCanvas, GlobalFonts, ImageData } from '@napi-rs/canvas';
import { PNG } from 'pngjs';

/** A 1-channel-per-pixel RGBA image the receipt encoder can dither (width and height % 8 == 0). */
export interface RasterImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

// Debian paths: fonts-noto-core (installed by CI) first, fonts-dejavu-core as the fallback (DejaVu
// Sans carries Arabic and Hebrew too). Each font gets its own alias and the family list falls back
// glyph by glyph, so layout does not depend on fontconfig's choices.
const FONTS: { alias: string; bold: boolean; paths: string[] }[] = [
  {
    alias: 'LineupArabic',
    bold: false,
    paths: [
      '/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf',
      '/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf',
    ],
  },
  {
    alias: 'LineupArabic',
    bold: true,
    paths: [
      '/usr/share/fonts/truetype/noto/NotoSansArabic-Bold.ttf',
      '/usr/share/fonts/truetype/noto/NotoNaskhArabic-Bold.ttf',
    ],
  },
  {
    alias: 'LineupHebrew',
    bold: false,
    paths: ['/usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf'],
  },
  {
    alias: 'LineupHebrew',
    bold: true,
    paths: ['/usr/share/fonts/truetype/noto/NotoSansHebrew-Bold.ttf'],
  },
  {
    alias: 'LineupSans',
    bold: false,
    paths: [
      '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
      '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
    ],
  },
  {
    alias: 'LineupSans',
    bold: true,
    paths: [
      '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf',
      '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
    ],
  },
];
const FAMILY = '"LineupArabic", "LineupHebrew", "LineupSans", "DejaVu Sans", sans-serif';

let fontsReady = false;
function ensureFonts(): void {
  if (fontsReady) return;
  fontsReady = true;
  for (const font of FONTS) {
    const path = font.paths.find((p) => existsSync(p));
    if (path) GlobalFonts.registerFromPath(path, font.alias);
  }
}

const RTL_RE = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;

/** True when the text holds right-to-left script (Hebrew, Arabic...). */
export function hasRtl(text: string): boolean {
  return RTL_RE.test(text);
}

export interface RasterTextOptions {
  /** Image width in dots (the printable width). */
  width: number;
  /** Font size in pixels (24 ≈ the printer's font A height). */
  fontPx?: number;
  bold?: boolean;
  align?: 'left' | 'center' | 'right';
  /** Defaults to right-to-left when the text holds RTL script. */
  rtl?: boolean;
}

const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

/** Draws text (wrapped on words to the width) into a black-on-white image. */
export function renderTextImage(text: string, options: RasterTextOptions): RasterImage {
  ensureFonts();
  const width = roundUp8(options.width);
  const fontPx = options.fontPx ?? 24;
  const rtl = options.rtl ?? hasRtl(text);
  const font = `${options.bold ? 'bold ' : ''}${fontPx}px ${FAMILY}`;

  const measure = createCanvas(8, 8).getContext('2d');
  measure.font = font;
  measure.direction = rtl ? 'rtl' : 'ltr';
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let current = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = current ? `${current} ${word}` : word;
      if (current && measure.measureText(candidate).width > width) {
        lines.push(current);
        current = word;
      } else {
        current = candidate;
      }
    }
    lines.push(current);
  }

  const lineHeight = Math.ceil(fontPx * 1.4);
  const height = roundUp8(Math.max(1, lines.length) * lineHeight);
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  ctx.font = font;
  ctx.direction = rtl ? 'rtl' : 'ltr';
  ctx.textBaseline = 'middle';
  const align = options.align ?? (rtl ? 'right' : 'left');
  ctx.textAlign = align;
  const x = align === 'center' ? width / 2 : align === 'right' ? width - 1 : 0;
  lines.forEach((line, i) => ctx.fillText(line, x, i * lineHeight + lineHeight / 2));
  const image = ctx.getImageData(0, 0, width, height);
  return { width, height, data: image.data };
}

/**
 * Decodes a PNG logo and scales it to fit maxWidth × maxHeight dots on white (transparency
 * becomes paper). Throws a plain Error when the bytes are not a PNG.
 */
export function logoImage(png: Uint8Array, maxWidth: number, maxHeight: number): RasterImage {
  const decoded = PNG.sync.read(Buffer.from(png));
  const scale = Math.min(1, maxWidth / decoded.width, maxHeight / decoded.height);
  const width = roundUp8(Math.max(8, Math.floor(decoded.width * scale)));
  const height = roundUp8(Math.max(8, Math.floor(decoded.height * scale)));
  const source = createCanvas(decoded.width, decoded.height);
  source
    .getContext('2d')
    .putImageData(
      new ImageData(new Uint8ClampedArray(decoded.data), decoded.width, decoded.height),
      0,
      0,
    );
  const target = createCanvas(width, height);
  const ctx = target.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const w = Math.floor(decoded.width * scale);
  const h = Math.floor(decoded.height * scale);
  ctx.drawImage(source, Math.floor((width - w) / 2), Math.floor((height - h) / 2), w, h);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}
