// What the FileVirtuelle door remembers between requests: the signed requests already seen inside
// the timestamp window (replays) and each API key's hits in the current minute (rate limit).
// Kept in the hub database so a restart forgets neither. The authenticator only sees the
// interface (method names distinct enough for a storage port to implement it too); this module
// is the only one that knows it is SQLite.
import type { Db } from '../db/hub-db.js';

export interface RequestLedger {
  /** Records `nonce` until `untilMs`; false when it is already there (a replay). */
  rememberSignedRequest(nonce: string, untilMs: number, nowMs: number): boolean;
  /** Counts one hit of `apiKey` in `minute` and answers that minute's count so far. */
  countApiHit(apiKey: string, minute: number): number;
}

export function sqliteRequestLedger(db: Db): RequestLedger {
  const prune = db.prepare('DELETE FROM fv_replays WHERE until_ms < ?');
  const insert = db.prepare('INSERT OR IGNORE INTO fv_replays (nonce, until_ms) VALUES (?, ?)');
  const remember = db.transaction((nonce: string, untilMs: number, nowMs: number): boolean => {
    prune.run(nowMs);
    return insert.run(nonce, untilMs).changes === 1;
  });
  const hit = db.prepare(
    `INSERT INTO fv_hits (api_key, minute, count) VALUES (?, ?, 1)
     ON CONFLICT(api_key) DO UPDATE SET
       count = CASE WHEN minute = excluded.minute THEN count + 1 ELSE 1 END,
       minute = excluded.minute
     RETURNING count`,
  );
  return {
    rememberSignedRequest: (nonce, untilMs, nowMs) => remember.immediate(nonce, untilMs, nowMs),
    countApiHit: (apiKey, minute) => (hit.get(apiKey, minute) as { count: number }).count,
  };
}
