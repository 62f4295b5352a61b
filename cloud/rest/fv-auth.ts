// FileVirtuelle v2 authentication: `Authorization: key:signature` where signature is the hex
// HMAC-SHA1 of verb + URI + timestamp with the account's secret, and `X-FV-TIMESTAMP` in ms.
// A timestamp outside the window is refused; so is the same signed request seen twice inside it.
// The documentation signs no body, so two requests with the same signature and different bodies
// cannot be told apart by it: the replay memory keys on the signature and a hash of the body,
// which lets two different requests signed in the same millisecond through and refuses an exact
// replay.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { RequestLedger } from '../db/hub-repo.js';
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

/** A request whose signature, timestamp, account and rate passed; its body is not read yet. */
export interface Authenticated {
  account: ApiAccount;
  /** `key:signature`, what the replay memory keys on (with the body). */
  signed: string;
  /** When this signed request leaves the window (ms). */
  untilMs: number;
}

export class FvAuthenticator {
  constructor(
    private readonly accounts: ApiAccountRepo,
    private readonly ledger: RequestLedger,
    private readonly clock: () => number = () => Date.now(),
    private readonly windowMs = TIMESTAMP_WINDOW_MS,
  ) {}

  /** Headers, signature, timestamp, lock and rate limit: everything but the body. */
  async authenticate(request: SignedRequest): Promise<Authenticated> {
    const header = request.authorization?.trim();
    if (header === undefined || header === '') throw new FvError('NoAuthorizationHeaderError');
    const parts = header.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new FvError('NoTwoPartAuthorizationError');
    }
    const [key, signature] = parts as [string, string];
    const account = await getApiAccount(this.accounts, key);
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
    if (account.locked) throw new FvError('AccountIsLocked');
    if ((await this.ledger.countApiHit(key, Math.floor(now / 60_000))) > account.fairuse.max_hits) {
      throw new FvError('RateLimitExceeded');
    }
    return {
      account,
      signed: `${key}:${signature.toLowerCase()}`,
      untilMs: Number(ts) + this.windowMs,
    };
  }

  /** Refuses the same signed request with the same body seen before inside the window. */
  async refuseReplay(request: Authenticated, body: unknown): Promise<void> {
    const digest = createHash('sha256')
      .update(JSON.stringify(body ?? null))
      .digest('base64url');
    if (
      !(await this.ledger.rememberSignedRequest(
        `${request.signed}:${digest}`,
        request.untilMs,
        this.clock(),
      ))
    ) {
      throw new FvError('InvalidTimestamp');
    }
  }
}
