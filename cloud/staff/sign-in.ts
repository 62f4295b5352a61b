// Checking a staff member's email and password, for every door that signs staff in (the
// console and the agent API's `POST /v1/login`): one count of failures per account, kept in the
// database, so guessing through one door does not get around the lock of the other; and the
// client address's failures (cloud/auth/sign-in-limit.ts), which bound the scrypt work per client.
import type { AddressAttempts } from '../auth/sign-in-limit.js';
import type { HubRepo } from '../db/hub-repo.js';
import { findStaff, verifyStaffPassword, type Staff } from './staff.js';

/** Failed sign-ins in a row that lock an account, and for how long. */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCK_MINUTES = 15;

export type SignInCheck =
  | { ok: true; staff: Staff }
  /** Unknown email or wrong password (one answer for both); attempts left before the lock. */
  | { ok: false; reason: 'bad_credentials'; attemptsLeft: number | null }
  /** Locked until `lockedUntil` (ISO, UTC), even with the right password. */
  | { ok: false; reason: 'locked'; lockedUntil: string }
  /** The client's address failed too often: no password is checked for `retryAfterSeconds`. */
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Checks email and password. An unknown email and a wrong password get the same answer (and take
 * as long); a locked account is refused with the end of its lock, even with the right password.
 * `attempts` (the client address's failures, counted across doors) is checked first.
 */
export async function checkSignIn(
  repo: HubRepo,
  credentials: { email: string; password: string },
  now: Date,
  attempts: AddressAttempts,
): Promise<SignInCheck> {
  const wait = await attempts.retryAfter();
  if (wait !== null) return { ok: false, reason: 'throttled', retryAfterSeconds: wait };
  const staff = await findStaff(repo, { email: credentials.email });
  const record = staff === null ? null : await repo.consoleSignIn(staff.id);
  const lockedUntil = record?.lockedUntil ?? null;
  const locked = lockedUntil !== null && Date.parse(lockedUntil) > now.getTime();
  const good = await verifyStaffPassword(staff, credentials.password);
  if (!good) await attempts.failed();
  if (staff === null || record === null) {
    return { ok: false, reason: 'bad_credentials', attemptsLeft: null };
  }
  if (locked) return { ok: false, reason: 'locked', lockedUntil };
  if (!good) {
    // A lock that ran out starts a fresh count.
    const failures = (lockedUntil === null ? record.failures : 0) + 1;
    if (failures >= MAX_FAILED_SIGN_INS) {
      const until = new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString();
      await repo.setConsoleSignIn(staff.id, { failures, lockedUntil: until });
      return { ok: false, reason: 'locked', lockedUntil: until };
    }
    await repo.setConsoleSignIn(staff.id, { failures, lockedUntil: null });
    return { ok: false, reason: 'bad_credentials', attemptsLeft: MAX_FAILED_SIGN_INS - failures };
  }
  await repo.setConsoleSignIn(staff.id, { failures: 0, lockedUntil: null });
  return { ok: true, staff };
}
