// Bloom accounts on a real hub database (SQLite or Postgres), with the clock moved: vt_tokens
// and reset tokens expire, a reset token works once, a new password revokes older vt_tokens.
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../cloud/auth/passwords.js';
import { BloomAccounts } from '../../../cloud/bloom/accounts.js';
import type { HubRepo } from '../../../cloud/db/hub-repo.js';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { removeDir, tempDataDir } from '../hub/harness.js';

const DAY = 86_400_000;
let dir: string | null = null;
let repo: HubRepo | null = null;

afterEach(async () => {
  await repo?.close();
  if (dir !== null) removeDir(dir);
  repo = null;
  dir = null;
});

async function setup() {
  dir = tempDataDir();
  repo = await openTestHubRepo(dir);
  let now = Date.parse('2026-03-01T10:00:00Z');
  const accounts = new BloomAccounts(repo, () => new Date(now));
  const account = await accounts.create({
    username: 'ana',
    email: 'Ana@Example.com',
    phone: null,
    firstName: 'Ana',
    lastName: '',
    passwordHash: await hashPassword('first-password'),
    oauthProvider: null,
    pushNotificationKey: null,
    address: null,
    preferredLanguage: null,
    attributes: {},
  });
  return { accounts, account, advance: (ms: number) => (now += ms), repo };
}

describe('Bloom accounts', () => {
  it('hashes passwords with scrypt and verifies them', async () => {
    const stored = await hashPassword('secret-words');
    expect(stored).toMatchObject({ algorithm: 'scrypt', N: 2 ** 15, r: 8, p: 1, keyLength: 64 });
    expect(Buffer.from(stored.salt, 'base64')).toHaveLength(16);
    expect(Buffer.from(stored.hash, 'base64')).toHaveLength(64);
    expect(await verifyPassword('secret-words', stored)).toBe(true);
    expect(await verifyPassword('secret-word', stored)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false);
  });

  it('a vt_token lives 30 days; stored hashed', async () => {
    const { accounts, account, advance } = await setup();
    const token = await accounts.issueToken(account.id);
    expect((await accounts.accountOfToken(token))?.id).toBe(account.id);
    advance(29 * DAY);
    expect((await accounts.accountOfToken(token))?.id).toBe(account.id);
    advance(2 * DAY);
    expect(await accounts.accountOfToken(token)).toBeNull();
  });

  it('a reset token works once, within two hours, and revokes older vt_tokens', async () => {
    const { accounts, account, advance, repo } = await setup();
    const old = await accounts.issueToken(account.id);
    await accounts.requestReset('ana@example.com');
    const [pending] = await repo.pendingBloomResets(Date.parse('2026-03-01T10:00:00Z'));
    expect(pending?.email).toBe('ana@example.com');
    advance(3 * 3_600_000);
    expect(await accounts.resetPassword(pending?.token ?? '', 'second-password')).toBeNull();

    await accounts.requestReset('ana@example.com');
    const fresh = (await repo.pendingBloomResets(Date.parse('2026-03-01T13:00:00Z')))[0];
    expect((await accounts.resetPassword(fresh?.token ?? '', 'second-password'))?.id).toBe(
      account.id,
    );
    expect(await accounts.resetPassword(fresh?.token ?? '', 'third-password')).toBeNull();
    expect(await accounts.accountOfToken(old)).toBeNull();
    expect(
      await verifyPassword(
        'second-password',
        (await accounts.byId(account.id))?.passwordHash ?? null,
      ),
    ).toBe(true);
  });
});
