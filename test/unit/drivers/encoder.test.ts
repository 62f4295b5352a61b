// Golden bytes for each encoder path. The expected sequences are written out from the ESC/POS
// command reference (ESC @, ESC t, GS !, GS ( k, GS v 0, GS V), not copied from the output.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  encodeTestPrint,
  encodeTicket,
  formatStoreTime,
  needsRaster,
  PRINTER_PROFILES,
} from '../../../drivers/printer/index.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import type { DecodedReceipt } from '../../../drivers/sim/escpos-decoder.js';
import { latinTicket } from './fixtures.js';
import { t } from '../../../shared/i18n/index.js';

const ESC = 0x1b;
const GS = 0x1d;
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const ticket = latinTicket;
const P80 = PRINTER_PROFILES['epson-80'];
const P58 = PRINTER_PROFILES['generic-58'];

/** Index of `needle` in `hay`, or -1. */
function indexOf(hay: Uint8Array, needle: number[], from = 0): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
const count = (hay: Uint8Array, needle: number[]): number => {
  let n = 0;
  for (let i = indexOf(hay, needle); i !== -1; i = indexOf(hay, needle, i + 1)) n++;
  return n;
};

const decode = (bytes: Uint8Array): DecodedReceipt => {
  const events = new EscPosDecoder().push(bytes);
  const receipt = events.find((e) => e.type === 'receipt');
  if (receipt?.type !== 'receipt') throw new Error('no receipt');
  return receipt.receipt;
};

describe('encodeTicket (Latin, 80 mm)', () => {
  const bytes = encodeTicket(ticket(), P80);

  it("prints the store's header lines under its name, and nothing for an empty one", () => {
    const lines = receiptText(
      decode(encodeTicket(ticket({ header: 'Bienvenue chez nous\nOuvert 9 h – 18 h' }), P80)),
    );
    const name = lines.indexOf('Lineup Démo');
    expect(lines.slice(name + 1, name + 3)).toEqual(['Bienvenue chez nous', 'Ouvert 9 h – 18 h']);
    expect(encodeTicket(ticket({ header: '  ' }), P80)).toEqual(bytes);
  });

  it('starts with ESC @, cancels kanji (FS .) and selects font A (ESC M 0)', () => {
    expect([...bytes.subarray(0, 7)]).toEqual([ESC, 0x40, 0x1c, 0x2e, ESC, 0x4d, 0x00]);
  });

  it('selects WPC1252 (ESC t 16) and sends é as 0xE9 in the double-size bold store name', () => {
    const expected = [
      ESC,
      0x45,
      0x01,
      GS,
      0x21,
      0x11,
      ESC,
      0x74,
      16,
      ...ascii('Lineup D'),
      0xe9,
      ...ascii('mo'),
    ];
    expect(indexOf(bytes, expected)).toBeGreaterThan(0);
  });

  it('encodes œ å ä ö € with the code page (0x9C 0xE5 0xE4 0xF6 0x80)', () => {
    expect(
      indexOf(bytes, [...ascii('R'), 0xe9, ...ascii('paration '), 0x9c, ...ascii('uvre')]),
    ).toBeGreaterThan(0);
    expect(
      indexOf(bytes, [...ascii('Merci ! '), 0xe5, 0x20, 0xe4, 0x20, 0xf6, 0x20, 0x80]),
    ).toBeGreaterThan(0);
  });

  it('prints the ticket number 6× (GS ! 0x55) in bold, then back to 1× (GS ! 0)', () => {
    expect(
      indexOf(bytes, [
        ESC,
        0x45,
        0x01,
        GS,
        0x21,
        0x55,
        ...ascii('A12'),
        ESC,
        0x45,
        0x00,
        GS,
        0x21,
        0x00,
      ]),
    ).toBeGreaterThan(0);
  });

  it('stores and prints the QR natively with GS ( k (model 2, module 6, level M)', () => {
    const payload = ascii('LINEUP:1:demo-store:cust-1:A12');
    const store = payload.length + 3;
    const qr = [
      ...[GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0x00], // fn 165: model 2
      ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, 6], // fn 167: module size 6
      ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31], // fn 169: error level M
      ...[GS, 0x28, 0x6b, store & 0xff, store >> 8, 0x31, 0x50, 0x30, ...payload], // fn 180: store
      ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30], // fn 181: print
    ];
    expect(indexOf(bytes, qr)).toBeGreaterThan(0);
  });

  it('ends with one partial cut (GS V 1) and nothing after it', () => {
    expect(count(bytes, [GS, 0x56, 0x01])).toBe(1);
    expect([...bytes.subarray(-3)]).toEqual([GS, 0x56, 0x01]);
  });

  it('ends lines with LF alone: no CR anywhere', () => {
    expect(count(bytes, [0x0d])).toBe(0);
  });

  it('shows the time in the store time zone and everything a customer needs', () => {
    expect(receiptText(decode(bytes))).toEqual([
      'Lineup Démo',
      'Réparation œuvre',
      '',
      'Votre numéro',
      'A12',
      '',
      'Personnes avant vous : 3',
      'Attente estimée : 15 minutes',
      '2026-03-01 10:05',
      '',
      '[QR LINEUP:1:demo-store:cust-1:A12]',
      '',
      'Scannez pour suivre votre place dans la file',
      '',
      'Bipeur : 7',
      '',
      'Merci ! å ä ö €',
    ]);
  });

  it('leaves the pager line out when no pager was taken', () => {
    const lines = receiptText(decode(encodeTicket(ticket({ pager: null }), P80)));
    expect(lines.some((l) => l.startsWith('Bipeur'))).toBe(false);
  });

  it('says the wait as the kiosk screen does: "next" for the first customer, never "0 minutes"', () => {
    const first = receiptText(
      decode(encodeTicket(ticket({ peopleBefore: 0, waitMinutes: 0 }), P80)),
    );
    expect(first).toContain(`Attente estimée : ${t('FR', 'kiosk.youreNext')}`);
    expect(first.join('\n')).not.toMatch(/\b0 min/);
    const soon = receiptText(
      decode(encodeTicket(ticket({ peopleBefore: 1, waitMinutes: 0.2 }), P80)),
    );
    expect(soon).toContain(`Attente estimée : ${t('FR', 'kiosk.minutes', { minutes: 1 })}`);
  });

  it('prints the ticket page URL as the QR, and the offline caption without one', () => {
    const url = 'https://hub.example/t/cust-1.AAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const online = receiptText(decode(encodeTicket(ticket({ qrPayload: url }), P80)));
    expect(online).toContain(`[QR ${url}]`);
    expect(online).toContain(t('FR', 'ticket.scanToFollow'));
    const offline = receiptText(decode(encodeTicket(ticket({ qrOpensPage: false }), P80)));
    expect(offline).toContain('[QR LINEUP:1:demo-store:cust-1:A12]');
    expect(offline).toContain(t('FR', 'ticket.followOnScreen'));
    expect(offline).not.toContain(t('FR', 'ticket.scanToFollow'));
  });
});

