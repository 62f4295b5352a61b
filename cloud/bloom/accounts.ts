// Bloom customer accounts: passwords hashed with scrypt (cloud/auth/passwords.ts), `vt_token`s as random
// revocable bearer credentials stored hashed, and one-time password reset tokens (shown by
// `lineup-hub bloom resets` until the notification path mails them).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hashPassword, PasswordHashSchema } from '../auth/passwords.js';
import type { HubData, HubRepo } from '../db/hub-repo.js';
import { hashToken, newObjectId } from '../db/ids.js';

export const VT_TOKEN_DAYS = 30;
export const RESET_TOKEN_HOURS = 2;
export const BloomAccountSchema = z.object({
  id: z.string(),
  username: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  firstName: z.string(),
  lastName: z.string(),
  /** Null for an account with no password. */
  passwordHash: PasswordHashSchema.nullable(),
  oauthProvider: z.string().nullable(),
  pushNotificationKey: z.string().nullable(),
  address: z.string().nullable(),
  preferredLanguage: z.string().nullable(),
  /** Extra attributes set through `customer_attribute` on login. */
  attributes: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  resetTokenAt: z.iso.datetime().nullable(),
});
export type BloomAccount = z.infer<typeof BloomAccountSchema>;

export const displayName = (a: BloomAccount): string =>
  [a.firstName, a.lastName].filter((s) => s !== '').join(' ') || (a.username ?? '');

export class BloomAccounts {
  /** Where reads and writes go: the repo, or the transaction `resetPassword` runs in. */
  private readonly data: HubData;

  constructor(
    private readonly repo: HubRepo,
    private readonly clock: () => Date = () => new Date(),
    data?: HubData,
  ) {
    this.data = data ?? repo;
  }

  private parse(raw: unknown): BloomAccount | null {
    return raw === null || raw === undefined ? null : BloomAccountSchema.parse(raw);
  }
  async byId(id: string): Promise<BloomAccount | null> {
    return this.parse(await this.data.bloomAccount({ id }));
  }
  async byUsername(username: string): Promise<BloomAccount | null> {
    return this.parse(await this.data.bloomAccount({ username }));
  }
  async byEmail(email: string): Promise<BloomAccount | null> {
    return this.parse(await this.data.bloomAccount({ email: email.toLowerCase() }));
  }

  async create(
    fields: Omit<BloomAccount, 'id' | 'createdAt' | 'updatedAt' | 'resetTokenAt'>,
  ): Promise<BloomAccount> {
    const now = this.clock().toISOString();
    const account = BloomAccountSchema.parse({
      ...fields,
      email: fields.email?.toLowerCase() ?? null,
      id: newObjectId(),
      createdAt: now,
      updatedAt: now,
      resetTokenAt: null,
    });
    await this.data.insertBloomAccount(rowOf(account));
    return account;
  }

  async save(account: BloomAccount): Promise<BloomAccount> {
    const saved = BloomAccountSchema.parse({ ...account, updatedAt: this.clock().toISOString() });
    await this.data.updateBloomAccount(rowOf(saved));
    return saved;
  }

  /** A new `vt_token` for the account (the only time it is seen in clear). */
  async issueToken(accountId: string): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    const expires = this.clock().getTime() + VT_TOKEN_DAYS * 86_400_000;
    await this.data.insertBloomToken(hashToken(token), accountId, expires);
    return token;
  }

  /** The account a live `vt_token` belongs to. */
  async accountOfToken(token: string): Promise<BloomAccount | null> {
    const id = await this.data.bloomTokenAccount(hashToken(token), this.clock().getTime());
    return id === null ? null : this.byId(id);
  }

  /** A reset token for the account with this email, if there is one (true either way). */
  async requestReset(email: string): Promise<void> {
    const account = await this.byEmail(email);
    if (account === null || account.email === null) return;
    const now = this.clock();
    await this.data.insertBloomReset({
      token: randomBytes(18).toString('base64url'),
      accountId: account.id,
      email: account.email,
      expiresMs: now.getTime() + RESET_TOKEN_HOURS * 3_600_000,
    });
    await this.save({ ...account, resetTokenAt: now.toISOString() });
  }

  /** Sets a new password with a pending reset token; every older `vt_token` is revoked. */
  async resetPassword(token: string, password: string): Promise<BloomAccount | null> {
    // Hashed before the write lock is taken: scrypt is slow on purpose.
    const passwordHash = await hashPassword(password);
    return this.repo.transaction({ storeIds: [] }, async (tx) => {
      const inTx = new BloomAccounts(this.repo, this.clock, tx);
      const id = await tx.takeBloomReset(token, this.clock().getTime());
      const account = id === null ? null : await inTx.byId(id);
      if (account === null) return null;
      await tx.revokeBloomTokens(account.id);
      return inTx.save({ ...account, passwordHash, resetTokenAt: null });
    });
  }
}

const rowOf = (a: BloomAccount) => ({
  id: a.id,
  username: a.username,
  email: a.email,
  record: a,
});
