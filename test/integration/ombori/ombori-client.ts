// An Ombori ticket client written from the seed alone (ombori-queue-ticket-format.txt) and the
// hub's documented routes (README: /ombori/v1/stores/{storeId}/tickets with a staff bearer
// token from POST /v1/login). It knows only the wire format: no imports from cloud/ or shared/.
import { z } from 'zod';

const Iso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO string');
const Local = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, 'yyyy-MM-dd HH:mm');

/** The seed's ticket: every field it documents, nothing else. */
export const OmboriTicketSchema = z.strictObject({
  id: z.string(),
  location: z.string().nullable(),
  type: z.enum(['anonymous', 'booking', 'manual']),
  priority: z.number(),
  locale: z.string(),
  registrationData: z.record(z.string(), z.strictObject({ value: z.string() })).optional(),
  notification: z
    .strictObject({
      type: z.enum(['phoneNumber', 'email']),
      settings: z.strictObject({
        from: z.string().optional(),
        to: z.string().optional(),
        recipient: z.string().optional(),
      }),
    })
    .optional(),
  booking: z
    .strictObject({
      start: Local,
      end: Local,
      appointment: z
        .strictObject({
          displayName: z.string().optional(),
          eventId: z.string().optional(),
          managerEmail: z.string().optional(),
          managerId: z.string().optional(),
        })
        .optional(),
      virtualAppointment: z
        .strictObject({
          isEnabled: z.boolean(),
          eventId: z.string().optional(),
          url: z.string().optional(),
          managerId: z.string().optional(),
          managerEmail: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  servedBy: z
    .strictObject({
      id: z.string(),
      email: z.string(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      displayName: z.string().optional(),
    })
    .optional(),
  status: z.enum(['draft', 'pending', 'notified', 'fulfilled', 'completed', 'rejected']),
  extraStatus: z
    .strictObject({
      goToEntrance: z.boolean().optional(),
      rejectedByCustomer: z.boolean().optional(),
    })
    .optional(),
  station: z.strictObject({ id: z.string(), label: z.string() }).optional(),
  label: z.string(),
  queue: z.string(),
  createdAt: Iso,
  fulfilledAt: Iso.nullable().optional(),
  calledAt: Iso.nullable().optional(),
  completedAt: Iso.nullable().optional(),
  rejectedAt: Iso.nullable().optional(),
  bookingReminderAt: Iso.nullable().optional(),
  QRCodeCheckInPositionId: z.string().optional(),
});
export type OmboriTicket = z.infer<typeof OmboriTicketSchema>;

export const ErrorSchema = z.strictObject({ error: z.string(), message: z.string() });

export const ImportResultSchema = z.union([
  z.strictObject({
    id: z.string().nullable(),
    ok: z.literal(true),
    customerId: z.string(),
    created: z.boolean(),
    ticket: z.string(),
  }),
  z.strictObject({ id: z.string().nullable(), ok: z.literal(false), error: z.string() }),
]);

async function call(
  hub: string,
  method: string,
  path: string,
  token: string | null,
  body?: string,
) {
  const res = await fetch(new URL(path, hub), {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

const tickets = (store: string) => `/ombori/v1/stores/${encodeURIComponent(store)}/tickets`;

export type Answer<T> =
  { status: 200; body: T } | { status: number; body: z.infer<typeof ErrorSchema> };

function answer<T>(r: { status: number; json: unknown }, ok: z.ZodType<T>): Answer<T> {
  return r.status === 200
    ? { status: 200, body: ok.parse(r.json) }
    : { status: r.status, body: ErrorSchema.parse(r.json) };
}

export const exportTickets = async (hub: string, store: string, token: string | null) =>
  answer(await call(hub, 'GET', tickets(store), token), z.array(OmboriTicketSchema));

export const exportTicket = async (hub: string, store: string, id: string, token: string | null) =>
  answer(
    await call(hub, 'GET', `${tickets(store)}/${encodeURIComponent(id)}`, token),
    OmboriTicketSchema,
  );

/** Pushes one ticket or a batch (`?service=` names the service for stations it does not know). */
export const importTickets = async (
  hub: string,
  store: string,
  body: unknown,
  token: string | null,
  service?: string,
) =>
  answer(
    await call(
      hub,
      'POST',
      `${tickets(store)}${service === undefined ? '' : `?service=${encodeURIComponent(service)}`}`,
      token,
      typeof body === 'string' ? body : JSON.stringify(body),
    ),
    z.strictObject({ results: z.array(ImportResultSchema) }),
  );

/** A staff token (no desk) from the hub's sign-in. */
export async function staffToken(hub: string, email: string, password: string): Promise<string> {
  const r = await call(hub, 'POST', '/v1/login', null, JSON.stringify({ email, password }));
  return z.object({ token: z.string() }).parse(r.json).token;
}
