// The console's statistics against numbers computed by hand from a small day of log.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeStats,
  csvField,
  logWindow,
  percentile,
  statsCsv,
  statsEntriesOf,
  type StatsInput,
} from '../../../cloud/console/statistics.js';
import { CustomerSchema, type Customer } from '../../../shared/domain/entities.js';
import type { Change, ChangeEvent } from '../../../shared/protocol/sync.js';

let seq = 0;
function customer(fields: Partial<Customer> & Pick<Customer, 'id' | 'serviceId'>): Customer {
  return CustomerSchema.parse({
    storeId: 's',
    servicePath: [fields.serviceId],
    machineId: null,
    lang: 'EN',
    registeredBy: 'kiosk',
    contactMode: 'anonymous',
    state: 'waiting',
    ticketPrefix: 'A',
    ticketNumber: 1,
    ticketDay: '2026-03-10',
    ticket: 'A1',
    registeredAt: '2026-03-10T09:00:00.000Z',
    sortAt: '2026-03-10T09:00:00.000Z',
    arrivalSeq: 1,
    updatedAt: '2026-03-10T09:00:00.000Z',
    ...fields,
  });
}
const change = (event: ChangeEvent, c: Customer, at: string): Change => ({
  storeId: 's',
  epoch: 'e',
  seq: ++seq,
  at,
  origin: 'test',
  commandId: null,
  event,
  entity: { kind: 'customer', customer: c },
});

/** One customer's story: its record after each event, in log order. */
function story(base: Customer, steps: [ChangeEvent, string, Partial<Customer>][]): Change[] {
  let c = base;
  const out = [change('registered', c, c.registeredAt)];
  for (const [event, at, fields] of steps) {
    c = { ...c, ...fields, updatedAt: at };
    out.push(change(event, c, at));
  }
  return out;
}

const T = (hm: string) => `2026-03-10T${hm}:00.000Z`;
const c1 = customer({ id: 'c1', serviceId: 'S1', registeredAt: T('09:00') });
const c2 = customer({ id: 'c2', serviceId: 'S1', registeredAt: T('09:10') });
const c3 = customer({ id: 'c3', serviceId: 'S2', registeredAt: T('10:00') });
const c4 = customer({ id: 'c4', serviceId: 'S2', registeredAt: T('10:20') });
const c5 = customer({ id: 'c5', serviceId: 'S2', state: 'booked', registeredAt: T('08:00') });
const c6 = customer({
  id: 'c6',
  serviceId: 'S1',
  ticketDay: '2026-03-11',
  registeredAt: '2026-03-11T09:00:00.000Z',
});

// Interleaved as a real day would be (log order is time order).
const day: Change[] = [
  ...story(c5, []),
  ...story(c1, [
    ['called', T('09:04'), { state: 'called', calledAt: T('09:04'), deskId: 'D1' }],
    ['serving', T('09:05'), { state: 'serving', servingAt: T('09:05') }],
    ['done', T('09:15'), { state: 'done', finishedAt: T('09:15') }],
  ]),
  ...story(c2, [
    ['called', T('09:30'), { state: 'called', calledAt: T('09:30'), deskId: 'D2' }],
    ['no_show', T('09:35'), { state: 'no_show', finishedAt: T('09:35') }],
  ]),
  ...story(c3, [['cancelled', T('10:05'), { state: 'cancelled', finishedAt: T('10:05') }]]),
  ...story(c4, [
    ['called', T('10:25'), { state: 'called', calledAt: T('10:25'), deskId: 'D1' }],
    ['recalled', T('10:27'), { calledAt: T('10:27'), recalls: 1 }],
    ['done', T('10:40'), { state: 'done', finishedAt: T('10:40') }],
  ]),
  ...story(c6, []),
].sort((a, b) => a.at.localeCompare(b.at));

const entries = statsEntriesOf(day);

const input = (fields: Partial<StatsInput> = {}): StatsInput => ({
  storeId: 's',
  timeZone: 'Europe/Paris',
  from: '2026-03-10',
  to: '2026-03-10',
  groupBy: 'service',
  targetWaitMinutes: 10,
  labels: { S1: 'Sales', S2: 'Repairs, "quick"' },
  ...fields,
});

