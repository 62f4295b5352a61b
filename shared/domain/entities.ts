// The queue domain's entities, with clear names. Wire names of each outside API (FileVirtuelle,
// Ombori, Lineberty...) live in shared/adapters, never here.
import { z } from 'zod';

/** ISO 639-1 code, upper case as FileVirtuelle writes it (EN, FR, SV, AR). */
export const LangSchema = z
  .string()
  .regex(/^[A-Z]{2}$/, 'a two-letter ISO 639-1 code such as EN or FR');
export type Lang = z.infer<typeof LangSchema>;

/** Text per language; a missing language falls back (see pickText in shared/i18n). */
export const LocalizedTextSchema = z.record(z.string(), z.string());
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');
export type Id = z.infer<typeof IdSchema>;

export const IsoDateTimeSchema = z.iso.datetime({ offset: true });
export const ColorSchema = z
  .string()
  .regex(/^#[0-9A-Fa-f]{3}([0-9A-Fa-f]{3})?$/, 'a #RRGGBB colour');

export const OrganizationSchema = z.object({
  id: IdSchema,
  name: z.string().min(1).max(200),
  logo: z.string().max(2048).default(''),
  colorOne: ColorSchema.default('#1F3A5F'),
  colorTwo: ColorSchema.default('#FFFFFF'),
});
export type Organization = z.infer<typeof OrganizationSchema>;

const MessageTextsSchema = z.object({
  wait: LocalizedTextSchema.default({}),
  go: LocalizedTextSchema.default({}),
  comeback: LocalizedTextSchema.default({}),
  screen: LocalizedTextSchema.default({}),
  meeting: LocalizedTextSchema.default({}),
});

export const SmsSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Country whose calling code is assumed when a number has none (ISO 3166 alpha-2). */
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('FR'),
  provider: z.string().default(''),
  sender: z.string().default(''),
  extras: z.array(z.unknown()).default([]),
  texts: MessageTextsSchema.prefault({}),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
});

export const EmailSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  subjects: MessageTextsSchema.prefault({}),
  texts: MessageTextsSchema.prefault({}),
  provider: z.string().default('sendgrid'),
  sender: z.string().default(''),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
});

/** What a screen (and a desk) may show of a customer. Screens never show phone or email. */
export const DisplayRuleSchema = z.object({
  screen: z.enum(['ticket', 'first-name', 'masked-name']).default('ticket'),
  desk: z.enum(['full-name', 'first-name', 'ticket']).default('full-name'),
});
export type DisplayRule = z.infer<typeof DisplayRuleSchema>;

/** A store: FileVirtuelle's suborganization, with its whole configuration. */
/** Where a store is, for customers finding it from a phone (Bloom `locations`). */
export const StoreLocationSchema = z.object({
  address: z.string().max(300).default(''),
  city: z.string().max(100).default(''),
  region: z.string().max(100).default(''),
  country: z.string().max(100).default(''),
  /** Decimal degrees; null when unknown (the radius rule and distance filters then skip it). */
  latitude: z.number().min(-90).max(90).nullable().default(null),
  longitude: z.number().min(-180).max(180).nullable().default(null),
  /** Today's opening periods, store-local "HH:mm" (every day alike); empty means "while a desk is open". */
  workingHours: z
    .array(
      z.object({
        from: z.string().regex(/^\d{2}:\d{2}$/),
        to: z.string().regex(/^\d{2}:\d{2}$/),
      }),
    )
    .max(8)
    .default([]),
});
export type StoreLocation = z.infer<typeof StoreLocationSchema>;

/** Joining the queue from a phone (the Bloom API and the mobile page); off by default. */
export const PhoneQueueSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Kilometres: a phone that sends its position from farther away is refused (0: no limit). */
  radiusKm: z.number().min(0).max(20_000).default(0),
  /**
   * Phone joins open once the line is long enough to be worth it: at least `minCustomers`
   * waiting in the service, or at least `minWaitingMinutes` of estimated wait. A 0 sets no
   * such condition; both 0: always open.
   */
  minCustomers: z.number().int().min(0).default(0),
  minWaitingMinutes: z.number().int().min(0).default(0),
  /** One phone (Bloom account or browser) may hold several live tickets. */
  allowMultiTicket: z.boolean().default(false),
  /** Phone joins (ticket creations) allowed per IP address per minute. */
  joinsPerMinutePerIp: z.number().int().min(1).max(1000).default(10),
});
export type PhoneQueueSettings = z.infer<typeof PhoneQueueSettingsSchema>;

