// FileVirtuelle v2 authentication: `Authorization: key:signature` where signature is the hex
// HMAC-SHA1 of verb + URI + timestamp with the account's secret, and `X-FV-TIMESTAMP` in ms.
// A timestamp outside the window is refused; so is the same signed request seen twice inside it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { getApiAccount, type ApiAccount, type ApiAccountRepo } from './api-keys.js';
import { FvError } from './fv-errors.js';

export const TIMESTAMP_WINDOW_MS = 5 * 60_000;

export function fvSignature(secret: string, verb: string, uri: string, timestamp: string): string {
  return createHmac('sha1', secret).update(`${verb}${uri}${timestamp}`).digest('hex');
}

export interface SignedRequest {
  method: string;
  /** Path and query exactly as sent, e.g. `/api/public/v2/organizations?search=...`. */
  url: string;
  authorization: string | undefined;
  timestamp: string | undefined;
}

export class FvAuthenticator {
  /** `key:signature` of requests already accepted, with when they leave the window. */
  private readonly seen = new Map<string, number>();
  private readonly hits = new Map<string, { minute: number; count: number }>();
  private lastPrune = 0;

  constructor(
    private readonly accounts: ApiAccountRepo,
    private readonly clock: () => number = () => Date.now(),
    private readonly windowMs = TIMESTAMP_WINDOW_MS,
  ) {}

  authenticate(request: SignedRequest): ApiAccount {
    const header = request.authorization?.trim();
    if (header === undefined || header === '') throw new FvError('NoAuthorizationHeaderError');
    const parts = header.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new FvError('NoTwoPartAuthorizationError');
    }
    const [key, signature] = parts as [string, string];
    const account = getApiAccount(this.accounts, key);
    if (account === null) throw new FvError('InvalidAPIKey');

    const now = this.clock();
    const ts = request.timestamp?.trim() ?? '';
    if (!/^\d{1,16}$/.test(ts) || Math.abs(now - Number(ts)) > this.windowMs) {
      throw new FvError('InvalidTimestamp');
    }
    const expected = Buffer.from(
      fvSignature(account.secret, request.method.toUpperCase(), request.url, ts),
      'hex',
    );
    const given = /^[0-9a-fA-F]{40}$/.test(signature)
      ? Buffer.from(signature, 'hex')
      : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new FvError('InvalidSignature');
    }
    this.prune(now);
    const nonce = `${key}:${signature.toLowerCase()}`;
    if (this.seen.has(nonce)) throw new FvError('InvalidTimestamp');
    this.seen.set(nonce, Number(ts) + this.windowMs);

    if (account.locked) throw new FvError('AccountIsLocked');
    const minute = Math.floor(now / 60_000);
    const hit = this.hits.get(key);
    const count = hit !== undefined && hit.minute === minute ? hit.count + 1 : 1;
    this.hits.set(key, { minute, count });
    if (count > account.fairuse.max_hits) throw new FvError('RateLimitExceeded');
    return account;
  }

  private prune(now: number): void {
    if (now - this.lastPrune < 10_000) return;
    this.lastPrune = now;
    for (const [nonce, until] of this.seen) if (until < now) this.seen.delete(nonce);
    const minute = Math.floor(now / 60_000);
    for (const [key, hit] of this.hits) if (hit.minute < minute) this.hits.delete(key);
  }
}
