// FileVirtuelle public API v2: the wire names live here and nowhere else. Each entity has a zod
// wire schema (lenient on input: FileVirtuelle marks most fields optional) and two mappings,
// `xToWire(domain)` (always the complete documented shape) and `xFromWire(wire, base?)`
// (`base` keeps what FileVirtuelle does not carry, such as a service's ticket prefix).
import { z } from 'zod';
import { deskDisplay, screenDisplay } from '../domain/display.js';
import {
  CustomerSchema,
  DeviceSchema,
  OrganizationSchema,
  ServiceSchema,
  StoreSchema,
  type ContactMode,
  type Customer,
  type CustomerState,
  type Device,
  type DisplayRule,
  type Organization,
  type Service,
  type Store,
} from '../domain/entities.js';
import { pathBetween, type CustomerEventName } from '../domain/lifecycle.js';
import { parseTicket, storeDay } from '../domain/numbering.js';
import { RegisterPayloadSchema, type RegisterPayload } from '../protocol/sync.js';

/** Thrown when a wire value cannot become a domain entity; the message says which field. */
export class WireMappingError extends Error {
  readonly code = 'invalid' as const;
  constructor(message: string) {
    super(message);
    this.name = 'WireMappingError';
  }
}

function parseDomain<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where =
    issue === undefined ? '' : ` (${issue.path.join('.') || 'value'}: ${issue.message})`;
  throw new WireMappingError(`This FileVirtuelle ${what} does not fit Lineup${where}.`);
}

const Localized = z.record(z.string(), z.string());
const localized = () => Localized.default({});
const IsoDate = z.iso.datetime({ offset: true });

// ---- errors, word for word -------------------------------------------------------------------

export const FV_ERRORS = {
  NoAuthorizationHeaderError: {
    code: 417,
    message:
      'No authorization header found. You should provide an Authorization header with Authorization: api_key:signature.',
  },
  NoTwoPartAuthorizationError: {
    code: 417,
    message: 'Authorization header should be of two parts: api_key:signature.',
  },
  InvalidAPIKey: { code: 403, message: 'API Key does not exist.' },
  InvalidSignature: { code: 403, message: 'The signature does not match.' },
  InvalidTimestamp: { code: 403, message: 'Invalid timestamp.' },
  AccountIsLocked: {
    code: 403,
    message: 'Your account is locked. Please contact an administrator.',
  },
  InvalidRoute: { code: 403, message: "You don't have access to this route." },
  RateLimitExceeded: {
    code: 429,
    message: 'You have exceeded the max number of requests per minutes.',
  },
  InvalidOrganization: { code: 422, message: 'Invalid organization. Check the ID.' },
  InvalidSuborganization: { code: 422, message: 'Invalid suborganization. Check the ID.' },
  InvalidDevice: { code: 422, message: 'Invalid device. Check the ID' },
  InvalidPrequalification: { code: 422, message: 'Invalid prequalification. Check the ID.' },
  InvalidDesk: { code: 422, message: 'Invalid desk. Check the ID' },
  InvalidDeviceType: { code: 422, message: 'Type of the device is invalid for this action' },
  InvalidLang: { code: 422, message: 'Invalid lang. Use ISO 639-1 two characters codename' },
  InvalidIso8601: {
    code: 422,
    message: 'The date is not formatted following the ISO 8601 format',
  },
  InvalidContactInformation: {
    code: 422,
    message:
      'Invalid contact information. You should provide a phone number, an email address or a name.',
  },
  ContactModeUnavailable: {
    code: 403,
    message:
      'Your mode of registration is not activated. Check the suborganization configuration for more details.',
  },
  FairUseExceeded: {
    code: 403,
    message:
      'You are in testing phase and you have exceeded your fair use. Now you should only register people by name.',
  },
  InvalidEntity: { code: 422, message: 'This entity is invalid. Check the ID' },
} as const satisfies Record<string, { code: number; message: string }>;
export type FvErrorName = keyof typeof FV_ERRORS;

/** The error body FileVirtuelle sends: `{ code, error, message }`. */
export function fvErrorBody(error: FvErrorName): {
  code: number;
  error: FvErrorName;
  message: string;
} {
  return { code: FV_ERRORS[error].code, error, message: FV_ERRORS[error].message };
}

export const FV_MESSAGES = {
  customerAdded: 'Customer is successfully added',
  customerModified: 'Customer is successfully modified',
  customerRemoved: 'Customer is successfully removed',
  changePostCustomer: 'POST_customer',
} as const;

// ---- organization ----------------------------------------------------------------------------

export const FvOrganizationSchema = z.object({
  _id: z.string(),
  name: z.string(),
  logo: z.string().default(''),
  colorone: z.string().default('#1F3A5F'),
  colortwo: z.string().default('#FFFFFF'),
});
export type FvOrganization = z.infer<typeof FvOrganizationSchema>;

