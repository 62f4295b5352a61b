// Pager transmitter protocols, pure: frames the host sends, replies the transmitter gives, pager
// number ↔ capcode. The driver (pager.ts) runs them over a serial link; the simulator
// (sim/pager-sim.ts) uses the request parsers to play the transmitter.
//
// Sources: TAP 1.8 (Telocator Alphanumeric Protocol: login, STX blocks with a 3-char checksum,
// ACK/NAK/RS); WaveWare SPS-5 manual appendices G (WaveWare: <SOH>T,B,capcode,<STX>msg<ETX><EOT>,
// answered <SOH><ACK>…<EOT> or <SOH><NAK>EE<EOT>) and J (Scope: AF0001234Dmsg<CR>, answered
// "Page Queued Okay" or an error line); LRS T74 serial commands (PAGE,<id>,<systemId>,<msg>).
// JTECH follows the framing we were given (1200 8N1, FF FF FF, function, capcode, separator,
// message, CR; ACK 06 / NAK 15): check field details against the transmitter's manual on site.

export type PagerProtocolName = 'jtech' | 'waveware' | 'tap' | 'lrs';

export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ACK = 0x06;
export const NAK = 0x15;
export const RS = 0x1e;
export const CR = 0x0d;
export const LF = 0x0a;
export const ESC = 0x1b;

export interface SerialDefaults {
  baudRate: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export const SERIAL_DEFAULTS: Record<PagerProtocolName, SerialDefaults> = {
  jtech: { baudRate: 1200, dataBits: 8, parity: 'none', stopBits: 1 },
  waveware: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  tap: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  lrs: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
};

export interface CapcodeOptions {
  /** POCSAG address of pager 0 (jtech, waveware). */
  capcodeBase?: number;
  /** Address step between pagers (8 keeps each pager in its own POCSAG frame). */
  capcodeStep?: number;
  /** LRS restaurant / system id (0..13 use LRS's documented formula). */
  systemId?: number;
}

const MAX_CAPCODE = 2_097_151; // 21-bit POCSAG address

/** Pager number → capcode (the address the radio sends) for the protocols that need one. */
export function capcodeFor(
  protocol: PagerProtocolName,
  pagerNumber: number,
  options: CapcodeOptions = {},
): number {
  if (!Number.isInteger(pagerNumber) || pagerNumber < 0 || pagerNumber > 99999) {
    throw new RangeError(`pager number must be 0..99999, got ${pagerNumber}`);
  }
  let capcode: number;
  if (protocol === 'lrs') {
    const systemId = options.systemId ?? 0;
    if (systemId < 0 || systemId > 13) throw new RangeError('LRS system id must be 0..13 here');
    capcode = 100_000 * systemId + 700_000 + 8 * pagerNumber;
  } else if (protocol === 'tap') {
    return pagerNumber; // TAP sends a PIN: the transmitter holds PIN → capcode
  } else if (protocol === 'jtech') {
    // JTECH transmitters address guest pagers by their own number (7-digit field), not POCSAG.
    capcode = (options.capcodeBase ?? 0) + pagerNumber * (options.capcodeStep ?? 1);
    if (capcode > 9_999_999) throw new RangeError(`JTECH pager address ${capcode} is too large`);
    return capcode;
  } else {
    capcode = (options.capcodeBase ?? 0) + pagerNumber * (options.capcodeStep ?? 8);
  }
  if (capcode < 8 || capcode > MAX_CAPCODE)
    throw new RangeError(`capcode ${capcode} is outside POCSAG's range`);
  return capcode;
}

/** Capcode → pager number (inverse of capcodeFor), or null when it is not one of ours. */
export function pagerNumberFor(
  protocol: PagerProtocolName,
  capcode: number,
  options: CapcodeOptions = {},
): number | null {
  let n: number;
  if (protocol === 'tap') n = capcode;
  else if (protocol === 'lrs') n = (capcode - 700_000 - 100_000 * (options.systemId ?? 0)) / 8;
  else
    n =
      (capcode - (options.capcodeBase ?? 0)) /
      (options.capcodeStep ?? (protocol === 'jtech' ? 1 : 8));
  return Number.isInteger(n) && n >= 0 && n <= 99999 ? n : null;
}

/** POCSAG alphanumeric is 7-bit ASCII: strip accents, replace the rest, cap the length. */
export function toPagerText(message: string, max = 80): string {
  return message
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, max);
}

const bytes = (...parts: (number | string | Uint8Array)[]): Uint8Array => {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p);
    else if (typeof p === 'string') for (const c of p) out.push(c.charCodeAt(0) & 0x7f);
    else out.push(...p);
  }
  return Uint8Array.from(out);
};

const pad7 = (n: number): string => String(n).padStart(7, '0');

// ---------------------------------------------------------------- JTECH
export const JTECH_SEPARATOR = 0x2c; // ','

