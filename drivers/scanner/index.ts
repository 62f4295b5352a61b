// The scanner driver's door: `openScanner(url, options)` for the runtime.
import { transportFromUrl } from '../transport/url.js';
import type { TransportFactories } from '../transport/url.js';
import { SerialScanner } from './scanner.js';
import type { Scanner, ScannerOptions } from './scanner.js';

export { SerialScanner } from './scanner.js';
export type { Scan, Scanner, ScannerOptions } from './scanner.js';
export { ScanFramer, ScanFramerStream } from './framing.js';
export type { Frame, FramerOptions, ScanSuffix } from './framing.js';

export interface OpenScannerOptions extends ScannerOptions, TransportFactories {}

/** `serial:/dev/ttyACM0?baud=9600` (USB-CDC scanners) or `tcp://host:port` (network scanners). */
export function openScanner(url: string, options: OpenScannerOptions = {}): Scanner {
  return new SerialScanner(transportFromUrl(url, { baudRate: 9600 }, options), options);
}