export function organizationToWire(o: Organization): FvOrganization {
  return { _id: o.id, name: o.name, logo: o.logo, colorone: o.colorOne, colortwo: o.colorTwo };
}

export function organizationFromWire(input: unknown): Organization {
  const w = parseDomain(FvOrganizationSchema, input, 'organization');
  return parseDomain(
    OrganizationSchema,
    { id: w._id, name: w.name, logo: w.logo, colorOne: w.colorone, colorTwo: w.colortwo },
    'organization',
  );
}

// ---- suborganization (store) -----------------------------------------------------------------

const TEXT_KINDS = ['wait', 'go', 'comeback', 'screen', 'meeting'] as const;

export const FvEmailSchema = z.object({
  activated: z.boolean().default(false),
  subject_wait: localized(),
  subject_go: localized(),
  subject_comeback: localized(),
  subject_screen: localized(),
  subject_meeting: localized(),
  wait: localized(),
  go: localized(),
  comeback: localized(),
  screen: localized(),
  meeting: localized(),
  provider: z.string().default('sendgrid'),
  sender: z.string().default(''),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
});

export const FvSmsSchema = z.object({
  activated: z.boolean().default(false),
  default_code: z.string().default('FR'),
  provider: z.string().default(''),
  sender: z.string().default(''),
  extras: z.array(z.unknown()).default([]),
  wait: localized(),
  go: localized(),
  comeback: localized(),
  screen: localized(),
  meeting: localized(),
  prefix: z.string().default(''),
  suffix: z.string().default(''),
});

/** FileVirtuelle documents `display` as an opaque object; Lineup keeps its rule there. */
export const FvDisplaySchema = z.object({
  screen: z.enum(['ticket', 'first-name', 'masked-name']).optional(),
  desk: z.enum(['full-name', 'first-name', 'ticket']).optional(),
});

export const FvSuborganizationSchema = z.object({
  _id: z.string(),
  name: z.string(),
  organization: z.string(),
  email: FvEmailSchema.prefault({}),
  sms: FvSmsSchema.prefault({}),
  store_code: z.string().default(''),
  langs: z.array(z.string()),
  floating_desks: z.boolean().default(true),
  screen_sms: z.boolean().default(false),
  meeting_sms: z.boolean().default(false),
  undigital: z.boolean().default(true),
  redirect_desks: z.boolean().default(true),
  tz: z.string(),
  call_by_people: z.boolean().default(true),
  tbm: z.number().int().default(10),
  ptc: z.number().int().default(2),
  ttc: z.number().int().default(10),
  css_template: z.string().default('default'),
  meeting: z
    .object({
      meeting_on_machine: z.boolean().default(false),
      block: z.number().int().default(0),
      expired: z.number().int().default(10),
      activated: z.boolean().default(false),
      provider: z.string().default(''),
      pull: z.boolean().default(false),
      pull_interval: z.number().int().default(0),
    })
    .prefault({}),
  alerts: z.record(z.string(), z.unknown()).default({}),
  vibrator: z
    .object({ provider: z.string().default(''), activated: z.boolean().default(false) })
    .prefault({}),
  extra_codes: z.record(z.string(), z.unknown()).default({}),
  block_desks: z.object({ activated: z.boolean().default(false) }).prefault({}),
  display: FvDisplaySchema.prefault({}),
});
export type FvSuborganization = z.infer<typeof FvSuborganizationSchema>;

export function storeToWire(s: Store): FvSuborganization {
  const email = {
    activated: s.email.enabled,
    subject_wait: s.email.subjects.wait,
    subject_go: s.email.subjects.go,
    subject_comeback: s.email.subjects.comeback,
    subject_screen: s.email.subjects.screen,
    subject_meeting: s.email.subjects.meeting,
    ...Object.fromEntries(TEXT_KINDS.map((k) => [k, s.email.texts[k]])),
    provider: s.email.provider,
    sender: s.email.sender,
    prefix: s.email.prefix,
    suffix: s.email.suffix,
  } as FvSuborganization['email'];
  const sms = {
    activated: s.sms.enabled,
    default_code: s.sms.defaultCountry,
    provider: s.sms.provider,
    sender: s.sms.sender,
    extras: s.sms.extras,
    ...Object.fromEntries(TEXT_KINDS.map((k) => [k, s.sms.texts[k]])),
    prefix: s.sms.prefix,
    suffix: s.sms.suffix,
  } as FvSuborganization['sms'];
  return {
    _id: s.id,
    name: s.name,
    organization: s.organizationId,
    email,
    sms,
    store_code: s.storeCode,
    langs: s.langs,
    floating_desks: s.floatingDesks,
    screen_sms: s.notifyOnCall,
    meeting_sms: s.notifyOnCheckIn,
    undigital: s.allowNameRegistration,
    redirect_desks: s.redirectDesks,
    tz: s.timeZone,
    call_by_people: s.callByPeople,
    tbm: s.appointmentLeadMinutes,
    ptc: s.turnNearPeople,
    ttc: s.turnNearMinutes,
    css_template: s.cssTemplate,
    meeting: {
      meeting_on_machine: s.appointments.onMachine,
      block: s.appointments.block,
      expired: s.appointments.expiredAfterMinutes,
      activated: s.appointments.enabled,
      provider: s.appointments.provider,
      pull: s.appointments.pull,
      pull_interval: s.appointments.pullIntervalMs,
    },
    alerts: s.alerts,
    vibrator: { provider: s.pagers.provider, activated: s.pagers.enabled },
    extra_codes: s.extraCodes,
    block_desks: { activated: s.blockDesks.enabled },
    display: { screen: s.display.screen, desk: s.display.desk },
  };
}