describe('console statistics', () => {
  it('counts, times and service level of a hand-made day', () => {
    const stats = computeStats(entries, input());
    // Issued: c1..c4 (c5 booked and never checked in, c6 another day).
    expect(stats.total).toEqual({
      key: 'total',
      label: 'Total',
      issued: 4,
      served: 2,
      noShows: 1,
      cancelled: 1,
      // Waits to the first call: c1 4 min, c2 20 min, c4 5 min (its recall does not count).
      ttw: { avg: (240 + 1200 + 300) / 3, p90: 1200 },
      // Service: c1 09:05→09:15; c4 finished from called, from its last call 10:27→10:40.
      ttp: { avg: (600 + 780) / 2, p90: 780 },
      withinTarget: 1,
    });
    expect(
      stats.rows.map((r) => [r.key, r.label, r.issued, r.served, r.noShows, r.cancelled]),
    ).toEqual([
      ['S1', 'Sales', 2, 1, 1, 0],
      ['S2', 'Repairs, "quick"', 2, 1, 0, 1],
    ]);
    expect(stats.rows[0]?.ttw).toEqual({ avg: 720, p90: 1200 });
    // Paris is UTC+1 in March: 09:xx UTC is 10 h local.
    expect(stats.busiestHours).toEqual(['10', '11']);
    expect(stats.hours.find((h) => h.hour === '10')?.issued).toBe(2);
    expect(stats.hours.reduce((s, h) => s + h.issued, 0)).toBe(4);
  });

  it('the service level depends on the target wait', () => {
    // 4 minutes: c1 waited exactly 4 (counted), c4 waited 5.
    expect(computeStats(entries, input({ targetWaitMinutes: 4 })).total.withinTarget).toBe(0.5);
  });

  it('groups by desk, by local hour and by day', () => {
    const byDesk = computeStats(entries, input({ groupBy: 'desk', labels: { D1: 'Desk 1' } }));
    expect(byDesk.rows.map((r) => [r.key, r.label, r.issued, r.served])).toEqual([
      ['', 'no desk', 1, 0],
      ['D1', 'Desk 1', 2, 2],
      ['D2', 'D2', 1, 0],
    ]);
    const byHour = computeStats(entries, input({ groupBy: 'hour' }));
    expect(byHour.rows.map((r) => [r.key, r.issued])).toEqual([
      ['10', 2],
      ['11', 2],
    ]);
    const twoDays = computeStats(entries, input({ groupBy: 'day', to: '2026-03-11' }));
    expect(twoDays.rows.map((r) => [r.key, r.issued])).toEqual([
      ['2026-03-10', 4],
      ['2026-03-11', 1],
    ]);
  });

  it('nearest-rank p90', () => {
    expect(percentile([], 0.9)).toBeNull();
    expect(percentile([5], 0.9)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });

  it('writes RFC 4180 CSV: quoted fields, doubled quotes, CRLF', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    const csv = statsCsv(computeStats(entries, input()));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'key,label,issued,served,no_shows,cancelled,ttw_avg_s,ttw_p90_s,ttp_avg_s,ttp_p90_s,within_target',
    );
    expect(lines[2]).toBe('S2,"Repairs, ""quick""",2,1,0,1,300,300,780,780,1');
    expect(lines[3]).toBe('total,Total,4,2,1,1,580,1200,690,780,1');
    expect(lines.at(-1)).toBe('');
  });

  it('reads the log from local midnight of the first day, across a DST change', () => {
    // Paris goes to summer time on 2026-03-29.
    expect(logWindow('2026-03-28', '2026-03-29', 'Europe/Paris')).toEqual({
      fromIso: '2026-03-27T23:00:00.000Z',
      toIso: '2026-03-30T22:00:00.000Z',
    });
  });

  it('every issued ticket is in exactly one group, whatever the grouping', () => {
    const states = ['waiting', 'called', 'done', 'no_show', 'cancelled'] as const;
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            state: fc.constantFrom(...states),
            service: fc.constantFrom('S1', 'S2', 'S3'),
            desk: fc.constantFrom(null, 'D1', 'D2'),
            minute: fc.integer({ min: 0, max: 600 }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom('service', 'desk', 'hour', 'day' as const),
        (people, groupBy) => {
          const changes = people.map((p, i) => {
            const at = new Date(Date.parse(T('07:00')) + p.minute * 60_000).toISOString();
            return change(
              'registered',
              customer({
                id: `p${i}`,
                serviceId: p.service,
                state: p.state,
                deskId: p.desk,
                registeredAt: at,
              }),
              at,
            );
          });
          const stats = computeStats(statsEntriesOf(changes), input({ groupBy }));
          const sum = (k: 'issued' | 'served' | 'noShows' | 'cancelled') =>
            stats.rows.reduce((s, r) => s + r[k], 0);
          expect(sum('issued')).toBe(people.length);
          expect(stats.total.issued).toBe(people.length);
          expect(sum('served')).toBe(stats.total.served);
          expect(sum('noShows') + sum('cancelled')).toBe(
            stats.total.noShows + stats.total.cancelled,
          );
        },
      ),
      { seed: 12, numRuns: 100 },
    );
  });
});
