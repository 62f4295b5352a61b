// Calls (and pages) already announced, so a restart or a re-pull never announces twice.
import { statements, type Db } from './database.js';

export class Announcements {
  private readonly sql: ReturnType<typeof statements>;
  constructor(private readonly db: Db) {
    this.sql = statements(db);
  }

  /** True the first time a key is seen; false when it was announced already. */
  mark(key: string, at: string): boolean {
    return (
      this.sql('INSERT OR IGNORE INTO announced (key, at) VALUES (?, ?)').run(key, at).changes === 1
    );
  }
}
