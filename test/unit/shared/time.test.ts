import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatZoned, parseZoned } from '../../../shared/domain/time.js';

describe('store wall-clock times', () => {
  it('reads and writes local times, across DST', () => {
    expect(parseZoned('2025-01-15 10:30', 'Europe/Paris')?.toISOString()).toBe(
      '2025-01-15T09:30:00.000Z',
    );
    expect(parseZoned('2025-07-15 10:30', 'Europe/Paris')?.toISOString()).toBe(
      '2025-07-15T08:30:00.000Z',
    );
    expect(parseZoned('2019-12-23 17:08:46', 'Europe/Lisbon')?.toISOString()).toBe(
      '2019-12-23T17:08:46.000Z',
    );
    expect(formatZoned(new Date('2025-07-15T08:30:00Z'), 'Europe/Paris')).toBe('2025-07-15 10:30');
    expect(formatZoned(new Date('2025-07-15T08:30:05Z'), 'Asia/Kolkata', true)).toBe(
      '2025-07-15 14:00:05',
    );
    // Spring gap (02:30 does not exist in Paris on 2025-03-30) and autumn overlap (earlier one).
    expect(parseZoned('2025-03-30 02:30', 'Europe/Paris')?.toISOString()).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    expect(parseZoned('2025-10-26 02:30', 'Europe/Paris')?.toISOString()).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    expect(parseZoned('2025-02-30 10:00', 'Europe/Paris')).toBeNull();
    expect(parseZoned('tomorrow', 'Europe/Paris')).toBeNull();
  });

  it('property: formatting then parsing gives the same minute back', () => {
    fc.assert(
      fc.property(
        fc.integer({
          min: Date.parse('2020-01-01T00:00:00Z'),
          max: Date.parse('2030-01-01T00:00:00Z'),
        }),
        fc.constantFrom(
          'Europe/Paris',
          'America/New_York',
          'Australia/Sydney',
          'Asia/Kolkata',
          'UTC',
        ),
        (ms, zone) => {
          const minute = Math.floor(ms / 60_000) * 60_000;
          const back = parseZoned(formatZoned(new Date(minute), zone), zone);
          // In an autumn overlap the wall clock is ambiguous: either instant is that wall time.
          return back !== null && formatZoned(back, zone) === formatZoned(new Date(minute), zone);
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });
});