describe('encodeTicket (Swedish: texts from the shared catalogs)', () => {
  it('prints the SV catalog words with ö and ä as WPC1252 bytes (0xF6, 0xE4)', () => {
    const bytes = encodeTicket(ticket({ lang: 'SV', waitMinutes: 9.6, pager: 4 }), P80);
    expect(indexOf(bytes, ascii('Ditt nummer'))).toBeGreaterThan(0);
    // The kiosk screen's own words: "Före dig i kön", not a second wording for paper.
    expect(
      indexOf(bytes, [...ascii('F'), 0xf6, ...ascii('re dig i k'), 0xf6, ...ascii('n: 3')]),
    ).toBeGreaterThan(0);
    expect(
      indexOf(bytes, [...ascii('Ber'), 0xe4, ...ascii('knad v'), 0xe4, ...ascii('ntetid: 10 min')]),
    ).toBeGreaterThan(0);
    expect(
      indexOf(bytes, [
        ...ascii('Skanna f'),
        0xf6,
        ...ascii('r att f'),
        0xf6,
        ...ascii('lja din plats i k'),
        0xf6,
        ...ascii('n'),
      ]),
    ).toBeGreaterThan(0);
    expect(indexOf(bytes, [...ascii('Persons'), 0xf6, ...ascii('kare: 4')])).toBeGreaterThan(0);
  });
});

