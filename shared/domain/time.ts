// Local wall-clock times in a store's IANA zone (some outside APIs write "yyyy-MM-dd HH:mm"
// in the store's zone). Pure Intl: no Node, no date library.

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function parts(at: Date, timeZone: string): Record<string, number> {
  let f = partFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partFormatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** Milliseconds the zone is ahead of UTC at `at`. */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = parts(at, timeZone);
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `at` as the store's wall clock: "yyyy-MM-dd HH:mm" (with `:ss` when `seconds`). */
export function formatZoned(at: Date, timeZone: string, seconds = false): string {
  const p = parts(at, timeZone);
  const base = `${pad(p.year ?? 0, 4)}-${pad(p.month ?? 0)}-${pad(p.day ?? 0)} ${pad(p.hour ?? 0)}:${pad(p.minute ?? 0)}`;
  return seconds ? `${base}:${pad(p.second ?? 0)}` : base;
}

/**
 * The instant a wall-clock "yyyy-MM-dd HH:mm[:ss]" names in `timeZone`, or null when the text
 * is not such a time. In the autumn overlap the earlier instant is chosen; in the spring gap,
 * the time just after it.
 */
export function parseZoned(text: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const wall = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0);
  const check = new Date(wall);
  if (check.getUTCMonth() !== (mo ?? 1) - 1 || check.getUTCDate() !== d) return null;
  // The offsets in force a day either side cover both sides of any DST change.
  const DAY = 86_400_000;
  const candidates = [wall - DAY, wall, wall + DAY].map(
    (probe) => wall - zoneOffsetMs(new Date(probe), timeZone),
  );
  const exact = candidates.filter((c) => c + zoneOffsetMs(new Date(c), timeZone) === wall);
  const best = exact.length > 0 ? Math.min(...exact) : Math.max(...candidates);
  return new Date(best);
}
