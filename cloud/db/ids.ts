// Ids and token hashes the hub makes (no storage engine involved).
import { createHash, randomBytes } from 'node:crypto';

/** A 24-hex id, the shape FileVirtuelle (MongoDB) clients expect. */
export function newObjectId(): string {
  return randomBytes(12).toString('hex');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
