import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatTicket,
  isValidTimeZone,
  nextFreeNumber,
  parseTicket,
  reserveRange,
  storeDay,
  type NumberRange,
} from '../../../shared/domain/numbering.js';

const HOUR = 3_600_000;

describe('store day', () => {
  it('turns at the store’s local midnight, not at UTC midnight', () => {
    // Paris is UTC+1 in winter, UTC+2 in summer.
    expect(storeDay(new Date('2025-03-09T22:59:59Z'), 'Europe/Paris')).toBe('2025-03-09');
    expect(storeDay(new Date('2025-03-09T23:00:00Z'), 'Europe/Paris')).toBe('2025-03-10');
    expect(storeDay(new Date('2025-07-01T21:59:59Z'), 'Europe/Paris')).toBe('2025-07-01');
    expect(storeDay(new Date('2025-07-01T22:00:00Z'), 'Europe/Paris')).toBe('2025-07-02');
    // West of UTC the local day lags behind.
    expect(storeDay(new Date('2025-01-15T03:00:00Z'), 'America/New_York')).toBe('2025-01-14');
  });

  it('refuses an unknown time zone with a clear error', () => {
    expect(() => storeDay(new Date(), 'Mars/Olympus')).toThrow(/Unknown time zone "Mars\/Olympus"/);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Europe/Stockholm')).toBe(true);
  });

  it('property: in zones with a fixed offset the day is the shifted UTC date', () => {
    const zones: [string, number][] = [
      ['UTC', 0],
      ['Asia/Kolkata', 5.5],
      ['Asia/Tokyo', 9],
      ['America/Sao_Paulo', -3],
      ['Pacific/Kiritimati', 14],
    ];
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2021-01-01T00:00:00Z'),
          max: Date.parse('2030-12-31T00:00:00Z'),
        }),
        fc.constantFrom(...zones),
        (ms, [zone, offset]) =>
          storeDay(new Date(ms), zone) === new Date(ms + offset * HOUR).toISOString().slice(0, 10),
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('ticket numbers', () => {
  it('formats and parses A12', () => {
    expect(formatTicket('A', 12)).toBe('A12');
    expect(formatTicket('', 7)).toBe('7');
    expect(parseTicket('a12')).toEqual({ prefix: 'A', number: 12 });
    expect(parseTicket('A0')).toBeNull();
    expect(parseTicket('hello')).toBeNull();
  });

  it('skips blocks reserved for offline kiosks, including adjacent ones', () => {
    expect(nextFreeNumber(0, [])).toBe(1);
    expect(nextFreeNumber(4, [{ first: 5, last: 9 }])).toBe(10);
    expect(
      nextFreeNumber(4, [
        { first: 10, last: 14 },
        { first: 5, last: 9 },
      ]),
    ).toBe(15);
    expect(nextFreeNumber(20, [{ first: 5, last: 9 }])).toBe(21);
  });

  it('reserves a block after everything issued and reserved', () => {
    expect(reserveRange(3, [{ first: 4, last: 8 }], 10)).toEqual({ first: 9, last: 18 });
    expect(() => reserveRange(0, [], 0)).toThrow(RangeError);
  });

  it('property: numbers are unique per store, prefix and local day, across midnight and with offline blocks', () => {
    const ops = fc.array(
      fc.record({
        advanceMin: fc.integer({ min: 0, max: 240 }),
        prefix: fc.constantFrom('A', 'B', 'P'),
        kind: fc.constantFrom('hub', 'hub', 'hub', 'reserve', 'offline'),
        size: fc.integer({ min: 1, max: 5 }),
      }),
      { maxLength: 120 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'),
        // Start a few hours before a local midnight so the walk crosses it.
        fc.integer({
          min: Date.parse('2025-03-28T18:00:00Z'),
          max: Date.parse('2025-03-31T06:00:00Z'),
        }),
        ops,
        (zone, start, steps) => {
          let now = start;
          const last = new Map<string, number>(); // prefix|day → last number the hub issued
          const blocks = new Map<string, NumberRange[]>(); // prefix|day → reserved blocks
          const offlineNext = new Map<NumberRange, number>();
          const issued = new Set<string>();
          for (const s of steps) {
            now += s.advanceMin * 60_000;
            const day = storeDay(new Date(now), zone);
            const key = `${s.prefix}|${day}`;
            const reserved = blocks.get(key) ?? [];
            let n: number | null = null;
            if (s.kind === 'hub') {
              n = nextFreeNumber(last.get(key) ?? 0, reserved);
              last.set(key, n);
            } else if (s.kind === 'reserve') {
              reserved.push(reserveRange(last.get(key) ?? 0, reserved, s.size));
              blocks.set(key, reserved);
            } else {
              const block = reserved.find((b) => (offlineNext.get(b) ?? b.first) <= b.last);
              if (block !== undefined) {
                n = offlineNext.get(block) ?? block.first;
                offlineNext.set(block, n + 1);
              }
            }
            if (n !== null) {
              const ticket = `${key}|${formatTicket(s.prefix, n)}`;
              if (issued.has(ticket)) return false;
              issued.add(ticket);
            }
          }
          return true;
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