/**
 * The whole job, byte for byte, written out from the command reference: ESC @ initialise, FS .
 * kanji off, ESC M 0 font A, ESC E n bold, GS ! n size (high nibble width-1, low height-1),
 * ESC t 16 WPC1252, ESC a n alignment (the QR block), GS ( k the QR functions 165/167/169/180/181,
 * LF ends each line (no CR), four LF feed the last line past the cutter, GS V 1 cuts: the end.
 * The library centres text lines with spaces: (columns − width × characters) / 2, rounded down.
 */
function goldenTicket(columns: number, qrModule: number, ticketSize: number): number[] {
  const LF = 0x0a;
  const pad = (n: number): number[] => new Array<number>(n).fill(0x20);
  const centred = (chars: number, width = 1): number[] =>
    pad(Math.floor((columns - chars * width) / 2));
  const text = (s: string): number[] =>
    [...s].map(
      (c) => ({ é: 0xe9, œ: 0x9c, å: 0xe5, ä: 0xe4, ö: 0xf6, '€': 0x80 })[c] ?? c.charCodeAt(0),
    );
  const bold = (on: boolean): number[] => [ESC, 0x45, on ? 1 : 0];
  const size = (n: number): number[] => [GS, 0x21, ((n - 1) << 4) | (n - 1)];
  const qrData = ascii('LINEUP:1:demo-store:cust-1:A12');
  const caption = 'Scannez pour suivre votre place dans la file';
  const captionLines =
    caption.length <= columns ? [caption] : ['Scannez pour suivre votre place', 'dans la file'];
  return [
    ...[ESC, 0x40, 0x1c, 0x2e, ESC, 0x4d, 0],
    ...centred(11, 2),
    ...bold(true),
    ...size(2),
    ESC,
    0x74,
    16,
    ...text('Lineup Démo'),
    ...bold(false),
    ...size(1),
    LF,
    ...centred(16),
    ...bold(true),
    ...text('Réparation œuvre'),
    ...bold(false),
    LF,
    LF,
    ...centred(12),
    ...text('Votre numéro'),
    LF,
    ...centred(3, ticketSize),
    ...bold(true),
    ...size(ticketSize),
    ...text('A12'),
    ...bold(false),
    ...size(1),
    LF,
    LF,
    ...centred(24),
    ...text('Personnes avant vous : 3'),
    LF,
    ...centred(28),
    ...text('Attente estimée : 15 minutes'),
    LF,
    ...centred(16),
    ...text('2026-03-01 10:05'),
    LF,
    LF,
    ...[ESC, 0x61, 1],
    ...[GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0],
    ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, qrModule],
    ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, 0x31],
    ...[GS, 0x28, 0x6b, qrData.length + 3, 0, 0x31, 0x50, 0x30, ...qrData],
    ...[GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30],
    LF,
    ...[ESC, 0x61, 0],
    ...captionLines.flatMap((line) => [...centred(line.length), ...text(line), LF]),
    LF,
    ...centred(10, 2),
    ...bold(true),
    ...size(2),
    ...text('Bipeur : 7'),
    ...bold(false),
    ...size(1),
    LF,
    LF,
    ...centred(15),
    ...text('Merci ! å ä ö €'),
    LF,
    LF,
    LF,
    LF,
    LF,
    ...[GS, 0x56, 1],
  ];
}

describe('encodeTicket, golden bytes', () => {
  it('80 mm (epson-80: 48 columns, number 6×, 6-dot QR modules)', () => {
    expect([...encodeTicket(ticket(), P80)]).toEqual(goldenTicket(48, 6, 6));
  });

  it('58 mm (generic-58: 32 columns, number 4×, 5-dot QR modules, the caption wrapped)', () => {
    expect([...encodeTicket(ticket(), P58)]).toEqual(goldenTicket(32, 5, 4));
  });
});

describe('encodeTicket (58 mm)', () => {
  it('uses 4× for the ticket number and 5-dot QR modules', () => {
    const bytes = encodeTicket(ticket(), P58);
    expect(indexOf(bytes, [GS, 0x21, 0x33, ...ascii('A12')])).toBeGreaterThan(0);
    expect(indexOf(bytes, [GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, 5])).toBeGreaterThan(0);
  });

  it('shrinks a long ticket number so it stays on one line', () => {
    const bytes = encodeTicket(ticket({ ticket: 'PRM-10042' }), P58); // 9 chars, 32 cols
    expect(indexOf(bytes, [GS, 0x21, 0x22, ...ascii('PRM-10042')])).toBeGreaterThan(0);
  });
});