export function storeFromWire(input: unknown): Store {
  const w = parseDomain(FvSuborganizationSchema, input, 'suborganization');
  const texts = (src: Record<string, Record<string, string>>) =>
    Object.fromEntries(TEXT_KINDS.map((k) => [k, src[k] ?? {}]));
  const e = w.email as unknown as Record<string, Record<string, string>>;
  return parseDomain(
    StoreSchema,
    {
      id: w._id,
      organizationId: w.organization,
      name: w.name,
      storeCode: w.store_code,
      langs: w.langs.map((l) => l.toUpperCase()),
      timeZone: w.tz,
      sms: {
        enabled: w.sms.activated,
        defaultCountry: w.sms.default_code.toUpperCase(),
        provider: w.sms.provider,
        sender: w.sms.sender,
        extras: w.sms.extras,
        texts: texts(w.sms as unknown as Record<string, Record<string, string>>),
        prefix: w.sms.prefix,
        suffix: w.sms.suffix,
      },
      email: {
        enabled: w.email.activated,
        subjects: Object.fromEntries(TEXT_KINDS.map((k) => [k, e[`subject_${k}`] ?? {}])),
        texts: texts(e),
        provider: w.email.provider,
        sender: w.email.sender,
        prefix: w.email.prefix,
        suffix: w.email.suffix,
      },
      floatingDesks: w.floating_desks,
      notifyOnCall: w.screen_sms,
      notifyOnCheckIn: w.meeting_sms,
      allowNameRegistration: w.undigital,
      redirectDesks: w.redirect_desks,
      callByPeople: w.call_by_people,
      appointmentLeadMinutes: w.tbm,
      turnNearPeople: w.ptc,
      turnNearMinutes: w.ttc,
      cssTemplate: w.css_template,
      appointments: {
        onMachine: w.meeting.meeting_on_machine,
        block: w.meeting.block,
        expiredAfterMinutes: w.meeting.expired,
        enabled: w.meeting.activated,
        provider: w.meeting.provider,
        pull: w.meeting.pull,
        pullIntervalMs: w.meeting.pull_interval,
      },
      alerts: w.alerts,
      pagers: { enabled: w.vibrator.activated, provider: w.vibrator.provider },
      extraCodes: w.extra_codes,
      blockDesks: { enabled: w.block_desks.activated },
      display: w.display,
    },
    'suborganization',
  );
}

// ---- device ----------------------------------------------------------------------------------

export const FvDeviceSchema = z.object({
  _id: z.string(),
  organization: z.string(),
  suborganization: z.string(),
  name: z.string(),
  hostname: z.string(),
  mac: z.string(),
  type: z.enum(['machine', 'desk', 'screen']),
  template: z.string().default(''),
  autosink: z.boolean().default(false),
  html_name: localized(),
  orientation: localized(),
  html_orientation: localized(),
  pause: z
    .object({ timestamp: IsoDate.optional(), duration: z.number().int().min(0).default(0) })
    .prefault({}),
  status: z
    .object({
      pre_close: z.boolean().default(false),
      redirect: z.boolean().default(false),
      pause: z.boolean().default(false),
      open: z.boolean().default(true),
    })
    .prefault({}),
  system: z.object({ ask_before_closing: z.boolean().default(false) }).prefault({}),
  notifications: z
    .object({
      text: z.object({ activated: z.boolean().default(false) }).prefault({}),
    })
    .prefault({}),
});
export type FvDevice = z.infer<typeof FvDeviceSchema>;

