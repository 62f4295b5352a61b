// Passwords of everyone who signs in to the hub (staff, Bloom customers): scrypt (memory-hard),
// run off the event loop, with its parameters stored beside each hash so they can be raised later.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

export const PasswordHashSchema = z.object({
  algorithm: z.literal('scrypt'),
  N: z.number().int().min(2),
  r: z.number().int().min(1),
  p: z.number().int().min(1),
  keyLength: z.number().int().min(16),
  salt: z.string().min(16),
  hash: z.string().min(32),
});
export type PasswordHash = z.infer<typeof PasswordHashSchema>;

// scrypt's 2^15 × 8 × 1 costs 32 MiB and tens of milliseconds: memory-hard, fine for a sign-in.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 64 } as const;
const maxmem = (N: number, r: number) => 256 * N * r;
const scryptAsync = (password: string, salt: Buffer, keyLength: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) =>
      error === null ? resolve(key) : reject(error),
    );
  });

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await scryptAsync(password, salt, keyLength, { N, r, p, maxmem: maxmem(N, r) });
  return {
    algorithm: 'scrypt',
    N,
    r,
    p,
    keyLength,
    salt: salt.toString('base64'),
    hash: key.toString('base64'),
  };
}

let dummyHash: Promise<PasswordHash> | undefined;

/**
 * Whether `password` matches `stored`. With nothing stored (an unknown account) it still hashes
 * once, so the answer takes as long and does not tell which accounts exist.
 */
export async function verifyPassword(
  password: string,
  stored: PasswordHash | null,
): Promise<boolean> {
  const against = stored ?? (await (dummyHash ??= hashPassword('not a password')));
  const expected = Buffer.from(against.hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(against.salt, 'base64'), against.keyLength, {
    N: against.N,
    r: against.r,
    p: against.p,
    maxmem: maxmem(against.N, against.r),
  });
  return stored !== null && key.length === expected.length && timingSafeEqual(key, expected);
}
