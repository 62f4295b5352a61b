// Ticket numbers: per store, prefix and store-local day, reset at the store's local midnight.
// Numbers inside blocks reserved for offline kiosks are never issued by the hub.

export interface NumberRange {
  first: number;
  last: number;
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = dayFormatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    } catch {
      throw new RangeError(
        `Unknown time zone "${timeZone}": use an IANA name such as Europe/Paris.`,
      );
    }
    dayFormatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    dayFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The store-local date (YYYY-MM-DD) of `at` in `timeZone`: the numbering day. */
export function storeDay(at: Date, timeZone: string): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('storeDay needs a valid date.');
  const parts = dayFormatter(timeZone).formatToParts(at);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The ticket as printed and shown: prefix then number, e.g. `A12`. */
export function formatTicket(prefix: string, n: number): string {
  return `${prefix}${n}`;
}

/** Splits `A12` into its prefix and number, or null when it is not a ticket. */
export function parseTicket(ticket: string): { prefix: string; number: number } | null {
  const m = /^([A-Z]{0,2})(\d{1,6})$/.exec(ticket.trim().toUpperCase());
  if (m === null) return null;
  const n = Number(m[2]);
  return n >= 1 ? { prefix: m[1] ?? '', number: n } : null;
}

/** The next number after `lastIssued` (0 for none yet today) that no reserved block holds. */
export function nextFreeNumber(lastIssued: number, reserved: readonly NumberRange[]): number {
  const sorted = [...reserved].sort((a, b) => a.first - b.first);
  let n = lastIssued + 1;
  for (const r of sorted) {
    if (n >= r.first && n <= r.last) n = r.last + 1;
  }
  return n;
}

/**
 * A block of `size` numbers for an offline kiosk: after everything issued and everything
 * already reserved, so neither the hub nor another kiosk can issue the same number.
 */
export function reserveRange(
  lastIssued: number,
  reserved: readonly NumberRange[],
  size: number,
): NumberRange {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('A block holds at least 1 number.');
  const top = reserved.reduce((max, r) => Math.max(max, r.last), lastIssued);
  return { first: top + 1, last: top + size };
}