export function deviceToWire(d: Device): FvDevice {
  return {
    _id: d.id,
    organization: d.organizationId,
    suborganization: d.storeId,
    name: d.name,
    hostname: d.hostname,
    mac: d.mac,
    type: d.role,
    template: d.template,
    autosink: d.autoSink,
    html_name: d.htmlName,
    orientation: d.orientation,
    html_orientation: d.htmlOrientation,
    pause:
      d.pause.since === null
        ? { duration: d.pause.minutes }
        : { timestamp: d.pause.since, duration: d.pause.minutes },
    status: {
      pre_close: d.status.preClose,
      redirect: d.status.redirect,
      pause: d.status.pause,
      open: d.status.open,
    },
    system: { ask_before_closing: d.askBeforeClosing },
    notifications: { text: { activated: d.notifyOnRegister } },
  };
}

export function deviceFromWire(input: unknown): Device {
  const w = parseDomain(FvDeviceSchema, input, 'device');
  return parseDomain(
    DeviceSchema,
    {
      id: w._id,
      organizationId: w.organization,
      storeId: w.suborganization,
      name: w.name,
      hostname: w.hostname,
      mac: w.mac,
      role: w.type,
      template: w.template,
      autoSink: w.autosink,
      htmlName: w.html_name,
      orientation: w.orientation,
      htmlOrientation: w.html_orientation,
      pause: { since: w.pause.timestamp ?? null, minutes: w.pause.duration },
      status: {
        open: w.status.open,
        pause: w.status.pause,
        preClose: w.status.pre_close,
        redirect: w.status.redirect,
      },
      askBeforeClosing: w.system.ask_before_closing,
      notifyOnRegister: w.notifications.text.activated,
    },
    'device',
  );
}

// ---- prequalification (service) --------------------------------------------------------------

export const FvPrequalificationSchema = z.object({
  _id: z.string(),
  suborganization: z.string(),
  subtitle: localized(),
  header: localized(),
  orientation: localized(),
  html_name: localized(),
  name: localized(),
  subheader: localized(),
  machines: z.array(z.string()).default([]),
  desks: z.array(z.string()).default([]),
  screens: z.array(z.string()).default([]),
  prequalifications: z.array(z.string()).default([]),
  prioritize: z.boolean().default(false),
  notify: z.boolean().default(false),
  default: z.boolean().default(false),
  root: z.boolean().default(false),
  prm: z.boolean().default(false),
  meeting: z.boolean().default(false),
  waiting: z.number().int().min(0).default(5),
  machine_order: z.number().int().default(0),
  desk_order: z.number().int().default(0),
  trigger: z.string().default(''),
});
export type FvPrequalification = z.infer<typeof FvPrequalificationSchema>;

export function serviceToWire(s: Service): FvPrequalification {
  return {
    _id: s.id,
    suborganization: s.storeId,
    subtitle: s.subtitle,
    header: s.header,
    orientation: s.orientation,
    html_name: s.htmlName,
    name: s.name,
    subheader: s.subheader,
    machines: s.machineIds,
    desks: s.deskIds,
    screens: s.screenIds,
    prequalifications: s.childIds,
    prioritize: s.prioritize,
    notify: s.notify,
    default: s.isDefault,
    root: s.isRoot,
    prm: s.prm,
    meeting: s.appointment,
    waiting: s.serviceMinutes,
    machine_order: s.machineOrder,
    desk_order: s.deskOrder,
    trigger: s.trigger,
  };
}

/** `base` keeps the ticket prefix, which FileVirtuelle does not carry (default 'A'). */
export function serviceFromWire(input: unknown, base?: Pick<Service, 'ticketPrefix'>): Service {
  const w = parseDomain(FvPrequalificationSchema, input, 'prequalification');
  return parseDomain(
    ServiceSchema,
    {
      id: w._id,
      storeId: w.suborganization,
      name: w.name,
      htmlName: w.html_name,
      header: w.header,
      subheader: w.subheader,
      subtitle: w.subtitle,
      orientation: w.orientation,
      machineIds: w.machines,
      deskIds: w.desks,
      screenIds: w.screens,
      childIds: w.prequalifications,
      prioritize: w.prioritize,
      notify: w.notify,
      isDefault: w.default,
      isRoot: w.root,
      prm: w.prm,
      appointment: w.meeting,
      serviceMinutes: w.waiting,
      machineOrder: w.machine_order,
      deskOrder: w.desk_order,
      trigger: w.trigger,
      ...(base === undefined ? {} : { ticketPrefix: base.ticketPrefix }),
    },
    'prequalification',
  );
}

// ---- customer --------------------------------------------------------------------------------

/**
 * FileVirtuelle's registration `type`: the documented values only. Lineup's "just a ticket"
 * (anonymous) is a registration without digital contact, which FileVirtuelle writes `name`
 * (its undigital mode) with no name; a `name` without a name reads back as anonymous.
 */
