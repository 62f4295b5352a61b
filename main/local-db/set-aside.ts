// Rows that cannot be read (damaged JSON, a shape this version does not know) are moved to
// `set_aside` and reported once, so one bad row never stops the device or hides the others.
import type { z } from 'zod';
import { statements, type Db } from './database.js';

export type SetAsideReporter = (message: string) => void;

export class SetAside {
  private readonly sql: ReturnType<typeof statements>;
  constructor(
    private readonly db: Db,
    private readonly report: SetAsideReporter,
  ) {
    this.sql = statements(db);
  }

  /** Moves `key` of `source` aside (the caller deletes it from its table) and reports it. */
  keep(source: string, key: string, body: string, reason: string): void {
    this.sql('INSERT INTO set_aside (source, key, body, reason, at) VALUES (?, ?, ?, ?, ?)').run(
      source,
      key,
      body,
      reason,
      new Date().toISOString(),
    );
    this.report(
      `A damaged ${source} row (${key}) in the local database was set aside: ${reason}. The rest is kept.`,
    );
  }

  count(): number {
    return (this.sql('SELECT COUNT(*) AS n FROM set_aside').get() as { n: number }).n;
  }
}

/** Parses a stored JSON body with `schema`; the reason it failed otherwise. */
export function readBody<T>(
  body: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, reason: 'not a shape this version knows' };
}
