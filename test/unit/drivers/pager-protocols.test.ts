// Pager protocols byte for byte (frames written from the protocol descriptions).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capcodeFor,
  encodeJtech,
  encodeLrs,
  encodeScope,
  encodeTapBlock,
  encodeWaveware,
  pagerNumberFor,
  parseJtechRequest,
  parseLineReply,
  parseTapBlock,
  parseWavewareReply,
  parseWavewareRequest,
  tapChecksum,
  toPagerText,
} from '../../../drivers/pager/protocols.js';
import type { PagerProtocolName } from '../../../drivers/pager/protocols.js';

const a = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe('frames', () => {
  it('JTECH: FF FF FF, function, capcode, separator, message, CR', () => {
    expect([...encodeJtech(12, 'A12')]).toEqual([
      0xff,
      0xff,
      0xff,
      ...a('1'),
      ...a('0000012'),
      0x2c,
      ...a('A12'),
      0x0d,
    ]);
  });

  it('WaveWare: <SOH>A,1,capcode,<STX>msg<ETX><EOT>; beeps only without text', () => {
    expect([...encodeWaveware(46180, 'Hi')]).toEqual([
      0x01,
      ...a('A,1,0046180,'),
      0x02,
      ...a('Hi'),
      0x03,
      0x04,
    ]);
    expect([...encodeWaveware(145678, '')]).toEqual([0x01, ...a('2,1,0145678'), 0x04]);
  });

  it('Scope: AF + 7-digit capcode + beep code + message + CR', () => {
    expect([...encodeScope(46180, 'This is a test')]).toEqual([
      ...a('AF0046180B'),
      ...a('This is a test'),
      0x0d,
    ]);
  });

  it('TAP: the textbook block "123" / "ABC" has checksum 17;', () => {
    const body = Uint8Array.from([0x02, ...a('123'), 0x0d, ...a('ABC'), 0x0d, 0x03]);
    expect(tapChecksum(body)).toBe('17;');
    expect([...encodeTapBlock('123', 'ABC')]).toEqual([...body, ...a('17;'), 0x0d]);
  });

  it('LRS: PAGE,id,system,message CR (commas kept out of the text)', () => {
    expect(String.fromCharCode(...encodeLrs(105, 4, 'Hello, world!'))).toBe(
      'PAGE,105,4,Hello  world!\r',
    );
  });

  it('pager text is 7-bit ASCII: accents stripped, others replaced, capped', () => {
    expect(toPagerText('Café à Malmö — ok')).toBe('Cafe a Malmo ? ok');
    expect(toPagerText('x'.repeat(200)).length).toBe(80);
  });
});

describe('capcodes', () => {
  it('LRS uses its documented formula (pager 23, system 3 → 1000184)', () => {
    expect(capcodeFor('lrs', 23, { systemId: 3 })).toBe(1_000_184);
    expect(capcodeFor('lrs', 10, { systemId: 1 })).toBe(800_080);
  });

  it('refuses pager numbers and capcodes out of range', () => {
    expect(() => capcodeFor('jtech', -1)).toThrow(RangeError);
    expect(() => capcodeFor('waveware', 0)).toThrow(/range/); // capcodes 0-7 are invalid
    expect(() => capcodeFor('waveware', 1.5)).toThrow(RangeError);
  });

  it('pager number ↔ capcode round-trips for every protocol', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<PagerProtocolName>('jtech', 'waveware', 'tap', 'lrs'),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        (protocol, n, systemId) => {
          const options = { systemId, capcodeBase: 1000 };
          expect(pagerNumberFor(protocol, capcodeFor(protocol, n, options), options)).toBe(n);
        },
      ),
      { seed: 21, numRuns: 300 },
    );
  });
});

describe('replies and requests', () => {
  it('WaveWare ACK after the echo, NAK with its error code explained', () => {
    const echo = encodeWaveware(46180, 'Hi');
    const ack = Uint8Array.from([...echo, 0x01, 0x06, ...a('V8.01,00,0,1,1A'), 0x04]);
    expect(parseWavewareReply(ack)).toMatchObject({ result: 'ack', consumed: ack.length });
    const nak = Uint8Array.from([0x01, 0x15, ...a('03'), 0x04]);
    expect(parseWavewareReply(nak)).toMatchObject({ result: 'nak', detail: 'invalid capcode' });
    expect(parseWavewareReply(Uint8Array.from([0x01, 0x06, 0x41]))).toBeNull(); // incomplete
  });

  it('line replies: "Page Queued Okay" acks, "Error – ..." naks', () => {
    expect(parseLineReply(Uint8Array.from(a('Page Queued Okay\r\n')))).toMatchObject({
      result: 'ack',
    });
    expect(parseLineReply(Uint8Array.from(a('Error - Invalid Pager ID\r\n')))).toMatchObject({
      result: 'nak',
    });
    expect(parseLineReply(Uint8Array.from(a('Page Qu')))).toBeNull();
  });

  it('simulator parsers read back what the encoders write, and skip noise', () => {
    const noisy = Uint8Array.from([0x00, 0x41, ...encodeJtech(12, 'A12')]);
    expect(parseJtechRequest(noisy)).toEqual({ garbage: 2 });
    expect(parseJtechRequest(noisy.subarray(2))).toMatchObject({
      page: { capcode: 12, message: 'A12' },
    });
    expect(parseWavewareRequest(encodeWaveware(800, 'Hej'))).toMatchObject({
      page: { capcode: 800, message: 'Hej' },
    });
    const block = parseTapBlock(encodeTapBlock('42', 'Your turn'));
    expect(block).toMatchObject({ pagerId: '42', message: 'Your turn', checksumOk: true });
    const bad = encodeTapBlock('42', 'Your turn');
    bad[3] = 0x39; // corrupt a byte
    expect(parseTapBlock(bad)?.checksumOk).toBe(false);
  });

  it('never throw on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        parseJtechRequest(bytes);
        parseWavewareRequest(bytes);
        parseWavewareReply(bytes);
        parseLineReply(bytes);
        parseTapBlock(bytes);
      }),
      { seed: 22, numRuns: 300 },
    );
  });
});
