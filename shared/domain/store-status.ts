// Whether the store is open, as the kiosks say it: closed when no desk is open, closing soon
// when every open desk is pre-closed (FileVirtuelle `pre_close`).
import type { Device } from './entities.js';

export type StoreOpenState = 'open' | 'closing_soon' | 'closed';

/** Open for the store: open and not closed with redirect (a paused desk is still open). */
export function isDeskOpen(desk: Device): boolean {
  return desk.role === 'desk' && desk.status.open && !desk.status.redirect;
}

export function storeOpenState(devices: readonly Device[]): StoreOpenState {
  const open = devices.filter(isDeskOpen);
  if (open.length === 0) return 'closed';
  return open.every((d) => d.status.preClose) ? 'closing_soon' : 'open';
}
