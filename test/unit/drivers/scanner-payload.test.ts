// shared/scanner: what a scanned code means, and keyboard-wedge detection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createWedgeDetector,
  formatLineupAppointmentQr,
  formatLineupTicketQr,
  formatTicketPageUrl,
  parseScanPayload,
  ticketPageBase,
} from '../../../shared/scanner/index.js';
import type { WedgeOutcome } from '../../../shared/scanner/index.js';

describe('parseScanPayload', () => {
  it('reads the Ombori check-in payload', () => {
    expect(
      parseScanPayload(
        '{"type":"check-in-position","positionId":"ce4a66df-51ff-47af-bf5e-4e26f82d266b"}\r\n',
      ),
    ).toEqual({
      ok: true,
      payload: { kind: 'ombori-check-in', positionId: 'ce4a66df-51ff-47af-bf5e-4e26f82d266b' },
    });
  });

  it('reads Lineup ticket and appointment codes, and partner appointment ids', () => {
    expect(parseScanPayload('LINEUP:1:demo-store:cust_9:A12')).toEqual({
      ok: true,
      payload: {
        kind: 'lineup-ticket',
        version: 1,
        storeId: 'demo-store',
        customerId: 'cust_9',
        ticket: 'A12',
      },
    });
    expect(parseScanPayload('LINEUP:APPT:demo-store:c1')).toEqual({
      ok: true,
      payload: { kind: 'lineup-appointment', storeId: 'demo-store', customerId: 'c1' },
    });
    expect(parseScanPayload('APPT-20260301-0042')).toEqual({
      ok: true,
      payload: { kind: 'appointment', externalId: '20260301-0042' },
    });
  });

  it.each([
    ['', /empty/],
    ['   \r\n', /empty/],
    ['x'.repeat(600), /too long/],
    ['{"type":"check-in-position"', /not valid JSON/],
    ['{"type":"coupon","id":1}', /unknown code type "coupon"/],
    ['{"type":"check-in-position","positionId":"a b"}', /positionId/],
    ['{"positionId":"x"}', /without a type/],
    ['LINEUP:2:s:c:A1', /version "2"/],
    ['LINEUP:1:s:c', /number of fields/],
    ['LINEUP:1:s t:c:A1', /store id/],
    ['LINEUP:1:s:c:A 1', /ticket number/],
    ['APPT-x', /bad id/],
    ['hello\u0007world', /control characters/],
    ['https://example.com', /not a Lineup/],
    ['\u00ff\u00fe\ufffd', /not a Lineup/],
  ])('refuses %j with a reason', (input, reason) => {
    const result = parseScanPayload(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads back every ticket QR the kiosk prints (round trip)', () => {
    const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(
        id,
        id,
        fc.stringMatching(/^[A-Z]{0,3}[0-9]{1,5}$/),
        (storeId, customerId, ticket) => {
          expect(parseScanPayload(formatLineupTicketQr({ storeId, customerId, ticket }))).toEqual({
            ok: true,
            payload: { kind: 'lineup-ticket', version: 1, storeId, customerId, ticket },
          });
          expect(
            parseScanPayload(formatLineupAppointmentQr({ storeId, customerId })),
          ).toMatchObject({ ok: true });
        },
      ),
      { seed: 41, numRuns: 200 },
    );
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 1200, unit: 'binary' }), (s) => {
        const r = parseScanPayload(s);
        expect(typeof r.ok).toBe('boolean');
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe("the ticket page URL (the printed ticket's QR)", () => {
  const MAC = 'Ab3_-x'.padEnd(27, 'Q');
  const TOKEN = `cust_9.${MAC}`;
  const HUB = 'https://hub.store.example';

  it('reads the ticket page of this hub as a reference to the ticket', () => {
    for (const url of [
      `${HUB}/t/${TOKEN}`,
      `HTTPS://HUB.Store.Example/t/${TOKEN}`,
      `${HUB}:443/t/${TOKEN}/`,
      `${HUB}/t/${TOKEN}\r\n`,
    ])
      expect(parseScanPayload(url, { hubUrl: `${HUB}/` }), url).toEqual({
        ok: true,
        payload: { kind: 'lineup-ticket-page', hub: HUB, customerId: 'cust_9', token: TOKEN },
      });
    expect(parseScanPayload(`http://127.0.0.1:39435/t/${TOKEN}`)).toMatchObject({
      ok: true,
      payload: { hub: 'http://127.0.0.1:39435', customerId: 'cust_9' },
    });
    expect(parseScanPayload(`http://[::1]:8080/lineup/t/${TOKEN}`)).toMatchObject({
      ok: true,
      payload: { hub: 'http://[::1]:8080/lineup' },
    });
  });

  it.each([
    [`https://hub.store.example.evil.test/t/${TOKEN}`, /another site/],
    [`https://evil.test/t/${TOKEN}`, /another site/],
    [`http://hub.store.example/t/${TOKEN}`, /another site/],
    [`https://hub.store.example:8443/t/${TOKEN}`, /another site/],
    [`https://hub.store.example/other/t/${TOKEN}`, /another site/],
    [`https://hub.store.example@evil.test/t/${TOKEN}`, /not a Lineup ticket page/],
    [`https://evil.test\\@hub.store.example/t/${TOKEN}`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/${TOKEN}?next=https://evil.test`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/${TOKEN}#x`, /not a Lineup ticket page/],
    [`https://hub.store.example/T/${TOKEN}`, /not a Lineup ticket page/],
    [`https://hub.store.example/q/demo-store`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/cust_9.short`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/cust_9.${MAC}x`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/cust 9.${MAC}`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/.${MAC}`, /not a Lineup ticket page/],
    [`https://hub.store.example/t/${'a'.repeat(65)}.${MAC}`, /not a Lineup ticket page/],
    [`https://hub..example/t/${TOKEN}`, /bad host/],
    [`https://-hub.example/t/${TOKEN}`, /bad host/],
    [`https://hub.example:0/t/${TOKEN}`, /bad port/],
    [`https://hub.example:99999/t/${TOKEN}`, /bad port/],
    [`https://hub.example/../t/${TOKEN}`, /bad path/],
    [`ftp://hub.store.example/t/${TOKEN}`, /not a Lineup/],
    [`javascript:alert(1)//t/${TOKEN}`, /not a Lineup/],
  ])('refuses %j', (input, reason) => {
    const result = parseScanPayload(input, { hubUrl: HUB });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('reads back every page URL the kiosk prints, on this hub only (round trip)', () => {
    const hubs = fc.constantFrom(
      'http://127.0.0.1:39435',
      'https://hub.store.example/',
      'https://Queue.Example.COM:8443/lineup',
    );
    fc.assert(
      fc.property(
        hubs,
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{27}$/),
        (hubUrl, customerId, mac) => {
          const token = `${customerId}.${mac}`;
          const url = formatTicketPageUrl(hubUrl, token);
          expect(parseScanPayload(url, { hubUrl })).toEqual({
            ok: true,
            payload: { kind: 'lineup-ticket-page', hub: ticketPageBase(hubUrl), customerId, token },
          });
          expect(parseScanPayload(url, { hubUrl: 'https://elsewhere.example' }).ok).toBe(false);
        },
      ),
      { seed: 43, numRuns: 200 },
    );
  });

  it('still reads the Lineup payload of tickets printed before (or offline)', () => {
    expect(parseScanPayload('LINEUP:1:demo-store:cust_9:A12', { hubUrl: HUB })).toMatchObject({
      ok: true,
      payload: { kind: 'lineup-ticket', customerId: 'cust_9' },
    });
  });
});

const type = (
  detector: ReturnType<typeof createWedgeDetector>,
  text: string,
  gaps: number[],
  start = 1000,
): WedgeOutcome[] => {
  let t = start;
  return [...text].map((key, i) => {
    t += gaps[i % gaps.length] ?? 0;
    return detector.key({ key, timeMs: t });
  });
};

describe('createWedgeDetector', () => {
  it('takes a fast burst ending with Enter as a scan', () => {
    const d = createWedgeDetector();
    const outcomes = type(d, 'LINEUP:1:s:c:A12', [8]);
    expect(outcomes.every((o) => o.kind === 'pending')).toBe(true);
    expect(d.key({ key: 'Enter', timeMs: 1000 + 8 * 17 })).toEqual({
      kind: 'scan',
      text: 'LINEUP:1:s:c:A12',
    });
  });

  it('takes a person typing as typing, even ending with Enter', () => {
    const d = createWedgeDetector();
    type(d, 'A12B', [140, 90, 210]);
    expect(d.key({ key: 'Enter', timeMs: 5000 })).toEqual({ kind: 'typing', text: 'A12B' });
  });

  it('ignores Shift (scanners press it for capitals) and respects the minimum length', () => {
    const d = createWedgeDetector({ minLength: 4 });
    expect(d.key({ key: 'Shift', timeMs: 1 })).toEqual({ kind: 'ignored' });
    type(d, 'A1', [5], 0);
    expect(d.key({ key: 'Enter', timeMs: 12 })).toEqual({ kind: 'typing', text: 'A1' });
  });

  it('works with a Tab suffix, and without suffix through flush()', () => {
    const tab = createWedgeDetector({ suffix: 'Tab' });
    type(tab, 'APPT-1234', [6]);
    expect(tab.key({ key: 'Tab', timeMs: 1000 + 60 })).toEqual({ kind: 'scan', text: 'APPT-1234' });
    const none = createWedgeDetector({ suffix: 'none', idleMs: 50 });
    type(none, 'APPT-9999', [6]);
    expect(none.flush(1000 + 54 + 10)).toEqual({ kind: 'pending' });
    expect(none.flush(1000 + 54 + 60)).toEqual({ kind: 'scan', text: 'APPT-9999' });
  });

  it('refuses an endless burst', () => {
    const d = createWedgeDetector({ maxLength: 20 });
    const outcomes = type(d, 'x'.repeat(25), [2]);
    expect(outcomes).toContainEqual({
      kind: 'rejected',
      reason: 'burst longer than 20 characters',
    });
  });

  it('property: bursts with ≤ 30 ms gaps are scans, runs with a ≥ 60 ms gap are not', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9:-]{4,60}$/),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 60, max: 2000 }),
        fc.nat(),
        (code, fastGaps, slowGap, where) => {
          const d = createWedgeDetector();
          type(d, code, fastGaps);
          const last =
            1000 + [...code].reduce((sum, _, i) => sum + (fastGaps[i % fastGaps.length] ?? 0), 0);
          expect(d.key({ key: 'Enter', timeMs: last + 10 })).toMatchObject({
            kind: 'scan',
            text: code,
          });
          const gaps = [...code].map((_, i) =>
            i === 1 + (where % (code.length - 1)) ? slowGap : 10,
          );
          let t = 0;
          for (const [i, key] of [...code].entries()) d.key({ key, timeMs: (t += gaps[i] ?? 0) });
          expect(d.key({ key: 'Enter', timeMs: t + 10 }).kind).toBe('typing');
        },
      ),
      { seed: 43, numRuns: 200 },
    );
  });
});
