// Staff tokens: HS256 JWTs (jose) signed with a key the hub makes once and keeps in its
// database. Each carries an expiry and a `jti` recorded in `staff_tokens`, so a token can be
// revoked (sign-out, new password, removal, another agent taking the desk) before it expires.
import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import type { HubData } from '../db/hub-repo.js';
import { findStaff, type Staff } from './staff.js';

const ISSUER = 'lineup-hub';
const AUDIENCE = 'lineup-staff';
/** A shift and some: an agent signs in again the next day. */
export const TOKEN_HOURS = 12;

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  desk: z.string().min(1).nullable().default(null),
});
export type StaffClaims = z.infer<typeof ClaimsSchema>;

async function signingKey(repo: HubData): Promise<Uint8Array> {
  const secret = await repo.hubSecret('staff-jwt-hs256', () => randomBytes(32).toString('base64'));
  return new Uint8Array(Buffer.from(secret, 'base64'));
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresAt: Date;
}

/** Signs a token for `staff` (bound to a desk when they sign in as its agent) and records it. */
export async function issueStaffToken(
  repo: HubData,
  staff: Pick<Staff, 'id'>,
  deskId: string | null,
  now: Date,
): Promise<IssuedToken> {
  const jti = randomUUID();
  const expiresAt = new Date(now.getTime() + TOKEN_HOURS * 3600_000);
  const token = await new SignJWT({ desk: deskId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(staff.id)
    .setJti(jti)
    .setIssuedAt(Math.floor(now.getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(await signingKey(repo));
  await repo.insertStaffToken({
    jti,
    staffId: staff.id,
    deskId,
    issuedAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
    revokedAt: null,
  });
  return { token, jti, expiresAt };
}

/** The bearer token of an `Authorization` header (scheme case-insensitive), or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export type Authenticated =
  { ok: true; claims: StaffClaims; staff: Staff | null } | { ok: false; reason: string };

/**
 * Checks signature, issuer, audience and expiry, then that the token was issued here and is
 * not revoked. `staff` is null when the account was removed after the token was issued.
 */
export async function authenticate(
  repo: HubData,
  header: string | undefined,
  now: Date,
): Promise<Authenticated> {
  const token = bearerToken(header);
  if (token === null) return { ok: false, reason: 'no bearer token' };
  let claims: StaffClaims;
  try {
    const { payload } = await jwtVerify(token, await signingKey(repo), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: now,
    });
    claims = ClaimsSchema.parse(payload);
  } catch {
    return { ok: false, reason: 'invalid or expired token' };
  }
  const row = await repo.staffToken(claims.jti);
  if (row === null || row.revokedAt !== null || row.staffId !== claims.sub)
    return { ok: false, reason: 'revoked token' };
  return { ok: true, claims, staff: await findStaff(repo, { id: claims.sub }) };
}
