// FileVirtuelle API accounts: key, secret, rights c/r/u/d per entity, organization and
// suborganization filters, fair use and the per-minute request budget (`/api_info`).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { HubRepo } from '../db/hub-repo.js';

export const FV_ENTITIES = [
  'organization',
  'suborganization',
  'device',
  'prequalification',
  'customer',
] as const;
export type FvEntity = (typeof FV_ENTITIES)[number];
export type FvRight = 'c' | 'r' | 'u' | 'd';

const RightsSchema = z
  .object({
    c: z.boolean().default(false),
    r: z.boolean().default(false),
    u: z.boolean().default(false),
    d: z.boolean().default(false),
  })
  .strict();
const ListFilterSchema = z
  .object({
    whitelist: z.array(z.string()).default([]),
    blacklist: z.array(z.string()).default([]),
  })
  .strict();

const allRights = { c: true, r: true, u: true, d: true };
export const ApiAccessSchema = z.object({
  rights: z.partialRecord(z.enum(FV_ENTITIES), RightsSchema).default({
    organization: allRights,
    suborganization: allRights,
    device: allRights,
    prequalification: allRights,
    customer: allRights,
  }),
  filter: z
    .object({
      organizations: ListFilterSchema.prefault({}),
      suborganizations: ListFilterSchema.prefault({}),
    })
    .strict()
    .prefault({}),
});
export type ApiAccess = z.infer<typeof ApiAccessSchema>;

export const ApiAccountSchema = z.object({
  key: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  secret: z.string().min(16),
  name: z.string().min(1).max(200),
  access: ApiAccessSchema.prefault({}),
  testing: z.boolean().default(false),
  fairuse: z
    .object({
      sms: z.number().int().min(0).default(10),
      email: z.number().int().min(0).default(50),
      max_hits: z.number().int().min(1).default(600),
    })
    .prefault({}),
  urls: z.object({ next: z.string().default(''), processed: z.string().default('') }).prefault({}),
  locked: z.boolean().default(false),
});
export type ApiAccount = z.infer<typeof ApiAccountSchema>;

export interface NewApiAccount {
  name: string;
  access?: unknown;
  testing?: boolean;
  maxHits?: number;
  sms?: number;
  email?: number;
}

/** Where accounts are kept: the part of the hub's repo port they need. */
export type ApiAccountRepo = Pick<
  HubRepo,
  'insertApiAccount' | 'apiAccount' | 'apiAccounts' | 'updateApiAccount'
>;

export async function createApiAccount(
  repo: ApiAccountRepo,
  input: NewApiAccount,
): Promise<ApiAccount> {
  const account = ApiAccountSchema.parse({
    key: randomBytes(12).toString('hex'),
    secret: randomBytes(20).toString('hex'),
    name: input.name,
    access: input.access ?? {},
    testing: input.testing ?? false,
    fairuse: {
      ...(input.maxHits !== undefined ? { max_hits: input.maxHits } : {}),
      ...(input.sms !== undefined ? { sms: input.sms } : {}),
      ...(input.email !== undefined ? { email: input.email } : {}),
    },
  });
  await repo.insertApiAccount(account, account, new Date().toISOString());
  return account;
}

export async function getApiAccount(repo: ApiAccountRepo, key: string): Promise<ApiAccount | null> {
  const record = await repo.apiAccount(key);
  return record === null ? null : ApiAccountSchema.parse(record);
}

export async function listApiAccounts(repo: ApiAccountRepo): Promise<ApiAccount[]> {
  return (await repo.apiAccounts()).map((r) => ApiAccountSchema.parse(r));
}

export async function saveApiAccount(repo: ApiAccountRepo, account: ApiAccount): Promise<void> {
  await repo.updateApiAccount(account.key, ApiAccountSchema.parse(account));
}