describe('encodeTicket (Arabic: shaped raster)', () => {
  const ar = ticket({ lang: 'AR', serviceName: 'إصلاح الهواتف', footer: 'شكرا لزيارتكم' });

  it('sends Arabic lines as GS v 0 raster images as wide as the paper, never as code page text', () => {
    const bytes = encodeTicket(ar, P80);
    // GS v 0 m=0, xL xH = 576/8 = 72 bytes per row
    expect(count(bytes, [GS, 0x76, 0x30, 0x00, 72, 0])).toBe(7);
    const receipt = decode(bytes);
    const images = receipt.items.filter((i) => i.kind === 'image');
    expect(images).toHaveLength(7); // service, "your number", people, wait, QR caption, pager, footer
    for (const image of images) {
      expect(image.kind === 'image' && image.height % 8).toBe(0);
      // ink: shaped text leaves black dots
      expect(image.kind === 'image' && image.bits.some((b) => b !== 0)).toBe(true);
    }
    // Latin and digits stay text: the store name, the number, the time, the QR
    const lines = receiptText(receipt);
    expect(lines).toContain('Lineup Démo');
    expect(lines).toContain('A12');
    expect(lines).toContain('2026-03-01 10:05');
    expect(lines).toContain('[QR LINEUP:1:demo-store:cust-1:A12]');
  });

  it('makes 384-dot images on 58 mm paper', () => {
    const bytes = encodeTicket(ar, P58);
    expect(count(bytes, [GS, 0x76, 0x30, 0x00, 48, 0])).toBe(7);
  });
});

describe('logo', () => {
  it('rasterises a 16×16 black PNG to exactly 16×16 black dots (GS v 0 2 0 16 0 + 32 × FF)', () => {
    const png = new PNG({ width: 16, height: 16 });
    for (let i = 0; i < 16 * 16; i++) png.data.set([0, 0, 0, 255], i * 4);
    const bytes = encodeTicket(ticket({ logoPng: new Uint8Array(PNG.sync.write(png)) }), P80);
    expect(
      indexOf(bytes, [GS, 0x76, 0x30, 0x00, 2, 0, 16, 0, ...new Array<number>(32).fill(0xff)]),
    ).toBeGreaterThan(0);
  });

  it('rejects bytes that are not a PNG with an error instead of printing garbage', () => {
    expect(() => encodeTicket(ticket({ logoPng: new Uint8Array([1, 2, 3]) }), P80)).toThrow();
  });
});

describe('helpers', () => {
  it('formats in the store time zone, summer time included', () => {
    expect(formatStoreTime('2026-07-01T22:30:00Z', 'Europe/Paris')).toBe('2026-07-02 00:30');
    expect(formatStoreTime('2026-07-01T22:30:00Z', 'Europe/Stockholm')).toBe('2026-07-02 00:30');
    expect(formatStoreTime('2026-07-01T22:30:00Z', 'Asia/Dubai')).toBe('2026-07-02 02:30');
  });

  it('rasterises only what no code page of the profile holds', () => {
    const p = PRINTER_PROFILES['epson-80'];
    expect(needsRaster('é è ç œ å ä ö € Ä Ö Å', p)).toBe(false);
    expect(needsRaster('مرحبا', p)).toBe(true);
    expect(needsRaster('שלום', p)).toBe(true);
    expect(needsRaster('中文', p)).toBe(true);
  });

  it('rejects an invalid ticket with a schema error', () => {
    expect(() => encodeTicket(ticket({ ticket: '' }), P80)).toThrow();
    expect(() => encodeTicket(ticket({ issuedAt: 'yesterday' }), P80)).toThrow();
  });

  it('prints a test page with all the Latin test characters', () => {
    const lines = receiptText(
      decode(
        encodeTestPrint(
          {
            storeName: 'Lineup Demo Store',
            deviceName: 'lineup-kiosk-1',
            at: '2026-03-01T09:05:00Z',
            timeZone: 'Europe/Paris',
          },
          P80,
        ),
      ),
    );
    expect(lines).toContain('Test print');
    expect(lines).toContain('If you can read this, the printer works.');
    expect(lines).toContain('lineup-kiosk-1');
    expect(lines).toContain('é è ç œ å ä ö €');
    expect(lines).toContain('2026-03-01 10:05');
  });
});
