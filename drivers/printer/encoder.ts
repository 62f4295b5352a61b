// Pure ticket encoder: PrintableTicket + profile → ESC/POS bytes. No I/O; the bytes are what the
// golden tests compare and what every transport sends.
import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import CodepageEncoder from '@point-of-sale/codepage-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';
import type { PrinterProfile } from './profiles.js';
import { hasRtl, logoImage, renderTextImage } from './raster-text.js';
import type { RasterImage } from './raster-text.js';
import { t, waitText } from '../../shared/i18n/index.js';
import type { MessageKey } from '../../shared/i18n/index.js';
import { PrintableTicketSchema, TestPrintInfoSchema } from './ticket.js';
import type { PrintableTicket, TestPrintInfo } from './ticket.js';

const printableCache = new WeakMap<PrinterProfile, Set<number>>();
const codepageSets = new Map<Codepage, Set<number>>();

function codepageSet(name: Codepage): Set<number> {
  let set = codepageSets.get(name);
  if (!set) {
    set = new Set(CodepageEncoder.getCodepoints(name, true).filter((cp) => cp !== 0xfffd));
    codepageSets.set(name, set);
  }
  return set;
}

/**
 * The profile's first code page holding every character of the text, or null for plain ASCII
 * (any page will do). Chosen here rather than with the library's 'auto' mode: same result for
 * our Latin pages, several times faster.
 */
export function pickCodepage(text: string, profile: PrinterProfile): Codepage | null {
  const needed = [...text].map((ch) => ch.codePointAt(0) ?? 0).filter((cp) => cp >= 0x80);
  if (needed.length === 0) return null;
  for (const name of Object.keys(profile.codepages) as Codepage[]) {
    const set = codepageSet(name);
    if (needed.every((cp) => set.has(cp))) return name;
  }
  return null;
}

/** Every code point some code page of the profile can print natively. */
function printableCodePoints(profile: PrinterProfile): Set<number> {
  let set = printableCache.get(profile);
  if (!set) {
    set = new Set<number>();
    for (const name of Object.keys(profile.codepages) as Codepage[]) {
      for (const cp of CodepageEncoder.getCodepoints(name, true)) {
        if (cp >= 0x20 && cp !== 0xfffd) set.add(cp);
      }
    }
    printableCache.set(profile, set);
  }
  return set;
}

/** True when the text must be drawn as an image: RTL script, or a character no code page holds. */
export function needsRaster(text: string, profile: PrinterProfile): boolean {
  if (hasRtl(text)) return true;
  const printable = printableCodePoints(profile);
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp >= 0x20 && cp < 0x7f) continue;
    if (!printable.has(cp)) return true;
  }
  return false;
}

/** `YYYY-MM-DD HH:mm` at the store's local time (digits stay ASCII in every language). */
export function formatStoreTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function createEncoder(profile: PrinterProfile): ReceiptPrinterEncoder {
  return new ReceiptPrinterEncoder({
    language: 'esc-pos',
    printerModel: profile.encoderModel,
    columns: profile.columns,
    codepageMapping: profile.codepages as Record<string, number>,
    codepageCandidates: Object.keys(profile.codepages) as Codepage[],
    imageMode: 'raster',
    feedBeforeCut: 4,
    // ESC/POS prints and feeds on LF alone; the library's default LF CR sends a stray CR per line.
    newline: '\n',
  });
}

const LF = 0x0a;

/**
 * The job's bytes, ending with the cut command: the library ends the cut's line with a newline
 * too, and a byte after the cut would start the next ticket (an empty line at its top).
 */
function finish(encoder: ReceiptPrinterEncoder): Uint8Array {
  const bytes = encoder.encode();
  return bytes[bytes.length - 1] === LF ? bytes.slice(0, -1) : bytes;
}

/** "label: value" with the language's punctuation (French puts a space before the colon). */
function labelled(lang: string, label: MessageKey, value: string): string {
  return t(lang, 'ticket.labelValue', { label: t(lang, label), value });
}

type ImageInput = Parameters<ReceiptPrinterEncoder['image']>[0];

type Style = { scale?: number; bold?: boolean };

