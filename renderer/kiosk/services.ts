// The service tree as a kiosk shows it: roots and children this machine offers, in
// `machineOrder`, then by name so the order is stable.
import type { Service } from '../../shared/domain/entities.js';
import type { StoreSnapshot } from '../../shared/protocol/sync.js';

export function offeredOn(service: Service, machineId: string | null): boolean {
  return (
    service.machineIds.length === 0 ||
    (machineId !== null && service.machineIds.includes(machineId))
  );
}

function byMachineOrder(a: Service, b: Service): number {
  return a.machineOrder - b.machineOrder || a.id.localeCompare(b.id);
}

/** The services shown at `path` (empty path: the roots). */
export function servicesAt(
  snapshot: StoreSnapshot,
  path: readonly string[],
  machineId: string | null,
): Service[] {
  const byId = new Map(snapshot.services.map((s) => [s.id, s]));
  const parentId = path.at(-1);
  let list: Service[];
  if (parentId === undefined) {
    const childIds = new Set(snapshot.services.flatMap((s) => s.childIds));
    // Roots are flagged; a store that flags none gets every service nobody lists as a child.
    const flagged = snapshot.services.filter((s) => s.isRoot);
    list = flagged.length > 0 ? flagged : snapshot.services.filter((s) => !childIds.has(s.id));
  } else {
    const parent = byId.get(parentId);
    list = (parent?.childIds ?? []).flatMap((id) => {
      const s = byId.get(id);
      return s === undefined ? [] : [s];
    });
  }
  return list.filter((s) => offeredOn(s, machineId)).sort(byMachineOrder);
}

export function isMenu(service: Service): boolean {
  return service.childIds.length > 0;
}
