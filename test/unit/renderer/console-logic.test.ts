// The hub console's pure pieces: hash routes and the store's day.
import { describe, expect, it } from 'vitest';
import { storeToday } from '../../../renderer/console/days.js';
import { parseRoute, routeHref } from '../../../renderer/console/router.js';

describe('console routes', () => {
  it('reads the page and the store from the hash', () => {
    expect(parseRoute('')).toEqual({ page: 'stores', storeId: null });
    expect(parseRoute('#/')).toEqual({ page: 'stores', storeId: null });
    expect(parseRoute('#/fleet')).toEqual({ page: 'fleet', storeId: null });
    expect(parseRoute('#/stats?store=demo-store')).toEqual({
      page: 'stats',
      storeId: 'demo-store',
    });
    expect(parseRoute('#/signin')).toEqual({ page: 'signin', storeId: null });
    expect(parseRoute('#/admin/../etc')).toEqual({ page: 'unknown', storeId: null });
  });

  it('writes links that read back the same', () => {
    for (const page of ['stores', 'waiting', 'fleet', 'setup', 'queue', 'stats'] as const)
      for (const storeId of [null, 'demo-store', 'a b&c']) {
        expect(parseRoute(routeHref(page, storeId))).toEqual({ page, storeId });
      }
  });
});

describe("the store's day", () => {
  it('is the day in the store zone, not UTC', () => {
    const lateUtc = new Date('2026-03-01T23:30:00Z');
    expect(storeToday('Europe/Paris', lateUtc)).toBe('2026-03-02');
    expect(storeToday('America/New_York', lateUtc)).toBe('2026-03-01');
    expect(storeToday('Not/AZone', lateUtc)).toBe('2026-03-01');
  });
});
