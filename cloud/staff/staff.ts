// Staff accounts of the hub: the people who sign in (agents at desks, store managers,
// technicians, owners). The agent API uses them today; the hub console is meant to reuse them
// (same records, same roles, same tokens). Passwords are hashed with scrypt (memory-hard), each
// with its own salt and the parameters it was hashed with, so they can be raised later.
import { randomUUID } from 'node:crypto';
import { hashPassword, PasswordHashSchema, verifyPassword } from '../auth/passwords.js';
import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema } from '../../shared/domain/entities.js';
import type { HubData, HubRepo } from '../db/hub-repo.js';

// The role names are shared with the console (shared/protocol/console.ts).
import { StaffRoleSchema, type StaffRole } from '../../shared/protocol/console.js';
export { StaffRoleSchema, type StaffRole };

export const StaffSchema = z.object({
  id: IdSchema,
  name: z.string().trim().min(1).max(200),
  email: z.email().max(254),
  role: StaffRoleSchema,
  /** Stores where the role applies. Owners and admins act on every store. */
  stores: z.array(IdSchema).default([]),
  password: PasswordHashSchema,
  createdAt: IsoDateTimeSchema,
  /** Where the staff member is signed in as an agent, and their agent status. */
  agent: z
    .object({
      deskId: IdSchema.nullable().default(null),
      lastLoginAt: IsoDateTimeSchema.nullable().default(null),
      status: z.enum(['online', 'offline']).default('offline'),
      statusSince: IsoDateTimeSchema.nullable().default(null),
    })
    .prefault({}),
});
export type Staff = z.infer<typeof StaffSchema>;

/** What `user list` and the console may show: everything but the password hash. */
export type StaffView = Omit<Staff, 'password'>;
export const staffView = ({ password: _password, ...view }: Staff): StaffView => view;

export class StaffError extends Error {
  override name = 'StaffError';
}

/** Whether a staff member may act on a store with one of `roles`. */
export function mayActOn(staff: Staff, storeId: string, roles: readonly StaffRole[]): boolean {
  if (staff.role === 'owner' || staff.role === 'admin') return true;
  return roles.includes(staff.role) && staff.stores.includes(storeId);
}

/** Roles that may sign in at a desk as its agent. */
export const AGENT_ROLES: readonly StaffRole[] = ['agent', 'store_manager'];

/**
 * Whether `password` is this staff member's. For no staff member (an unknown email) it still
 * hashes once, so the answer takes as long and does not tell which emails exist.
 */
export async function verifyStaffPassword(staff: Staff | null, password: string): Promise<boolean> {
  return verifyPassword(password, staff?.password ?? null);
}

/** Passwords: at least 8 characters, at most 200 (scrypt takes any length; a bound is sane). */
export function checkPassword(password: string): void {
  if (password.length < 8) throw new StaffError('the password must have at least 8 characters');
  if (password.length > 200) throw new StaffError('the password may have at most 200 characters');
}

const normalEmail = (email: string) => email.trim().toLowerCase();

export async function findStaff(
  repo: HubData,
  by: { id: string } | { email: string },
): Promise<Staff | null> {
  const record =
    'id' in by ? await repo.staffById(by.id) : await repo.staffByEmail(normalEmail(by.email));
  return record === null ? null : StaffSchema.parse(record);
}

export async function listStaff(repo: HubData): Promise<StaffView[]> {
  return (await repo.staffList()).map((r) => staffView(StaffSchema.parse(r)));
}

export async function saveStaff(repo: HubData, staff: Staff): Promise<void> {
  await repo.updateStaff(staff, StaffSchema.parse(staff));
}

export interface NewStaff {
  name: string;
  email: string;
  role: string;
  stores?: readonly string[];
  password: string;
}

export async function createStaff(repo: HubRepo, input: NewStaff, now: Date): Promise<StaffView> {
  checkPassword(input.password);
  const parsed = StaffSchema.safeParse({
    id: randomUUID(),
    name: input.name,
    email: normalEmail(input.email),
    role: input.role,
    stores: input.stores ?? [],
    password: await hashPassword(input.password),
    createdAt: now.toISOString(),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StaffError(`${issue?.path.join('.') ?? 'staff'}: ${issue?.message ?? 'invalid'}`);
  }
  const staff = parsed.data;
  for (const storeId of staff.stores) {
    if ((await repo.store(storeId)) === null)
      throw new StaffError(`store ${storeId} does not exist`);
  }
  if ((await repo.staffByEmail(staff.email)) !== null)
    throw new StaffError(`a staff member with email ${staff.email} already exists`);
  await repo.insertStaff(staff, staff, staff.createdAt);
  return staffView(staff);
}

/** A new password; every token the staff member holds is revoked. */
export async function changePassword(
  repo: HubRepo,
  email: string,
  password: string,
  now: Date,
): Promise<void> {
  checkPassword(password);
  const hash = await hashPassword(password);
  const staff = await findStaff(repo, { email });
  if (staff === null) throw new StaffError(`no staff member has email ${email}`);
  await repo.transaction({ storeIds: [] }, async (tx) => {
    await saveStaff(tx, { ...staff, password: hash });
    await tx.revokeStaffTokens({ staffId: staff.id }, now.toISOString());
  });
}