export const FvCustomerTypeSchema = z.enum(['name', 'phone', 'email', 'vibration']);
export type FvCustomerType = z.infer<typeof FvCustomerTypeSchema>;

const CONTACT_TO_TYPE: Record<ContactMode, FvCustomerType> = {
  name: 'name',
  phone: 'phone',
  email: 'email',
  pager: 'vibration',
  anonymous: 'name',
};

function contactModeOfType(type: FvCustomerType, name: string | undefined): ContactMode {
  switch (type) {
    case 'name':
      return name === undefined || name.trim() === '' ? 'anonymous' : 'name';
    case 'vibration':
      return 'pager';
    default:
      return type;
  }
}

export const FvCustomerSchema = z.object({
  _id: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  machine: z.string().default(''),
  suborganization: z.string(),
  prequalification: z.string(),
  lang: z.string(),
  registered_by: z.string().default(''),
  external_meeting_id: z.string().optional(),
  vibrator_configured: z.boolean().optional(),
  wait: z.boolean().default(false),
  name_removed: z.boolean().default(false),
  visits: z.number().int().min(0).default(0),
  expired: z.boolean().default(false),
  rsvp: z.boolean().default(true),
  prioritized: z.boolean().default(false),
  finalized: z.boolean().default(true),
  digital: z.boolean().default(false),
  notified: z.boolean().default(false),
  processed: z.boolean().default(false),
  called: z.boolean().default(false),
  meeting: z.boolean().default(false),
  pbc: z.number().int().min(0).default(0),
  ttp: z.number().int().min(0).default(0),
  ttw: z.number().int().min(0).default(0),
  utimestamp: IsoDate,
  rsvptimestamp: IsoDate,
  mtimestamp: IsoDate,
  stimestamp: IsoDate,
  rtimestamp: IsoDate,
  ctimestamp: IsoDate.optional(),
  prequalifications_path: z.array(z.string()).default([]),
  type: FvCustomerTypeSchema,
  ticket: z.string(),
  vibrate: z.boolean().default(false),
  title: z.string().default(''),
  desk: z.string().default(''),
  display: z.string().optional(),
  display_desk: z.string().default(''),
});
export type FvCustomer = z.infer<typeof FvCustomerSchema>;

/** The three FileVirtuelle flags that carry the lifecycle state. */
export interface FvStateFlags {
  rsvp: boolean;
  called: boolean;
  processed: boolean;
}

/**
 * State → flags. FileVirtuelle has no "serving" (it is `called`: "called by a desk and in
 * progress") and no no-show or cancel flag: those end the ticket without it being done, so
 * they read `processed` without `called`. `flagsToState` uses the previous state to undo that.
 */
export function stateToFlags(state: CustomerState): FvStateFlags {
  switch (state) {
    case 'booked':
      return { rsvp: false, called: false, processed: false };
    case 'waiting':
      return { rsvp: true, called: false, processed: false };
    case 'called':
    case 'serving':
      return { rsvp: true, called: true, processed: false };
    case 'done':
      return { rsvp: true, called: true, processed: true };
    case 'no_show':
    case 'cancelled':
      return { rsvp: true, called: false, processed: true };
  }
}

/** Flags → state; `previous` tells serving from called and no-show from cancelled. */
export function flagsToState(
  flags: FvStateFlags & { meeting?: boolean },
  previous?: CustomerState,
): CustomerState {
  if (flags.processed) {
    if (flags.called) return 'done';
    if (previous === 'no_show' || previous === 'cancelled') return previous;
    return previous === 'called' ? 'no_show' : 'cancelled';
  }
  if (flags.called) return previous === 'serving' ? 'serving' : 'called';
  if (!flags.rsvp && (flags.meeting ?? true) && (previous === undefined || previous === 'booked'))
    return 'booked';
  return 'waiting';
}

function minutesBetween(from: string | null, to: string | null): number {
  if (from === null || to === null) return 0;
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));
}

export interface CustomerWireOptions {
  /** The store's display rule, for `display` and `display_desk`. */
  display: DisplayRule;
}

