// The signature on every webhook and callback the hub sends (documented in the README):
//   X-Lineup-Timestamp: <unix seconds>
//   X-Lineup-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//   X-Lineup-Idempotency-Key: <ticket>.<event>.<channel>
// Signing the timestamp with the body lets a receiver refuse old replays.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-lineup-signature';
export const TIMESTAMP_HEADER = 'x-lineup-timestamp';
export const IDEMPOTENCY_HEADER = 'x-lineup-idempotency-key';

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** True when `signature` is the body's signature at `timestamp` (constant-time compare). */
export function verifyBody(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(signBody(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The headers of a signed JSON POST. */
export function signedHeaders(
  secret: string,
  body: string,
  idempotencyKey: string,
  now: Date,
): Record<string, string> {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    'content-type': 'application/json',
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signBody(secret, timestamp, body),
    [IDEMPOTENCY_HEADER]: idempotencyKey,
  };
}
