// The console's statistics (issue 12): pure functions over a store's logged customer changes,
// so they are tested against hand-computed numbers and run wherever the log is read (the stats
// worker, the bench). Definitions, per customer whose ticket day is in the range:
// - issued: it got a ticket (registered, or a booking that checked in); a booking never
//   checked in is not counted;
// - served / no-shows / cancelled: its last state is done / no_show / cancelled;
// - ttw (time to wait): from arrival (check-in for a booking, else registration) to its first
//   call, for every customer called at least once;
// - ttp (time to serve): from serving start (or the call, when the desk finished from called) to
//   done, for served customers;
// - within target: the share of served customers whose ttw is at most the target;
// - per desk: the desk that last had it (none: key ""); per hour: the local hour of arrival.
import type { Customer } from '../../shared/domain/entities.js';
import { parseZoned, zoneOffsetMs } from '../../shared/domain/time.js';
import type { StatsGroupBy, StatsResponse, StatsRow } from '../../shared/protocol/console.js';
import type { Change } from '../../shared/protocol/sync.js';

/** The fields of a customer the statistics read (the log reader extracts only these). */
export const STATS_CUSTOMER_FIELDS = [
  'id',
  'state',
  'ticketDay',
  'serviceId',
  'deskId',
  'registeredAt',
  'checkedInAt',
  'calledAt',
  'servingAt',
  'finishedAt',
] as const;
export type StatsCustomer = Pick<Customer, (typeof STATS_CUSTOMER_FIELDS)[number]>;

/** One customer change of the log, as the statistics read it. */
export interface StatsEntry {
  event: string;
  at: string;
  customer: StatsCustomer;
}

/** The customer changes of whole log entries. */
export const statsEntriesOf = (changes: readonly Change[]): StatsEntry[] =>
  changes.flatMap((c) =>
    c.entity.kind === 'customer' ? [{ event: c.event, at: c.at, customer: c.entity.customer }] : [],
  );

/** What the log says of one customer: its last record and its first call. */
export interface CustomerFacts {
  customer: StatsCustomer;
  firstCalledAt: string | null;
}

/** Folds customer changes (in log order) into one fact per customer. */
export function customerFacts(changes: readonly StatsEntry[]): Map<string, CustomerFacts> {
  const facts = new Map<string, CustomerFacts>();
  for (const change of changes) {
    const customer = change.customer;
    const known = facts.get(customer.id);
    const calledNow = change.event === 'called' ? (customer.calledAt ?? change.at) : null;
    facts.set(customer.id, {
      customer,
      firstCalledAt: known?.firstCalledAt ?? calledNow,
    });
  }
  return facts;
}

const seconds = (fromIso: string, toIso: string): number =>
  Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);

const arrivalOf = (c: StatsCustomer): string => c.checkedInAt ?? c.registeredAt;

/** Nearest-rank percentile of ascending `sorted` (p in 0..1). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? null;
}

function durations(values: number[]): { avg: number | null; p90: number | null } {
  if (values.length === 0) return { avg: null, p90: null };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    avg: sorted.reduce((s, v) => s + v, 0) / sorted.length,
    p90: percentile(sorted, 0.9),
  };
}

interface Measured {
  facts: CustomerFacts;
  ttw: number | null;
  ttp: number | null;
}

function measure(facts: CustomerFacts): Measured {
  const c = facts.customer;
  const ttw = facts.firstCalledAt === null ? null : seconds(arrivalOf(c), facts.firstCalledAt);
  const start = c.servingAt ?? c.calledAt;
  const ttp =
    c.state === 'done' && c.finishedAt !== null && start !== null
      ? seconds(start, c.finishedAt)
      : null;
  return { facts, ttw, ttp };
}

function row(key: string, label: string, items: readonly Measured[], targetS: number): StatsRow {
  const served = items.filter((m) => m.facts.customer.state === 'done');
  const ttws = items.flatMap((m) => (m.ttw === null ? [] : [m.ttw]));
  const ttps = served.flatMap((m) => (m.ttp === null ? [] : [m.ttp]));
  const within = served.filter((m) => m.ttw !== null && m.ttw <= targetS).length;
  const count = (state: Customer['state']) =>
    items.filter((m) => m.facts.customer.state === state).length;
  return {
    key,
    label,
    issued: items.length,
    served: served.length,
    noShows: count('no_show'),
    cancelled: count('cancelled'),
    ttw: durations(ttws),
    ttp: durations(ttps),
    withinTarget: served.length === 0 ? null : within / served.length,
  };
}

export interface StatsInput {
  storeId: string;
  timeZone: string;
  from: string;
  to: string;
  groupBy: StatsGroupBy;
  targetWaitMinutes: number;
  /** Names for service and desk keys (unknown keys keep their id). */
  labels?: Readonly<Record<string, string>>;
}

