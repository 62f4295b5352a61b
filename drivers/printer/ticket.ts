// What the runtime hands to a printer. Validated here because this is the door into the driver.
// No paper width: that is the printer's (its profile), not the ticket's.
import { z } from 'zod';
import { LangSchema } from '../../shared/domain/entities.js';

export const PrintableTicketSchema = z.object({
  storeName: z.string().min(1).max(120),
  logoPng: z
    .instanceof(Uint8Array)
    .refine((b) => b.length <= 2 * 1024 * 1024, 'the logo must be at most 2 MB')
    .optional(),
  /** The store's own words under its name (set in the hub console); none when empty. */
  header: z.string().max(500).optional(),
  serviceName: z.string().min(1).max(120),
  ticket: z.string().min(1).max(12),
  peopleBefore: z.number().int().min(0),
  waitMinutes: z.number().min(0),
  issuedAt: z.iso.datetime({ offset: true }),
  timeZone: z.string().min(1),
  lang: LangSchema,
  qrPayload: z.string().min(1).max(512),
  /** The QR opens the ticket's phone page (false: a scanner-only code, printed offline). */
  qrOpensPage: z.boolean().optional(),
  pager: z.number().int().min(0).max(99999).nullable(),
  footer: z.string().max(500),
});
export type PrintableTicket = z.infer<typeof PrintableTicketSchema>;

export const TestPrintInfoSchema = z.object({
  storeName: z.string().min(1).max(120),
  deviceName: z.string().max(120).default(''),
  lang: LangSchema.default('EN'),
  timeZone: z.string().min(1).default('UTC'),
  at: z.iso.datetime({ offset: true }).optional(),
});
export type TestPrintInfo = z.input<typeof TestPrintInfoSchema>;
