// Console sessions: a staff JWT (cloud/staff/tokens.ts, the agent API's own tokens, so signing
// out, a new password or removing the account revokes it) carried in an HTTP-only, SameSite=Strict
// cookie; a CSRF token derived from the session (HMAC of its id with a hub secret) that every
// state-changing request sends back in a header (a cross-site page cannot read it); and a lock-out
// per account after repeated failed sign-ins, kept in the database.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CONSOLE_CSRF_HEADER,
  CONSOLE_SESSION_COOKIE,
  type SignInRequest,
} from '../../shared/protocol/console.js';
import type { HubRepo } from '../db/hub-repo.js';
import { tooManyAttempts, type AddressAttempts } from '../auth/sign-in-limit.js';
import { checkSignIn, LOCK_MINUTES } from '../staff/sign-in.js';
import type { Staff } from '../staff/staff.js';
import { authenticate, issueStaffToken, type IssuedToken } from '../staff/tokens.js';
import { ConsoleHttpError } from './access.js';

export interface ConsoleSession {
  staff: Staff;
  jti: string;
  expiresAt: Date;
  csrfToken: string;
}

async function csrfKey(repo: HubRepo): Promise<Buffer> {
  return Buffer.from(
    await repo.hubSecret('console-csrf-hmac', () => randomBytes(32).toString('base64')),
    'base64',
  );
}

export const csrfTokenOf = async (repo: HubRepo, jti: string): Promise<string> =>
  createHmac('sha256', await csrfKey(repo))
    .update(jti)
    .digest('base64url');

const lockedMessage = (until: string) =>
  `Too many failed sign-ins: this account is locked until ${until} (UTC). Try again then, or ask an admin to set a new password.`;

/** Signs in to the console (the lock-out is shared with the agent API: `checkSignIn`). */
export async function signIn(
  repo: HubRepo,
  credentials: SignInRequest,
  now: Date,
  attempts: AddressAttempts,
): Promise<{ staff: Staff; token: IssuedToken }> {
  const check = await checkSignIn(repo, credentials, now, attempts);
  if (check.ok)
    return { staff: check.staff, token: await issueStaffToken(repo, check.staff, null, now) };
  if (check.reason === 'throttled') {
    const { retryAfterSeconds } = check;
    throw new ConsoleHttpError(429, 'too_many_attempts', tooManyAttempts(retryAfterSeconds), {
      retryAfterSeconds,
    });
  }
  if (check.reason === 'locked') {
    const { lockedUntil } = check;
    throw new ConsoleHttpError(423, 'locked', lockedMessage(lockedUntil), { lockedUntil });
  }
  const left = check.attemptsLeft;
  throw new ConsoleHttpError(
    401,
    'bad_credentials',
    `Wrong email or password.${left !== null && left <= 2 ? ` ${left} more failed attempt${left === 1 ? '' : 's'} lock this account for ${LOCK_MINUTES} minutes.` : ''}`,
  );
}

/** Over https, or behind a proxy that says the client used https. */
function isSecure(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return request.protocol === 'https' || proto?.split(',')[0]?.trim() === 'https';
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: IssuedToken,
): void {
  void reply.setCookie(CONSOLE_SESSION_COOKIE, token.token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecure(request),
    path: '/',
    expires: token.expiresAt,
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(CONSOLE_SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure: isSecure(request),
    path: '/',
  });
}

/** The session of the request's cookie, or 401. */
export async function sessionOf(
  repo: HubRepo,
  request: FastifyRequest,
  now: Date,
): Promise<ConsoleSession> {
  const cookie = request.cookies[CONSOLE_SESSION_COOKIE];
  if (cookie === undefined || cookie === '') {
    throw new ConsoleHttpError(401, 'unauthenticated', 'Sign in first.');
  }
  const auth = await authenticate(repo, `Bearer ${cookie}`, now);
  if (!auth.ok || auth.staff === null || auth.claims.desk !== null) {
    throw new ConsoleHttpError(
      401,
      'unauthenticated',
      'Your session ended (signed out, expired, or the password changed): sign in again.',
    );
  }
  const row = await repo.staffToken(auth.claims.jti);
  return {
    staff: auth.staff,
    jti: auth.claims.jti,
    expiresAt: new Date(row?.expiresAt ?? now.toISOString()),
    csrfToken: await csrfTokenOf(repo, auth.claims.jti),
  };
}

/** Refuses (403) a state-changing request whose CSRF header is not the session's token. */
export function checkCsrf(session: ConsoleSession, request: FastifyRequest): void {
  const header = request.headers[CONSOLE_CSRF_HEADER];
  const given = Buffer.from(typeof header === 'string' ? header : '');
  const expected = Buffer.from(session.csrfToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ConsoleHttpError(
      403,
      'csrf',
      `This request lacks the session's CSRF token (header ${CONSOLE_CSRF_HEADER}); reload the console.`,
    );
  }
}
