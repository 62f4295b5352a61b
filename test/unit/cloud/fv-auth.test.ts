import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../../cloud/db/hub-db.js';
import { SqliteHubRepo } from '../../../cloud/db/sqlite-hub-repo.js';
import { ApiAccountSchema, saveApiAccount } from '../../../cloud/rest/api-keys.js';
import { FvAuthenticator, fvSignature } from '../../../cloud/rest/fv-auth.js';
import { FvError } from '../../../cloud/rest/fv-errors.js';

// The example of the FileVirtuelle documentation.
const SECRET = '7632da295ad6d11a44a75390a0b8fb12ffd24';
const KEY = 'bfa3e803-217e-4f00';
const URI = '/api/public/v2/prequalification/5693afe606c3c0b5bc68eaf0';
const TS = '1471254540335';
const SIGNATURE = '5542b8b446f2203978b7d0549140cbf168de81f5';

const fail = async (fn: () => Promise<unknown>): Promise<string | null> => {
  try {
    await fn();
    return null;
  } catch (e) {
    return e instanceof FvError ? e.fv : String(e);
  }
};

describe('FileVirtuelle HMAC authentication', async () => {
  let db: Database.Database;
  let repo: SqliteHubRepo;
  let now: number;
  let auth: FvAuthenticator;
  const request = (
    over: Partial<{
      method: string;
      url: string;
      authorization: string | undefined;
      timestamp: string | undefined;
    }> = {},
  ) => ({
    method: 'GET',
    url: URI,
    authorization: `${KEY}:${SIGNATURE}`,
    timestamp: TS,
    ...over,
  });

  beforeEach(async () => {
    db = new Database(':memory:');
    migrate(db);
    db.prepare(
      "INSERT INTO api_keys (key, secret, name, data, created_at) VALUES (?, ?, 'doc', '{}', '')",
    ).run(KEY, SECRET);
    repo = new SqliteHubRepo(db);
    await saveApiAccount(
      repo,
      ApiAccountSchema.parse({ key: KEY, secret: SECRET, name: 'doc', fairuse: { max_hits: 2 } }),
    );
    now = Number(TS) + 1_000;
    auth = new FvAuthenticator(repo, repo, () => now);
  });
  afterEach(() => db.close());

  it('computes the documented signature', async () => {
    expect(fvSignature(SECRET, 'GET', URI, TS)).toBe(SIGNATURE);
  });

  /** The whole door: headers, then the replay check once the body is read. */
  const pass = async (
    a: FvAuthenticator,
    body?: unknown,
    over: Parameters<typeof request>[0] = {},
  ) => {
    const signed = await a.authenticate(request(over));
    await a.refuseReplay(signed, body);
    return signed.account;
  };

  it('accepts the documented request once, then refuses its replay', async () => {
    expect((await pass(auth)).key).toBe(KEY);
    expect(await fail(() => pass(auth))).toBe('InvalidTimestamp');
  });

  it('tells different bodies under one signature apart, and refuses each exact replay', async () => {
    // The documentation signs verb + URI + timestamp: two registrations in one millisecond
    // carry the same signature.
    const account = ApiAccountSchema.parse({ key: KEY, secret: SECRET, name: 'doc' });
    await saveApiAccount(repo, account);
    expect((await pass(auth, { name: 'Ann' })).key).toBe(KEY);
    expect((await pass(auth, { name: 'Bob' })).key).toBe(KEY);
    expect(await fail(() => pass(auth, { name: 'Ann' }))).toBe('InvalidTimestamp');
    expect(await fail(() => pass(auth, { name: 'Bob' }))).toBe('InvalidTimestamp');
  });

  it('remembers replays and hits across a restart (a new authenticator on the same file)', async () => {
    await pass(auth, { name: 'Ann' });
    const restarted = new FvAuthenticator(repo, repo, () => now);
    expect(await fail(() => pass(restarted, { name: 'Ann' }))).toBe('InvalidTimestamp');
    // max_hits is 2 and both hits of this minute were counted before the restart.
    expect(await fail(() => pass(restarted, { name: 'Cy' }))).toBe('RateLimitExceeded');
  });

  it('keeps the replay memory bounded: entries leave with their window', async () => {
    await pass(auth);
    const count = () =>
      (db.prepare('SELECT count(*) AS n FROM fv_replays').get() as { n: number }).n;
    expect(count()).toBe(1);
    now = Number(TS) + 5 * 60_000 + 10;
    const t = String(now);
    await pass(auth, undefined, {
      timestamp: t,
      authorization: `${KEY}:${fvSignature(SECRET, 'GET', URI, t)}`,
    });
    expect(count()).toBe(1);
  });

  it('refuses a timestamp outside the 5 minute window, either way', async () => {
    now = Number(TS) + 5 * 60_000 + 1;
    expect(await fail(() => auth.authenticate(request()))).toBe('InvalidTimestamp');
    now = Number(TS) - 5 * 60_000 - 1;
    expect(await fail(() => auth.authenticate(request()))).toBe('InvalidTimestamp');
  });

  it('names each header problem', async () => {
    expect(await fail(() => auth.authenticate(request({ authorization: undefined })))).toBe(
      'NoAuthorizationHeaderError',
    );
    expect(await fail(() => auth.authenticate(request({ authorization: SIGNATURE })))).toBe(
      'NoTwoPartAuthorizationError',
    );
    expect(
      await fail(() => auth.authenticate(request({ authorization: `other:${SIGNATURE}` }))),
    ).toBe('InvalidAPIKey');
    expect(await fail(() => auth.authenticate(request({ method: 'POST' })))).toBe(
      'InvalidSignature',
    );
    expect(
      await fail(() => auth.authenticate(request({ authorization: `${KEY}:${'0'.repeat(40)}` }))),
    ).toBe('InvalidSignature');
    expect(await fail(() => auth.authenticate(request({ authorization: `${KEY}:short` })))).toBe(
      'InvalidSignature',
    );
  });

  it('counts hits per minute and refuses beyond max_hits', async () => {
    const at = (ts: number) => {
      now = ts;
      const t = String(ts);
      return auth.authenticate(
        request({ timestamp: t, authorization: `${KEY}:${fvSignature(SECRET, 'GET', URI, t)}` }),
      );
    };
    const minute = Math.ceil(Number(TS) / 60_000) * 60_000;
    await at(minute + 1);
    await at(minute + 2);
    expect(await fail(() => at(minute + 3))).toBe('RateLimitExceeded');
    expect((await at(minute + 60_000)).account.key).toBe(KEY);
  });
});