export const StoreSchema = z.object({
  id: IdSchema,
  organizationId: IdSchema,
  name: z.string().min(1).max(200),
  storeCode: z.string().default(''),
  langs: z.array(LangSchema).min(1),
  /** IANA time zone; the ticket numbering day starts at local midnight here. */
  timeZone: z.string().min(1),
  sms: SmsSettingsSchema.prefault({}),
  email: EmailSettingsSchema.prefault({}),
  /** Desks may be closed during the day (FileVirtuelle `floating_desks`). */
  floatingDesks: z.boolean().default(true),
  notifyOnCall: z.boolean().default(false),
  notifyOnCheckIn: z.boolean().default(false),
  /** Customers may register with just a name (FileVirtuelle `undigital`). */
  allowNameRegistration: z.boolean().default(true),
  /** Services of a closed-with-redirect desk go to the other desks. */
  redirectDesks: z.boolean().default(true),
  /** A desk may finish a called customer in one press (no separate "start serving"). */
  finishFromCalled: z.boolean().default(false),
  /** "Turn is near" counts people rather than minutes. */
  callByPeople: z.boolean().default(true),
  /** Minutes before the appointment time a checked-in customer may be called (`tbm`). */
  appointmentLeadMinutes: z.number().int().min(0).default(10),
  /** People before the customer when the turn is near (`ptc`). */
  turnNearPeople: z.number().int().min(0).default(2),
  /** Minutes before the customer's turn when it is near (`ttc`). */
  turnNearMinutes: z.number().int().min(0).default(10),
  cssTemplate: z.string().default('default'),
  appointments: z
    .object({
      onMachine: z.boolean().default(false),
      block: z.number().int().min(0).default(0),
      expiredAfterMinutes: z.number().int().min(0).default(10),
      enabled: z.boolean().default(false),
      provider: z.string().default(''),
      pull: z.boolean().default(false),
      pullIntervalMs: z.number().int().min(0).default(0),
    })
    .prefault({}),
  alerts: z.record(z.string(), z.unknown()).default({}),
  pagers: z
    .object({ enabled: z.boolean().default(false), provider: z.string().default('') })
    .prefault({}),
  extraCodes: z.record(z.string(), z.unknown()).default({}),
  blockDesks: z.object({ enabled: z.boolean().default(false) }).prefault({}),
  display: DisplayRuleSchema.prefault({}),
  location: StoreLocationSchema.prefault({}),
  phoneQueue: PhoneQueueSettingsSchema.prefault({}),
  /** Store-local days (YYYY-MM-DD) the store is closed (holidays), set from the hub console. */
  closedDays: z
    .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .max(366)
    .default([]),
  /** Words printed on every ticket, per language; empty means the catalog's default. */
  ticketTexts: z
    .object({
      header: LocalizedTextSchema.default({}),
      footer: LocalizedTextSchema.default({}),
    })
    .prefault({}),
});
export type Store = z.infer<typeof StoreSchema>;

export const DeviceRoleSchema = z.enum(['machine', 'desk', 'screen']);
export type DeviceRole = z.infer<typeof DeviceRoleSchema>;

export const MacSchema = z
  .string()
  .transform((s) => s.trim().toUpperCase().replaceAll('-', ':'))
  .pipe(
    z.string().regex(/^([0-9A-F]{2}:){5}[0-9A-F]{2}$/, 'a MAC address such as AC:AF:B9:37:CB:46'),
  );

export const DeskStatusSchema = z.object({
  open: z.boolean().default(true),
  pause: z.boolean().default(false),
  /** Still calls, but if every desk is pre-closed the kiosks say the store closes soon. */
  preClose: z.boolean().default(false),
  /** Closed, and its services are handled by the other desks. */
  redirect: z.boolean().default(false),
});
export type DeskStatus = z.infer<typeof DeskStatusSchema>;

export const DeviceSchema = z.object({
  id: IdSchema,
  organizationId: IdSchema,
  storeId: IdSchema,
  name: z.string().min(1).max(200),
  hostname: z.string().min(1).max(253),
  mac: MacSchema,
  role: DeviceRoleSchema,
  template: z.string().default(''),
  /** A desk that calls automatically (statistics for informational services). */
  autoSink: z.boolean().default(false),
  htmlName: LocalizedTextSchema.default({}),
  orientation: LocalizedTextSchema.default({}),
  htmlOrientation: LocalizedTextSchema.default({}),
  pause: z
    .object({
      since: IsoDateTimeSchema.nullable().default(null),
      minutes: z.number().int().min(0).default(0),
    })
    .prefault({}),
  status: DeskStatusSchema.prefault({}),
  askBeforeClosing: z.boolean().default(false),
  notifyOnRegister: z.boolean().default(false),
  /** The staff member signed in at this desk (the agent API), if any. */
  agent: z
    .object({ staffId: IdSchema, name: z.string().max(200), since: IsoDateTimeSchema })
    .nullable()
    .default(null),
});
export type Device = z.infer<typeof DeviceSchema>;

