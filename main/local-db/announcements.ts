// Calls (and pages) already announced, so a restart or a re-pull never announces twice.
import type { Db } from './database.js';

export class Announcements {
  constructor(private readonly db: Db) {}

  /** True the first time a key is seen; false when it was announced already. */
  mark(key: string, at: string): boolean {
    return (
      this.db.prepare('INSERT OR IGNORE INTO announced (key, at) VALUES (?, ?)').run(key, at)
        .changes === 1
    );
  }
}
