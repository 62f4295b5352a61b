// Statistics days are the store's days (its time zone), not the browser's.

/** Today as YYYY-MM-DD in `timeZone`; UTC's when the zone is unknown. */
export function storeToday(timeZone: string, now = new Date()): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}
