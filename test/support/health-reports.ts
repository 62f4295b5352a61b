// The hardware reports the hub tests send as an appliance would: a printer out of paper, and one
// ready again (no pager, no scanner).
import type { DeviceHealth } from '../../shared/protocol/sync.js';

export const PAPER_OUT: DeviceHealth = {
  printer: 'paper_out',
  printerMessage: 'Out of paper.',
  pager: null,
  scanner: null,
};

export const READY: DeviceHealth = {
  printer: 'ready',
  printerMessage: null,
  pager: null,
  scanner: null,
};