/**
 * The store-local hour ("00".."23") of an instant. The zone's offset is looked up once per UTC
 * hour (Intl is slow, and offsets change on whole hours), so a year of tickets stays cheap.
 */
function localHourIn(timeZone: string): (ms: number) => string {
  const offsets = new Map<number, number>();
  return (ms) => {
    const bucket = Math.floor(ms / 3_600_000);
    let offset = offsets.get(bucket);
    if (offset === undefined) {
      offset = zoneOffsetMs(new Date(bucket * 3_600_000), timeZone);
      offsets.set(bucket, offset);
    }
    const hour = Math.floor((ms + offset) / 3_600_000) % 24;
    return String((hour + 24) % 24).padStart(2, '0');
  };
}

const HOURS = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0'));

/** The statistics of a store's customer changes (log order) for `input`. */
export function computeStats(changes: readonly StatsEntry[], input: StatsInput): StatsResponse {
  const measured = [...customerFacts(changes).values()]
    .filter(({ customer: c }) => c.state !== 'booked' || c.checkedInAt !== null)
    .filter(({ customer: c }) => c.ticketDay >= input.from && c.ticketDay <= input.to)
    .map(measure);
  const targetS = input.targetWaitMinutes * 60;
  const localHour = localHourIn(input.timeZone);
  const hours = new Map<Measured, string>();
  const hourOf = (m: Measured): string => {
    let hour = hours.get(m);
    if (hour === undefined) {
      hour = localHour(Date.parse(arrivalOf(m.facts.customer)));
      hours.set(m, hour);
    }
    return hour;
  };
  const keyOf: Record<StatsGroupBy, (m: Measured) => string> = {
    service: (m) => m.facts.customer.serviceId,
    desk: (m) => m.facts.customer.deskId ?? '',
    hour: hourOf,
    day: (m) => m.facts.customer.ticketDay,
  };
  const groups = new Map<string, Measured[]>();
  for (const m of measured) {
    const key = keyOf[input.groupBy](m);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [m]);
    else group.push(m);
  }
  const label = (key: string): string =>
    input.labels?.[key] ?? (key === '' && input.groupBy === 'desk' ? 'no desk' : key);
  const rows = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, items]) => row(key, label(key), items, targetS));
  const perHour = new Map<string, number>();
  for (const m of measured) perHour.set(hourOf(m), (perHour.get(hourOf(m)) ?? 0) + 1);
  const issuedPerHour = HOURS.map((hour) => ({ hour, issued: perHour.get(hour) ?? 0 }));
  const busiestHours = issuedPerHour
    .filter((h) => h.issued > 0)
    .sort((a, b) => b.issued - a.issued || a.hour.localeCompare(b.hour))
    .slice(0, 3)
    .map((h) => h.hour);
  return {
    storeId: input.storeId,
    timeZone: input.timeZone,
    from: input.from,
    to: input.to,
    groupBy: input.groupBy,
    targetWaitMinutes: input.targetWaitMinutes,
    total: row('total', 'Total', measured, targetS),
    rows,
    hours: issuedPerHour,
    busiestHours,
  };
}

/**
 * The UTC window of log entries that can concern tickets of local days [from, to]: from local
 * midnight of `from` to local midnight two days after `to` (a customer finished past midnight).
 */
export function logWindow(
  from: string,
  to: string,
  timeZone: string,
): { fromIso: string; toIso: string } {
  const twoDaysLater = new Date(Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const start = parseZoned(`${from} 00:00`, timeZone);
  const end = parseZoned(`${twoDaysLater} 00:00`, timeZone);
  if (start === null || end === null) throw new RangeError('not a day range');
  return { fromIso: start.toISOString(), toIso: end.toISOString() };
}

// --- CSV (RFC 4180) -----------------------------------------------------------------------------

/** One RFC 4180 field: quoted when it holds a comma, quote, CR or LF; quotes doubled. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const STATS_CSV_COLUMNS = [
  'key',
  'label',
  'issued',
  'served',
  'no_shows',
  'cancelled',
  'ttw_avg_s',
  'ttw_p90_s',
  'ttp_avg_s',
  'ttp_p90_s',
  'within_target',
] as const;

const round = (n: number | null, digits: number): number | null =>
  n === null ? null : Number(n.toFixed(digits));

/** The statistics as CSV: a header, one line per row, then the total; CRLF line ends. */
export function statsCsv(stats: StatsResponse): string {
  const lines = [STATS_CSV_COLUMNS.join(',')];
  for (const r of [...stats.rows, stats.total]) {
    lines.push(
      [
        r.key,
        r.label,
        r.issued,
        r.served,
        r.noShows,
        r.cancelled,
        round(r.ttw.avg, 1),
        round(r.ttw.p90, 1),
        round(r.ttp.avg, 1),
        round(r.ttp.p90, 1),
        round(r.withinTarget, 4),
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
