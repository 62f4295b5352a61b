// Failed password checks per client address, shared by every door that checks a password: the
// console's sign-in, the agent API's POST /v1/login and Bloom's customer/login. scrypt is slow on
// purpose, so without this one client trying many emails could keep a hub node busy, and Bloom
// accounts (which have no lock-out of their own) could be guessed at freely. Only failures are
// counted: a right password costs nothing against the limit. Each node counts in its own memory,
// as what it protects is its own CPU (@fastify/rate-limit's local store; IPv6 by /64).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Failed password checks an address may make in a window, and the window. */
export const FAILED_SIGN_INS_PER_ADDRESS = 30;
export const SIGN_IN_WINDOW_MINUTES = 15;

/** The password attempts of one request's address. */
export interface AddressAttempts {
  /** Null when the address may try a password; else the seconds until it may again. */
  retryAfter(): Promise<number | null>;
  /** Counts one failed password check. */
  failed(): Promise<void>;
}

export type SignInLimit = (request: FastifyRequest) => AddressAttempts;

/** Registers the limiter on `app`, before the doors that use it. */
export async function installSignInLimit(app: FastifyInstance): Promise<SignInLimit> {
  await app.register(rateLimit, { global: false });
  const check = app.createRateLimit({
    max: FAILED_SIGN_INS_PER_ADDRESS,
    timeWindow: SIGN_IN_WINDOW_MINUTES * 60_000,
  });
  return (request) => ({
    async retryAfter() {
      // A look that does not count: only failures do.
      const status = await check(request, { increment: false });
      if (status.isAllowed || status.remaining > 0) return null;
      return Math.max(1, status.ttlInSeconds);
    },
    async failed() {
      await check(request);
    },
  });
}

/** What a door answers an address that failed too often. */
export function tooManyAttempts(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  return `Too many failed sign-ins from this address: try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