/** FF FF FF, function ('1'..'4' alert pattern), 7-digit capcode, separator, message, CR. */
export function encodeJtech(capcode: number, message: string, alert = 1): Uint8Array {
  return bytes(
    0xff,
    0xff,
    0xff,
    String(alert),
    pad7(capcode),
    JTECH_SEPARATOR,
    toPagerText(message),
    CR,
  );
}

export interface ParsedPage {
  capcode: number;
  message: string;
  /** Protocol detail: alert function, message type... */
  kind: string;
}

// ---------------------------------------------------------------- WaveWare / Scope
/** WaveWare format 2: <SOH>T,B,capcode,<STX>message<ETX><EOT> (T: A alpha or 1-4 beeps; B: 1 = 1200 bps). */
export function encodeWaveware(
  capcode: number,
  message: string,
  rate: '5' | '1' | '2' = '1',
): Uint8Array {
  const text = toPagerText(message, 512);
  return text
    ? bytes(SOH, `A,${rate},${pad7(capcode)},`, STX, text, ETX, EOT)
    : bytes(SOH, `2,${rate},${pad7(capcode)}`, EOT);
}

/** Scope: A (alpha) F (1200 bps) capcode(7) D (function: A..D) message CR. */
export function encodeScope(
  capcode: number,
  message: string,
  beeps: 'A' | 'B' | 'C' | 'D' = 'B',
): Uint8Array {
  return bytes(`AF${pad7(capcode)}${beeps}`, toPagerText(message, 512), CR);
}

// ---------------------------------------------------------------- TAP 1.8
/** TAP checksum: 7-bit sum of STX..ETX, low 12 bits as three nibbles + 0x30. */
export function tapChecksum(block: Uint8Array): string {
  let sum = 0;
  for (const b of block) sum += b & 0x7f;
  sum &= 0xfff;
  return String.fromCharCode(
    0x30 + ((sum >> 8) & 0xf),
    0x30 + ((sum >> 4) & 0xf),
    0x30 + (sum & 0xf),
  );
}

/** STX pagerId CR message CR ETX checksum CR. */
export function encodeTapBlock(pagerId: string, message: string): Uint8Array {
  const body = bytes(STX, pagerId, CR, toPagerText(message, 240), CR, ETX);
  return bytes(body, tapChecksum(body), CR);
}

export const TAP_WAKE = bytes(CR);
export const TAP_LOGIN = bytes(ESC, 'PG1', CR);
export const TAP_LOGOUT = bytes(EOT, CR);

// ---------------------------------------------------------------- LRS
export function encodeLrs(pagerNumber: number, systemId: number, message: string): Uint8Array {
  // The T74 treats commas as field separators: keep them out of the text.
  return bytes(`PAGE,${pagerNumber},${systemId},${toPagerText(message).replace(/,/g, ' ')}`, CR);
}

// ---------------------------------------------------------------- replies (host side)
export type Reply = { result: 'ack' | 'nak'; detail: string; consumed: number } | null;

const text = (b: Uint8Array): string => String.fromCharCode(...b);

/** ACK / NAK as single bytes (JTECH). */
export function parseByteReply(buf: Uint8Array): Reply {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === ACK) return { result: 'ack', detail: 'ACK', consumed: i + 1 };
    if (buf[i] === NAK) return { result: 'nak', detail: 'NAK', consumed: i + 1 };
  }
  return null;
}

const WAVEWARE_ERRORS: Record<string, string> = {
  '01': 'invalid message type',
  '02': 'invalid data rate',
  '03': 'invalid capcode',
  '04': 'input buffer overflow',
  '05': 'paging buffer overflow',
  '08': 'invalid command format',
};

/** WaveWare answers with the echo then <SOH><ACK>…<EOT> or <SOH><NAK>EE<EOT>. */
export function parseWavewareReply(buf: Uint8Array): Reply {
  for (let i = 0; i + 1 < buf.length; i++) {
    if (buf[i] !== SOH || (buf[i + 1] !== ACK && buf[i + 1] !== NAK)) continue;
    const end = buf.indexOf(EOT, i + 2);
    if (end === -1) return null;
    const detail = text(buf.subarray(i + 2, end));
    if (buf[i + 1] === ACK) return { result: 'ack', detail, consumed: end + 1 };
    return {
      result: 'nak',
      detail: WAVEWARE_ERRORS[detail.slice(0, 2)] ?? `error ${detail}`,
      consumed: end + 1,
    };
  }
  return null;
}

