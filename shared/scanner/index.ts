export { createWedgeDetector } from './wedge.js';
export type { KeyInput, WedgeDetector, WedgeOptions, WedgeOutcome } from './wedge.js';
export {
  MAX_SCAN_LENGTH,
  formatLineupAppointmentQr,
  formatLineupTicketQr,
  formatTicketPageUrl,
  PageTokenSchema,
  parseScanPayload,
  ScanPayloadSchema,
  ticketPageBase,
} from './payload.js';
export type { ScanParseOptions, ScanParseResult, ScanPayload } from './payload.js';