export function customerToWire(c: Customer, opts: CustomerWireOptions): FvCustomer {
  const flags = stateToFlags(c.state);
  const wire: FvCustomer = {
    _id: c.id,
    machine: c.machineId ?? '',
    suborganization: c.storeId,
    prequalification: c.serviceId,
    lang: c.lang,
    registered_by: c.registeredBy,
    wait: c.mustWait,
    name_removed: false,
    visits: c.visits,
    expired: c.appointment?.expired ?? false,
    rsvp: flags.rsvp,
    prioritized: c.prioritized,
    finalized: true,
    digital: c.contact.phone !== undefined || c.contact.email !== undefined,
    notified: c.alerted,
    processed: flags.processed,
    called: flags.called,
    meeting: c.appointment !== null,
    pbc: c.peopleBefore,
    ttp: minutesBetween(c.calledAt, c.finishedAt),
    ttw: minutesBetween(c.checkedInAt ?? c.registeredAt, c.calledAt),
    utimestamp: c.updatedAt,
    rsvptimestamp: c.checkedInAt ?? c.registeredAt,
    mtimestamp: c.appointment?.at ?? c.registeredAt,
    stimestamp: c.sortAt,
    rtimestamp: c.registeredAt,
    prequalifications_path: c.servicePath,
    type: CONTACT_TO_TYPE[c.contactMode],
    ticket: c.ticket,
    vibrate: c.pager !== null,
    title: c.contact.title ?? '',
    desk: c.deskId ?? '',
    // Screens get the ticket when the rule shows no name: never a phone or an email.
    display: screenDisplay(c, opts.display) ?? c.ticket,
    display_desk: deskDisplay(c, opts.display),
  };
  if (c.contact.phone !== undefined) wire.phone = c.contact.phone;
  if (c.contact.email !== undefined) wire.email = c.contact.email;
  if (c.contact.name !== undefined) wire.name = c.contact.name;
  if (c.appointment?.externalId !== undefined) wire.external_meeting_id = c.appointment.externalId;
  if (c.calledAt !== null) wire.ctimestamp = c.calledAt;
  return wire;
}

export interface CustomerFromWireOptions {
  /** The customer as Lineup knows it: keeps what the wire does not carry (pager, numbering...). */
  base?: Customer;
  /** Store time zone, to place a new ticket in its numbering day. */
  timeZone: string;
  /** Arrival order for a customer Lineup did not know. */
  arrivalSeq?: number;
}

export function customerFromWire(input: unknown, opts: CustomerFromWireOptions): Customer {
  const w = parseDomain(FvCustomerSchema, input, 'customer');
  const base = opts.base;
  const state = flagsToState(w, base?.state);
  const parsed = parseTicket(w.ticket);
  const contact = {
    ...(w.name === undefined || w.name === '' ? {} : { name: w.name }),
    ...(w.phone === undefined || w.phone === '' ? {} : { phone: w.phone }),
    ...(w.email === undefined || w.email === '' ? {} : { email: w.email }),
    ...(w.title === '' ? {} : { title: w.title }),
  };
  return parseDomain(
    CustomerSchema,
    {
      id: w._id,
      storeId: w.suborganization,
      serviceId: w.prequalification,
      servicePath:
        w.prequalifications_path.length > 0 ? w.prequalifications_path : [w.prequalification],
      machineId: w.machine === '' ? null : w.machine,
      lang: w.lang.toUpperCase(),
      registeredBy: w.registered_by,
      contactMode: contactModeOfType(w.type, w.name),
      contact,
      pager: base?.pager ?? null,
      state,
      ticketPrefix: base?.ticketPrefix ?? parsed?.prefix ?? '',
      ticketNumber: base?.ticketNumber ?? parsed?.number ?? 1,
      ticketDay: base?.ticketDay ?? storeDay(new Date(w.rtimestamp), opts.timeZone),
      ticket: w.ticket,
      prioritized: w.prioritized,
      appointment: w.meeting
        ? {
            at: w.mtimestamp,
            expired: w.expired,
            ...(w.external_meeting_id === undefined ? {} : { externalId: w.external_meeting_id }),
          }
        : null,
      registeredAt: w.rtimestamp,
      checkedInAt: w.rsvp ? w.rsvptimestamp : null,
      sortAt: w.stimestamp,
      arrivalSeq: base?.arrivalSeq ?? opts.arrivalSeq ?? 0,
      calledAt: w.ctimestamp ?? base?.calledAt ?? null,
      servingAt: base?.servingAt ?? null,
      finishedAt: base?.finishedAt ?? null,
      updatedAt: w.utimestamp,
      // FileVirtuelle's `desk` is the desk that called; on a waiting ticket Lineup reads a
      // desk as "sent to that desk", so it is kept only once the customer was called.
      deskId:
        w.desk === '' || state === 'waiting' || state === 'booked'
          ? (base?.deskId ?? null)
          : w.desk,
      recalls: base?.recalls ?? 0,
      peopleBefore: w.pbc,
      mustWait: w.wait,
      alerted: w.notified,
      visits: w.visits,
    },
    'customer',
  );
}

// ---- requests --------------------------------------------------------------------------------

/**
 * `POST /register` body (with or without an appointment). The documentation's own examples leave
 * `suborganization` out: the machine's store is meant then.
 */