/** A service a customer can queue for: FileVirtuelle's prequalification (a tree). */
export const ServiceSchema = z.object({
  id: IdSchema,
  storeId: IdSchema,
  name: LocalizedTextSchema,
  htmlName: LocalizedTextSchema.default({}),
  header: LocalizedTextSchema.default({}),
  subheader: LocalizedTextSchema.default({}),
  subtitle: LocalizedTextSchema.default({}),
  orientation: LocalizedTextSchema.default({}),
  /** Device ids; an empty list means every device of that role. */
  machineIds: z.array(IdSchema).default([]),
  deskIds: z.array(IdSchema).default([]),
  screenIds: z.array(IdSchema).default([]),
  /** Children in the tree; a service with children is a menu, not a queue. */
  childIds: z.array(IdSchema).default([]),
  prioritize: z.boolean().default(false),
  notify: z.boolean().default(false),
  isDefault: z.boolean().default(false),
  isRoot: z.boolean().default(false),
  /** Person with reduced mobility: served first and shown distinctly. */
  prm: z.boolean().default(false),
  appointment: z.boolean().default(false),
  /** Average minutes a desk spends on one customer of this service. */
  serviceMinutes: z.number().int().min(0).default(5),
  machineOrder: z.number().int().default(0),
  deskOrder: z.number().int().default(0),
  trigger: z.string().default(''),
  /** Ticket number prefix (A, B, ...): numbering is per prefix, store and day. */
  ticketPrefix: z
    .string()
    .regex(/^[A-Z]{0,2}$/)
    .default('A'),
});
export type Service = z.infer<typeof ServiceSchema>;

export const CustomerStateSchema = z.enum([
  'booked',
  'waiting',
  'called',
  'serving',
  'done',
  'no_show',
  'cancelled',
]);
export type CustomerState = z.infer<typeof CustomerStateSchema>;

export const ContactModeSchema = z.enum(['name', 'phone', 'email', 'pager', 'anonymous']);
export type ContactMode = z.infer<typeof ContactModeSchema>;

export const ContactSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{6,20}$/, 'a phone number')
    .optional(),
  email: z.email().max(254).optional(),
  title: z.string().max(20).optional(),
});
export type Contact = z.infer<typeof ContactSchema>;

export const AppointmentSchema = z.object({
  at: IsoDateTimeSchema,
  externalId: z.string().max(200).optional(),
  expired: z.boolean().default(false),
  /** End of the booked slot, when the booking says (a partner's booking keeps its own). */
  endsAt: IsoDateTimeSchema.optional(),
});
export type Appointment = z.infer<typeof AppointmentSchema>;

export const CustomerSchema = z.object({
  id: IdSchema,
  storeId: IdSchema,
  serviceId: IdSchema,
  /** The path taken through the service tree, root first, ending with serviceId. */
  servicePath: z.array(IdSchema),
  machineId: IdSchema.nullable(),
  lang: LangSchema,
  registeredBy: z.string(),
  contactMode: ContactModeSchema,
  contact: ContactSchema.prefault({}),
  pager: z.number().int().min(0).nullable().default(null),
  state: CustomerStateSchema,
  ticketPrefix: z.string(),
  ticketNumber: z.number().int().min(1),
  /** Store-local day (YYYY-MM-DD) the number belongs to. */
  ticketDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  ticket: z.string(),
  prioritized: z.boolean().default(false),
  appointment: AppointmentSchema.nullable().default(null),
  registeredAt: IsoDateTimeSchema,
  checkedInAt: IsoDateTimeSchema.nullable().default(null),
  /** Sort time: arrival, or appointment time minus the lead for checked-in appointments. */
  sortAt: IsoDateTimeSchema,
  /** Arrival order in the store: the last tie breaker. */
  arrivalSeq: z.number().int().min(0),
  calledAt: IsoDateTimeSchema.nullable().default(null),
  servingAt: IsoDateTimeSchema.nullable().default(null),
  finishedAt: IsoDateTimeSchema.nullable().default(null),
  updatedAt: IsoDateTimeSchema,
  deskId: IdSchema.nullable().default(null),
  recalls: z.number().int().min(0).default(0),
  /** People before this customer when registering. */
  peopleBefore: z.number().int().min(0).default(0),
  /** Too many people before: told to come back when alerted. */
  mustWait: z.boolean().default(false),
  /** "Turn is near" alert already sent. */
  alerted: z.boolean().default(false),
  visits: z.number().int().min(0).default(0),
  /** Each call of this customer by a desk with a signed-in staff member, in order. */
  staffCalls: z
    .array(z.object({ staffId: IdSchema, deskId: IdSchema, at: IsoDateTimeSchema }))
    .max(100)
    .optional(),
  /**
   * A partner system's own record of this ticket (e.g. an imported Ombori ticket), kept whole so
   * that what Lineup does not model goes back out unchanged.
   */
  partner: z
    .object({ source: z.string().min(1).max(40), data: z.record(z.string(), z.unknown()) })
    .optional(),
  /**
   * Whether the ticket is on paper, as the machine that issued it said: `not_printed` is shown to
   * staff beside the ticket; `reprint` asks that machine to print it again.
   */
  printState: z.enum(['printed', 'not_printed', 'reprint']).default('printed'),
  /** Why it could not be printed (the printer's words), while not printed. */
  printProblem: z.string().max(500).nullable().default(null),
  /**
   * Issued by a ticket machine that has not yet said the ticket reached the customer (printed or
   * shown): desks do not call it, so a ticket nobody holds (the machine died before printing) is
   * never called. The machine confirms it (`hand_out`) or cancels it when it restarts.
   */
  held: z.boolean().default(false),
});
export type Customer = z.infer<typeof CustomerSchema>;
