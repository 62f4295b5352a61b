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

const ESC = 0x1b;
const GS = 0x1d;
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const ticket = latinTicket;

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
  const bytes = encodeTicket(ticket());

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

  it('ends with one partial cut (GS V 1)', () => {
    expect(count(bytes, [GS, 0x56, 0x01])).toBe(1);
    expect(indexOf(bytes, [GS, 0x56, 0x01])).toBeGreaterThan(bytes.length - 6);
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
      'Attente estimée : 15 min',
      '2026-03-01 10:05',
      '',
      '[QR LINEUP:1:demo-store:cust-1:A12]',
      '',
      '',
      'Bipeur : 7',
      '',
      'Merci ! å ä ö €',
    ]);
  });

  it('leaves the pager line out when no pager was taken', () => {
    const lines = receiptText(decode(encodeTicket(ticket({ pager: null }))));
    expect(lines.some((l) => l.startsWith('Bipeur'))).toBe(false);
  });
});

describe('encodeTicket (Swedish: texts from the shared catalogs)', () => {
  it('prints the SV catalog words with ö and ä as WPC1252 bytes (0xF6, 0xE4)', () => {
    const bytes = encodeTicket(ticket({ lang: 'SV', waitMinutes: 9.6, pager: 4 }));
    expect(indexOf(bytes, ascii('Ditt nummer'))).toBeGreaterThan(0);
    expect(indexOf(bytes, [...ascii('Personer f'), 0xf6, ...ascii('re dig: 3')])).toBeGreaterThan(
      0,
    );
    expect(
      indexOf(bytes, [...ascii('Ber'), 0xe4, ...ascii('knad v'), 0xe4, ...ascii('ntetid: 10 min')]),
    ).toBeGreaterThan(0);
    expect(indexOf(bytes, [...ascii('Persons'), 0xf6, ...ascii('kare: 4')])).toBeGreaterThan(0);
  });
});

describe('encodeTicket (58 mm)', () => {
  it('uses 4× for the ticket number and 5-dot QR modules', () => {
    const bytes = encodeTicket(ticket({ paperWidth: 58 }));
    expect(indexOf(bytes, [GS, 0x21, 0x33, ...ascii('A12')])).toBeGreaterThan(0);
    expect(indexOf(bytes, [GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, 5])).toBeGreaterThan(0);
  });

  it('shrinks a long ticket number so it stays on one line', () => {
    const bytes = encodeTicket(ticket({ paperWidth: 58, ticket: 'PRM-10042' })); // 9 chars, 32 cols
    expect(indexOf(bytes, [GS, 0x21, 0x22, ...ascii('PRM-10042')])).toBeGreaterThan(0);
  });
});

describe('encodeTicket (Arabic: shaped raster)', () => {
  const ar = ticket({ lang: 'AR', serviceName: 'إصلاح الهواتف', footer: 'شكرا لزيارتكم' });

  it('sends Arabic lines as GS v 0 raster images as wide as the paper, never as code page text', () => {
    const bytes = encodeTicket(ar);
    // GS v 0 m=0, xL xH = 576/8 = 72 bytes per row
    expect(count(bytes, [GS, 0x76, 0x30, 0x00, 72, 0])).toBe(6);
    const receipt = decode(bytes);
    const images = receipt.items.filter((i) => i.kind === 'image');
    expect(images).toHaveLength(6); // service, "your number", people, wait, pager, footer
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
    const bytes = encodeTicket({ ...ar, paperWidth: 58 });
    expect(count(bytes, [GS, 0x76, 0x30, 0x00, 48, 0])).toBe(6);
  });
});

describe('logo', () => {
  it('rasterises a 16×16 black PNG to exactly 16×16 black dots (GS v 0 2 0 16 0 + 32 × FF)', () => {
    const png = new PNG({ width: 16, height: 16 });
    for (let i = 0; i < 16 * 16; i++) png.data.set([0, 0, 0, 255], i * 4);
    const bytes = encodeTicket(ticket({ logoPng: new Uint8Array(PNG.sync.write(png)) }));
    expect(
      indexOf(bytes, [GS, 0x76, 0x30, 0x00, 2, 0, 16, 0, ...new Array<number>(32).fill(0xff)]),
    ).toBeGreaterThan(0);
  });

  it('rejects bytes that are not a PNG with an error instead of printing garbage', () => {
    expect(() => encodeTicket(ticket({ logoPng: new Uint8Array([1, 2, 3]) }))).toThrow();
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
    expect(() => encodeTicket(ticket({ ticket: '' }))).toThrow();
    expect(() => encodeTicket(ticket({ issuedAt: 'yesterday' }))).toThrow();
  });

  it('prints a test page with all the Latin test characters', () => {
    const lines = receiptText(
      decode(
        encodeTestPrint({
          storeName: 'Lineup Demo Store',
          deviceName: 'lineup-kiosk-1',
          at: '2026-03-01T09:05:00Z',
          timeZone: 'Europe/Paris',
        }),
      ),
    );
    expect(lines).toContain('Test print');
    expect(lines).toContain('If you can read this, the printer works.');
    expect(lines).toContain('lineup-kiosk-1');
    expect(lines).toContain('é è ç œ å ä ö €');
    expect(lines).toContain('2026-03-01 10:05');
  });
});