export const FvRegisterRequestSchema = z.object({
  lang: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  name: z.string().optional(),
  prequalification: z.string(),
  suborganization: z.string().optional(),
  prequalifications_path: z.array(z.string()).default([]),
  machine: z.string(),
  mtimestamp: z.string().optional(),
  meeting: z.boolean().default(false),
  external_meeting_id: z.string().optional(),
});
export type FvRegisterRequest = z.infer<typeof FvRegisterRequestSchema>;

/** `POST /next` body. */
export const FvNextRequestSchema = z.object({ desk: z.string(), suborganization: z.string() });
export type FvNextRequest = z.infer<typeof FvNextRequestSchema>;

/** `PUT /customer` body: `_id` and any customer field to change. */
// Built without the defaults: a field the body leaves out must stay as it is, not reset.
export const FvCustomerUpdateSchema = z
  .object(
    Object.fromEntries(
      Object.entries(FvCustomerSchema.shape).map(([k, v]) => [
        k,
        (v instanceof z.ZodDefault ? v.unwrap() : v).optional(),
      ]),
    ) as unknown as {
      [K in keyof typeof FvCustomerSchema.shape]: z.ZodOptional<z.ZodType<FvCustomer[K]>>;
    },
  )
  .extend({ _id: z.string() });
export type FvCustomerUpdate = z.infer<typeof FvCustomerUpdateSchema>;

/** The registration a `/register` body asks for: the sync protocol's RegisterPayload, checked. */
export type FvRegistration = Omit<RegisterPayload, 'pager'>;

export type FvRegisterResult =
  | {
      ok: true;
      /** Null when the body leaves it to the machine's store. */
      storeId: string | null;
      machineId: string;
      registration: FvRegistration;
    }
  /**
   * `field` is the wire field at fault (`body` when it is not an object); `error` its documented
   * error, or null when the documentation has none for that field (`meeting`, for instance).
   */
  | { ok: false; field: string; error: FvErrorName | null };

/** The documented error of each `/register` field that has one. */
const REGISTER_FIELD_ERRORS: Readonly<Record<string, FvErrorName>> = {
  lang: 'InvalidLang',
  phone: 'InvalidContactInformation',
  email: 'InvalidContactInformation',
  name: 'InvalidContactInformation',
  prequalification: 'InvalidPrequalification',
  prequalifications_path: 'InvalidPrequalification',
  suborganization: 'InvalidSuborganization',
  machine: 'InvalidDevice',
  mtimestamp: 'InvalidIso8601',
};

/** The wire field of each RegisterPayload field, to name it when the payload does not validate. */
const REGISTRATION_WIRE_FIELDS: Readonly<Record<string, string>> = {
  serviceId: 'prequalification',
  servicePath: 'prequalifications_path',
  lang: 'lang',
  contact: 'name',
  appointment: 'mtimestamp',
};

/** `table[key]` if it is the table's own entry (a key from a body may be `__proto__`). */
const ownEntry = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;

function registerFailure(field: string): FvRegisterResult {
  return { ok: false, field, error: ownEntry(REGISTER_FIELD_ERRORS, field) ?? null };
}

/**
 * Reads a `/register` body into the domain's registration (a valid RegisterPayload but for the
 * pager), or names the field at fault and its FileVirtuelle error. Contact mode: phone, else
 * email, else name, as FileVirtuelle prefers digital channels.
 */
export function registerFromWire(input: unknown): FvRegisterResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    return registerFailure('body');
  const r = FvRegisterRequestSchema.safeParse(input);
  if (!r.success) return registerFailure(String(r.error.issues[0]?.path[0] ?? 'body'));
  const w = r.data;
  if (!/^[A-Za-z]{2}$/.test(w.lang)) return registerFailure('lang');
  const name = w.name?.trim() || undefined;
  const phone = w.phone?.trim() || undefined;
  const email = w.email?.trim() || undefined;
  const contactMode: ContactMode | null =
    phone !== undefined
      ? 'phone'
      : email !== undefined
        ? 'email'
        : name !== undefined
          ? 'name'
          : null;
  if (contactMode === null) return registerFailure('name');
  let appointment: { at: string; externalId?: string } | null = null;
  if (w.meeting || w.mtimestamp !== undefined) {
    if (w.mtimestamp === undefined || !IsoDate.safeParse(w.mtimestamp).success)
      return registerFailure('mtimestamp');
    appointment = {
      at: w.mtimestamp,
      ...(w.external_meeting_id === undefined ? {} : { externalId: w.external_meeting_id }),
    };
  }
  const payload = RegisterPayloadSchema.safeParse({
    serviceId: w.prequalification,
    servicePath:
      w.prequalifications_path.length > 0 ? w.prequalifications_path : [w.prequalification],
    lang: w.lang.toUpperCase(),
    contactMode,
    contact: {
      ...(name === undefined ? {} : { name }),
      ...(phone === undefined ? {} : { phone }),
      ...(email === undefined ? {} : { email }),
    },
    appointment,
  });
  if (!payload.success) {
    const [top, inner] = payload.error.issues[0]?.path ?? [];
    const field =
      top === 'contact' && (inner === 'phone' || inner === 'email' || inner === 'name')
        ? inner
        : top === 'appointment' && inner === 'externalId'
          ? 'external_meeting_id'
          : (ownEntry(REGISTRATION_WIRE_FIELDS, String(top)) ?? 'body');
    return registerFailure(field);
  }
  const { pager: _pager, ...registration } = payload.data;
  return {
    ok: true,
    storeId: w.suborganization ?? null,
    machineId: w.machine,
    registration,
  };
}

