// The pager driver's door: `openPager(url, { protocol })` for the runtime.
import { transportFromUrl } from '../transport/url.js';
import type { TransportFactories } from '../transport/url.js';
import { SERIAL_DEFAULTS } from './protocols.js';
import { PagerError, SerialPager } from './pager.js';
import type { Pager, PagerOptions } from './pager.js';

export { PagerError, SerialPager } from './pager.js';
export type { Pager, PagerErrorCode, PagerOptions } from './pager.js';
export type { PeripheralHealth } from '../health.js';
export { capcodeFor, pagerNumberFor, tapChecksum } from './protocols.js';
export type { PagerProtocolName } from './protocols.js';

export interface OpenPagerOptions extends PagerOptions, TransportFactories {}

/** `serial:/dev/ttyUSB0` (baud etc. default per protocol, e.g. JTECH 1200 8N1) or `tcp://host:port`. */
export function openPager(url: string, options: OpenPagerOptions): Pager {
  if (!Object.hasOwn(SERIAL_DEFAULTS, options.protocol)) {
    throw new PagerError('invalid', `Unknown pager protocol "${String(options.protocol)}"`);
  }
  let transport;
  try {
    transport = transportFromUrl(url, SERIAL_DEFAULTS[options.protocol], options);
  } catch (error) {
    throw new PagerError('invalid', (error as Error).message, 0, { cause: error });
  }
  const pager = new SerialPager(transport, options);
  void pager.probe();
  return pager;
}
