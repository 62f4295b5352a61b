export { createWedgeDetector } from './wedge.js';
export type { KeyInput, WedgeDetector, WedgeOptions, WedgeOutcome } from './wedge.js';
export {
  MAX_SCAN_LENGTH,
  formatLineupAppointmentQr,
  formatLineupTicketQr,
  parseScanPayload,
  ScanPayloadSchema,
} from './payload.js';
export type { ScanParseResult, ScanPayload } from './payload.js';