/** Fields a `PUT /customer` may not change (they are computed or belong to the hub). */
export const FV_READ_ONLY_CUSTOMER_FIELDS = [
  'suborganization',
  'registered_by',
  'ticket',
  'pbc',
  'ttp',
  'ttw',
  'utimestamp',
  'rtimestamp',
  'rsvptimestamp',
  'ctimestamp',
  'finalized',
  'digital',
  'display',
  'display_desk',
  'machine',
] as const;

/**
 * Applies a `PUT /customer` body to a customer. Returns the updated customer (state untouched)
 * and the lifecycle events that take it to the state the flags ask for, or throws
 * WireMappingError when no legal path exists (e.g. un-processing a done customer).
 */
export function applyCustomerUpdate(
  current: Customer,
  input: unknown,
): { customer: Customer; events: CustomerEventName[]; targetState: CustomerState } {
  const r = FvCustomerUpdateSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new WireMappingError(
      `This customer update does not fit (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}).`,
    );
  }
  const u = r.data;
  if (u._id !== current.id) throw new WireMappingError('The _id does not match this customer.');
  const flags = stateToFlags(current.state);
  const target =
    u.rsvp === undefined && u.called === undefined && u.processed === undefined
      ? current.state
      : flagsToState(
          {
            rsvp: u.rsvp ?? flags.rsvp,
            called: u.called ?? flags.called,
            processed: u.processed ?? flags.processed,
            meeting: current.appointment !== null,
          },
          current.state,
        );
  const events = pathBetween(current.state, target);
  if (events === null)
    throw new WireMappingError(`A customer who is ${current.state} cannot become ${target}.`);
  const contact = { ...current.contact };
  if (u.name !== undefined) contact.name = u.name === '' ? undefined : u.name;
  if (u.phone !== undefined) contact.phone = u.phone === '' ? undefined : u.phone;
  if (u.email !== undefined) contact.email = u.email === '' ? undefined : u.email;
  if (u.title !== undefined) contact.title = u.title === '' ? undefined : u.title;
  let appointment = current.appointment;
  if (u.meeting === false) appointment = null;
  else if (
    u.mtimestamp !== undefined ||
    u.expired !== undefined ||
    u.external_meeting_id !== undefined ||
    u.meeting === true
  ) {
    const at = u.mtimestamp ?? appointment?.at;
    if (at === undefined) throw new WireMappingError('An appointment needs an mtimestamp.');
    appointment = {
      at,
      expired: u.expired ?? appointment?.expired ?? false,
      ...((u.external_meeting_id ?? appointment?.externalId) === undefined
        ? {}
        : { externalId: u.external_meeting_id ?? appointment?.externalId }),
    };
  }
  const customer = parseDomain(
    CustomerSchema,
    {
      ...current,
      contact: Object.fromEntries(Object.entries(contact).filter(([, v]) => v !== undefined)),
      appointment,
      ...(u.lang === undefined ? {} : { lang: u.lang.toUpperCase() }),
      ...(u.prequalification === undefined ? {} : { serviceId: u.prequalification }),
      ...(u.prequalifications_path === undefined ? {} : { servicePath: u.prequalifications_path }),
      ...(u.prioritized === undefined ? {} : { prioritized: u.prioritized }),
      ...(u.wait === undefined ? {} : { mustWait: u.wait }),
      ...(u.notified === undefined ? {} : { alerted: u.notified }),
      ...(u.visits === undefined ? {} : { visits: u.visits }),
      ...(u.stimestamp === undefined ? {} : { sortAt: u.stimestamp }),
      ...(u.desk === undefined ? {} : { deskId: u.desk === '' ? null : u.desk }),
      ...(u.type === undefined ? {} : { contactMode: contactModeOfType(u.type, contact.name) }),
    },
    'customer update',
  );
  return { customer, events, targetState: target };
}