/** Writes one centred line as text when the profile can, else as a shaped raster image. */
function centredLine(
  encoder: ReceiptPrinterEncoder,
  profile: PrinterProfile,
  text: string,
  style: Style = {},
): void {
  if (!text) return;
  const scale = style.scale ?? 1;
  if (needsRaster(text, profile)) {
    const image: RasterImage = renderTextImage(text, {
      width: profile.dots,
      fontPx: 24 * scale,
      bold: style.bold ?? false,
      align: 'center',
    });
    encoder.image(image as unknown as ImageInput, image.width, image.height, 'threshold', 128);
    return;
  }
  const codepage = pickCodepage(text, profile);
  if (codepage) encoder.codepage(codepage);
  if (style.bold) encoder.bold(true);
  if (scale !== 1) encoder.size(scale, scale);
  encoder.line(text);
  if (scale !== 1) encoder.size(1, 1);
  if (style.bold) encoder.bold(false);
}

/** Magnification that keeps the ticket number on one line. */
function ticketScale(ticket: string, profile: PrinterProfile): number {
  return Math.max(1, Math.min(profile.ticketScale, Math.floor(profile.columns / ticket.length)));
}

/**
 * The customer ticket: logo, store, the store's header, service, the number very large, people
 * before and wait, date/time in the store's time zone, the QR (native GS ( k) and its caption,
 * pager when taken, footer, cut. The paper width is the printer's: it comes with the profile. The words are the
 * kiosk screen's own catalog entries, so screen and paper never say it two ways.
 */
export function encodeTicket(input: PrintableTicket, p: PrinterProfile): Uint8Array {
  const ticket = PrintableTicketSchema.parse(input);
  const lang = ticket.lang;
  const encoder = createEncoder(p).initialize().align('center');

  if (ticket.logoPng && ticket.logoPng.length > 0) {
    const logo = logoImage(ticket.logoPng, Math.floor(p.dots * 0.6), 160);
    encoder.image(logo as unknown as ImageInput, logo.width, logo.height, 'threshold', 128);
  }
  centredLine(encoder, p, ticket.storeName, { bold: true, scale: 2 });
  if (ticket.header?.trim()) {
    for (const line of ticket.header.split('\n')) centredLine(encoder, p, line);
  }
  centredLine(encoder, p, ticket.serviceName, { bold: true });
  encoder.newline();
  centredLine(encoder, p, t(lang, 'ticket.yourNumber'));
  centredLine(encoder, p, ticket.ticket, { bold: true, scale: ticketScale(ticket.ticket, p) });
  encoder.newline();
  centredLine(encoder, p, labelled(lang, 'kiosk.peopleBeforeLabel', String(ticket.peopleBefore)));
  const wait = waitText(lang, ticket.peopleBefore, ticket.waitMinutes);
  centredLine(encoder, p, labelled(lang, 'kiosk.waitLabel', wait));
  centredLine(encoder, p, formatStoreTime(ticket.issuedAt, ticket.timeZone));
  encoder.newline();
  encoder.qrcode(ticket.qrPayload, { model: 2, size: p.qrModule, errorlevel: 'm' });
  const caption = ticket.qrOpensPage === false ? 'ticket.followOnScreen' : 'ticket.scanToFollow';
  centredLine(encoder, p, t(lang, caption));
  if (ticket.pager !== null) {
    encoder.newline();
    centredLine(encoder, p, t(lang, 'ticket.pager', { pager: ticket.pager }), {
      bold: true,
      scale: 2,
    });
  }
  if (ticket.footer.trim()) {
    encoder.newline();
    for (const line of ticket.footer.split('\n')) centredLine(encoder, p, line);
  }
  encoder.cut('partial');
  return finish(encoder);
}

/** The technician view's test page: store, device, time, every Latin test character, QR, cut. */
export function encodeTestPrint(input: TestPrintInfo, p: PrinterProfile): Uint8Array {
  const info = TestPrintInfoSchema.parse(input);
  const encoder = createEncoder(p).initialize().align('center');
  centredLine(encoder, p, t(info.lang, 'ticket.testTitle'), { bold: true, scale: 2 });
  centredLine(encoder, p, t(info.lang, 'ticket.testBody'));
  centredLine(encoder, p, info.storeName, { bold: true });
  centredLine(encoder, p, info.deviceName);
  centredLine(encoder, p, formatStoreTime(info.at ?? new Date().toISOString(), info.timeZone));
  encoder.newline();
  centredLine(encoder, p, 'é è ç œ å ä ö €');
  centredLine(encoder, p, `${p.id} ${p.paperWidth} mm`);
  encoder.qrcode(`LINEUP:TEST:${p.id}`, { model: 2, size: p.qrModule, errorlevel: 'm' });
  encoder.cut('partial');
  return finish(encoder);
}
