// What the hub CLI does for phones: turn a store's phone queue on and set where it is
// (`lineup-hub bloom settings`), and list the pending password resets (`lineup-hub bloom
// resets`) until the notification path mails them.
import { StoreSchema, type Store } from '../../shared/domain/entities.js';
import { ADMIN_ORIGIN, AdminError } from '../engine/admin.js';
import type { HubEngine } from '../engine/hub-engine.js';

/** Merges `fields` ({"phoneQueue": {...}, "location": {...}}) into the store; devices hear it. */
export function updatePhoneSettings(
  engine: HubEngine,
  storeId: string,
  fields: { phoneQueue?: unknown; location?: unknown },
): Promise<Store> {
  const unknown = Object.keys(fields).filter((k) => k !== 'phoneQueue' && k !== 'location');
  if (unknown.length > 0)
    throw new AdminError(
      `Only phoneQueue and location can be set here, not ${unknown.join(', ')}.`,
    );
  return engine.mutate(
    async (append, tx) => {
      const current = await tx.store(storeId);
      if (current === null) throw new AdminError(`Store ${storeId} does not exist.`);
      const merge = (base: object, patch: unknown) =>
        patch !== null && typeof patch === 'object' && !Array.isArray(patch)
          ? { ...base, ...patch }
          : patch === undefined
            ? base
            : patch;
      const parsed = StoreSchema.safeParse({
        ...current,
        phoneQueue: merge(current.phoneQueue, fields.phoneQueue),
        location: merge(current.location, fields.location),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AdminError(`${issue?.path.join('.') ?? 'store'}: ${issue?.message ?? 'invalid'}`);
      }
      await append(storeId, 'store_updated', { kind: 'store', store: parsed.data }, ADMIN_ORIGIN);
      return parsed.data;
    },
    [storeId],
  );
}

export async function pendingResets(
  engine: HubEngine,
  now = new Date(),
): Promise<{ email: string; token: string; expiresAt: string }[]> {
  return (await engine.repo.pendingBloomResets(now.getTime())).map((r) => ({
    email: r.email,
    token: r.token,
    expiresAt: new Date(r.expiresMs).toISOString(),
  }));
}
