// Who may do what in the console: the role's permissions (shared/protocol/console.ts) on the
// stores the staff member is attached to. A store the user may not see answers 404 like one that
// does not exist (its existence is not revealed); a store they see but a role that may not do
// this answers 403.
import type { Store } from '../../shared/domain/entities.js';
import {
  ROLE_PERMISSIONS,
  type ConsoleError,
  type ConsoleErrorCode,
  type ConsolePermission,
  type ConsoleUser,
} from '../../shared/protocol/console.js';
import type { Staff } from '../staff/staff.js';

export class ConsoleHttpError extends Error {
  override name = 'ConsoleHttpError';
  constructor(
    readonly status: number,
    readonly code: ConsoleErrorCode,
    message: string,
    readonly extra: Omit<ConsoleError, 'error' | 'message'> = {},
  ) {
    super(message);
  }
  body(): ConsoleError {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

export const seesAllStores = (staff: Staff): boolean =>
  staff.role === 'owner' || staff.role === 'admin';

export const mayDo = (staff: Staff, permission: ConsolePermission): boolean =>
  ROLE_PERMISSIONS[staff.role].includes(permission);

export const seesStore = (staff: Staff, storeId: string): boolean =>
  seesAllStores(staff) || staff.stores.includes(storeId);

/** The stores the staff member may see, from all of the hub's. */
export const visibleStores = (staff: Staff, stores: readonly Store[]): Store[] =>
  stores.filter((s) => seesStore(staff, s.id));

/** 403 unless the role has `permission` (on some store). */
export function requirePermission(staff: Staff, permission: ConsolePermission): void {
  if (!mayDo(staff, permission)) {
    throw new ConsoleHttpError(
      403,
      'forbidden',
      `Your role (${staff.role}) may not do this (${permission}).`,
    );
  }
}

/** The store when the staff member may see it and do `permission` there: else 404 / 403. */
export function requireStore(
  staff: Staff,
  store: Store | null,
  storeId: string,
  permission: ConsolePermission,
): Store {
  if (store === null || !seesStore(staff, store.id)) {
    throw new ConsoleHttpError(404, 'not_found', `No store ${storeId} that you may see.`);
  }
  requirePermission(staff, permission);
  return store;
}

export function userView(staff: Staff, stores: readonly Store[]): ConsoleUser {
  return {
    id: staff.id,
    name: staff.name,
    email: staff.email,
    role: staff.role,
    allStores: seesAllStores(staff),
    stores: visibleStores(staff, stores).map((s) => ({
      id: s.id,
      organizationId: s.organizationId,
      name: s.name,
      timeZone: s.timeZone,
      langs: s.langs,
    })),
    permissions: [...ROLE_PERMISSIONS[staff.role]],
  };
}
