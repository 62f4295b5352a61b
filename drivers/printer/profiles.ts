// Printer profiles: what the encoder must know about a model (paper, dots, columns, code pages).
// The ESC t table is ours and explicit so the virtual printer's decoder reads text back with the
// very same numbers the encoder chose (one table, two directions).
import type { Codepage } from '@point-of-sale/codepage-encoder';

export type PaperWidth = 58 | 80;

export interface PrinterProfile {
  id: string;
  /** Model id understood by @point-of-sale/receipt-printer-encoder. */
  encoderModel: 'epson-tm-t20iii' | 'pos-5890' | 'epson-tm-t88vi';
  paperWidth: PaperWidth;
  /** Printable width in dots (203 dpi heads: 576 on 80 mm, 384 on 58 mm). */
  dots: number;
  /** Characters per line in font A. */
  columns: number;
  /** ESC t numbers per code page, in order of preference for Latin text. */
  codepages: Partial<Record<Codepage, number>>;
  /** Ticket number magnification (GS ! 1..8). */
  ticketScale: number;
  /** QR module size in dots (GS ( k function 167). */
  qrModule: number;
}

// Epson numbering (ESC t): 0 PC437, 2 PC850, 16 WPC1252, 18 PC852, 19 PC858. windows1252 first:
// it alone holds é è ç œ å ä ö € together, so a Latin ticket needs a single ESC t.
const epsonLatin: Partial<Record<Codepage, number>> = {
  windows1252: 16,
  cp858: 19,
  cp437: 0,
  cp850: 2,
  cp852: 18,
};

export const PRINTER_PROFILES = {
  'epson-80': {
    id: 'epson-80',
    encoderModel: 'epson-tm-t20iii',
    paperWidth: 80,
    dots: 576,
    columns: 48,
    codepages: epsonLatin,
    ticketScale: 6,
    qrModule: 6,
  },
  'generic-58': {
    id: 'generic-58',
    encoderModel: 'pos-5890',
    paperWidth: 58,
    dots: 384,
    columns: 32,
    // The POS-5890 family shares Epson's numbers for these pages.
    codepages: epsonLatin,
    ticketScale: 4,
    qrModule: 5,
  },
} as const satisfies Record<string, PrinterProfile>;

export type PrinterProfileId = keyof typeof PRINTER_PROFILES;

export function isPrinterProfileId(value: string): value is PrinterProfileId {
  return Object.hasOwn(PRINTER_PROFILES, value);
}

/** The default profile for a paper width. */
export function profileForPaper(paperWidth: PaperWidth): PrinterProfile {
  return paperWidth === 58 ? PRINTER_PROFILES['generic-58'] : PRINTER_PROFILES['epson-80'];
}

/** ESC t number → code page, for decoders. */
export function codepageByNumber(profile: PrinterProfile): Map<number, Codepage> {
  const map = new Map<number, Codepage>();
  for (const [name, n] of Object.entries(profile.codepages)) {
    if (n !== undefined) map.set(n, name as Codepage);
  }
  return map;
}