/** Line-based replies (Scope, LRS): a line with "Okay"/"OK" acks, "Error"/"ERR" or NAK naks. */
export function parseLineReply(buf: Uint8Array): Reply {
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === ACK) return { result: 'ack', detail: 'ACK', consumed: i + 1 };
    if (buf[i] === NAK && !buf.subarray(0, i).includes(CR))
      return { result: 'nak', detail: 'NAK', consumed: i + 1 };
  }
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] !== CR && buf[i] !== LF) continue;
    const line = text(buf.subarray(start, i))
      // eslint-disable-next-line no-control-regex -- the protocol's framing bytes
      .replace(/[\x00-\x1f]/g, '')
      .trim();
    start = i + 1;
    if (!line) continue;
    if (/\b(ok|okay)\b/i.test(line)) return { result: 'ack', detail: line, consumed: i + 1 };
    if (/^(error|err)\b/i.test(line) || /error/i.test(line))
      return { result: 'nak', detail: line, consumed: i + 1 };
  }
  return null;
}

// ---------------------------------------------------------------- requests (simulator side)
export type ParsedRequest = { page: ParsedPage; consumed: number } | { garbage: number } | null;

/** Finds one host frame at the start of buf (skipping noise); null when more bytes are needed. */
export function parseJtechRequest(buf: Uint8Array): ParsedRequest {
  const start = buf.findIndex((b, i) => b === 0xff && buf[i + 1] === 0xff && buf[i + 2] === 0xff);
  if (start === -1) return buf.length > 2 ? { garbage: buf.length - 2 } : null;
  if (start > 0) return { garbage: start };
  const end = buf.indexOf(CR, 3);
  if (end === -1) return buf.length > 1024 ? { garbage: 3 } : null;
  const body = text(buf.subarray(3, end));
  const m = /^([0-9])(\d{7}),(.*)$/s.exec(body);
  if (!m) return { garbage: end + 1 };
  return {
    page: { capcode: Number(m[2]), message: m[3] ?? '', kind: `alert ${m[1]}` },
    consumed: end + 1,
  };
}

export function parseWavewareRequest(buf: Uint8Array): ParsedRequest {
  const start = buf.indexOf(SOH);
  if (start === -1) return buf.length ? { garbage: buf.length } : null;
  if (start > 0) return { garbage: start };
  const end = buf.indexOf(EOT, 1);
  if (end === -1) return buf.length > 1024 ? { garbage: 1 } : null;
  const body = text(buf.subarray(1, end));
  // eslint-disable-next-line no-control-regex -- the protocol's framing bytes
  const m = /^([AN1-4]),?([512]),?(\d{1,7}),?(?:\x02([^\x03]*)\x03)?$/s.exec(body);
  if (!m) return { garbage: end + 1 };
  return {
    page: {
      capcode: Number(m[3]),
      message: m[4] ?? '',
      kind: m[1] === 'A' ? 'alpha' : `beeps ${m[1]}`,
    },
    consumed: end + 1,
  };
}

export function parseScopeRequest(buf: Uint8Array): ParsedRequest {
  const end = buf.indexOf(CR);
  if (end === -1) return buf.length > 1024 ? { garbage: buf.length } : null;
  const m = /^([AN])([NFS])(\d{7})([A-D])(.*)$/s.exec(
    text(buf.subarray(0, end)).replace(/^[\r\n]+/, ''),
  );
  if (!m) return { garbage: end + 1 };
  return {
    page: { capcode: Number(m[3]), message: m[5] ?? '', kind: `beeps ${m[4]}` },
    consumed: end + 1,
  };
}

export function parseLrsRequest(buf: Uint8Array): ParsedRequest {
  const end = buf.indexOf(CR);
  if (end === -1) return buf.length > 1024 ? { garbage: buf.length } : null;
  const line = text(buf.subarray(0, end)).replace(/^[\r\n]+/, '');
  const m = /^PAGE,(\d{1,5}),(\d{1,3}),(.*)$/s.exec(line);
  if (!m) return { garbage: end + 1 };
  const systemId = Number(m[2]);
  const id = Number(m[1]);
  return {
    page: {
      capcode: systemId <= 13 ? capcodeFor('lrs', id, { systemId }) : id,
      message: m[3] ?? '',
      kind: `system ${systemId}`,
    },
    consumed: end + 1,
  };
}

/** A TAP block from the host: returns the pager id, message and whether its checksum is right. */
export function parseTapBlock(
  buf: Uint8Array,
): { pagerId: string; message: string; checksumOk: boolean; consumed: number } | null {
  const start = buf.indexOf(STX);
  if (start === -1) return null;
  const etx = buf.indexOf(ETX, start);
  if (etx === -1 || buf.length < etx + 5) return null;
  const body = buf.subarray(start, etx + 1);
  const fields = text(body.subarray(1, body.length - 1)).split('\r');
  const checksum = text(buf.subarray(etx + 1, etx + 4));
  return {
    pagerId: fields[0] ?? '',
    message: fields[1] ?? '',
    checksumOk: checksum === tapChecksum(body),
    consumed: etx + 5,
  };
}
