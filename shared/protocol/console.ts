// The hub console's HTTP API (issue 12): JSON under `/console/api/…`, a session cookie set by
// sign-in, and a CSRF token (header `x-csrf-token`) on every state-changing request. The one
// schema set for the hub (cloud/console) and the console UI (renderer/console); entities are the
// domain's own (shared/domain/entities.ts) and the sync protocol's (shared/protocol/sync.ts).
import { z } from 'zod';
import {
  DeviceRoleSchema,
  DeviceSchema,
  DisplayRuleSchema,
  IdSchema,
  IsoDateTimeSchema,
  LangSchema,
  LocalizedTextSchema,
  ServiceSchema,
  StoreLocationSchema,
  StoreSchema,
  CustomerSchema,
  DeskStatusSchema,
} from '../domain/entities.js';
import {
  DeviceHealthEntrySchema,
  LogPositionSchema,
  PrinterConditionSchema,
  RefusalCodeSchema,
} from './sync.js';

export const CONSOLE_API_PREFIX = '/console/api';
/** The session cookie (HTTP-only, SameSite=Strict; Secure over https). */
export const CONSOLE_SESSION_COOKIE = 'lineup_console';
/** Every POST/PUT/PATCH/DELETE carries the session's CSRF token in this header. */
export const CONSOLE_CSRF_HEADER = 'x-csrf-token';

// --- Errors -------------------------------------------------------------------------------------

export const ConsoleErrorCodeSchema = z.enum([
  'invalid', // 400: the body or query does not fit the schema (`issues` says where)
  'unauthenticated', // 401: no session, or it expired or was revoked
  'bad_credentials', // 401: wrong email or password
  'locked', // 423: too many failed sign-ins; `lockedUntil` says until when
  'too_many_attempts', // 429: too many failed sign-ins from this address; `retryAfterSeconds`
  'csrf', // 403: the CSRF token is missing or wrong
  'forbidden', // 403: the role may not do this
  'not_found', // 404: no such thing, or not in a store this user may see
  'conflict', // 409
  'refused', // 422: the engine refused (a queue action): `refusal` is the engine's code
]);
export type ConsoleErrorCode = z.infer<typeof ConsoleErrorCodeSchema>;

export const ConsoleErrorSchema = z.object({
  error: ConsoleErrorCodeSchema,
  message: z.string(),
  lockedUntil: IsoDateTimeSchema.optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  refusal: RefusalCodeSchema.optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ConsoleError = z.infer<typeof ConsoleErrorSchema>;

export const OkSchema = z.object({ ok: z.literal(true) });

// --- Session ------------------------------------------------------------------------------------

/** Staff roles (cloud/staff owns the accounts; the role names are shared with the console). */
export const StaffRoleSchema = z.enum(['owner', 'admin', 'store_manager', 'technician', 'agent']);
export type StaffRole = z.infer<typeof StaffRoleSchema>;

/**
 * What each role may do in the console. Owners and admins: everything, every store.
 * Technicians (their stores): see stores, fleet; provision, reset, remove devices.
 * Store managers (their stores): setup, live queue, statistics, fleet (read).
 * Agents: sign in and see their stores only (they work at desks, not here).
 */
export const ConsolePermissionSchema = z.enum([
  'stores.read',
  'fleet.read',
  'devices.manage',
  'setup.manage',
  'queue.manage',
  'stats.read',
  'staff.manage',
]);
export type ConsolePermission = z.infer<typeof ConsolePermissionSchema>;

export const ROLE_PERMISSIONS: Record<StaffRole, readonly ConsolePermission[]> = {
  owner: ConsolePermissionSchema.options,
  admin: ConsolePermissionSchema.options,
  technician: ['stores.read', 'fleet.read', 'devices.manage'],
  store_manager: ['stores.read', 'fleet.read', 'setup.manage', 'queue.manage', 'stats.read'],
  agent: ['stores.read'],
};

export const StoreSummarySchema = StoreSchema.pick({
  id: true,
  organizationId: true,
  name: true,
  timeZone: true,
  langs: true,
});
export type StoreSummary = z.infer<typeof StoreSummarySchema>;

export const ConsoleUserSchema = z.object({
  id: IdSchema,
  name: z.string(),
  email: z.email(),
  role: StaffRoleSchema,
  /** Owners and admins see every store. */
  allStores: z.boolean(),
  stores: z.array(StoreSummarySchema),
  permissions: z.array(ConsolePermissionSchema),
});
export type ConsoleUser = z.infer<typeof ConsoleUserSchema>;

export const SignInRequestSchema = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
});
export type SignInRequest = z.infer<typeof SignInRequestSchema>;

export const SessionResponseSchema = z.object({
  user: ConsoleUserSchema,
  csrfToken: z.string().min(16),
  expiresAt: IsoDateTimeSchema,
});
export type SessionResponse = z.infer<typeof SessionResponseSchema>;

export const CsrfResponseSchema = z.object({ csrfToken: z.string().min(16) });

export const ChangePasswordRequestSchema = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(8).max(200),
});

// --- Stores -------------------------------------------------------------------------------------

export const StoresResponseSchema = z.object({ stores: z.array(StoreSummarySchema) });

// --- Waiting devices and provisioning -----------------------------------------------------------

/** An unknown device that knocked on `POST /provision` (kept until it is provisioned). */
export const WaitingDeviceSchema = z.object({
  id: IdSchema,
  macs: z.array(z.string()),
  hostname: z.string(),
  /** The remote address it knocked from. */
  address: z.string(),
  firstSeen: IsoDateTimeSchema,
  lastSeen: IsoDateTimeSchema,
  knocks: z.number().int().min(1),
});
export type WaitingDevice = z.infer<typeof WaitingDeviceSchema>;

export const WaitingDevicesResponseSchema = z.object({ devices: z.array(WaitingDeviceSchema) });

export const ProvisionWaitingRequestSchema = z.object({
  storeId: IdSchema,
  role: DeviceRoleSchema,
  name: DeviceSchema.shape.name.optional(),
  /** Which of its MACs names it (default: the first it sent). */
  mac: z.string().optional(),
  /** Services this desk serves / this machine offers / this screen shows. */
  serviceIds: z.array(IdSchema).max(200).default([]),
});
export type ProvisionWaitingRequest = z.infer<typeof ProvisionWaitingRequestSchema>;

/** As `lineup-hub device add` / `device reset` answer. */
export const DeviceActionResponseSchema = z.object({
  device: DeviceSchema,
  claim: z.enum(['open', 'claimed']),
  message: z.string(),
});
export type DeviceActionResponse = z.infer<typeof DeviceActionResponseSchema>;

export const DeviceUpdateRequestSchema = z.object({
  name: DeviceSchema.shape.name.optional(),
  role: DeviceRoleSchema.optional(),
});

// --- Fleet health -------------------------------------------------------------------------------

export const ConnectionStateSchema = z.enum(['online', 'offline', 'never']);

export const FleetDeviceSchema = z.object({
  device: DeviceSchema.pick({ id: true, name: true, role: true, hostname: true, mac: true }),
  connection: ConnectionStateSchema,
  /** Since when the current socket is connected (online only). */
  connectedSince: IsoDateTimeSchema.nullable(),
  /** The last time the hub heard from it (socket traffic or health report). */
  lastSeen: IsoDateTimeSchema.nullable(),
  /** The appliance version it reported on connecting, when it did. */
  version: z.string().nullable(),
  printer: PrinterConditionSchema.nullable(),
  printerMessage: z.string().nullable(),
  health: DeviceHealthEntrySchema.nullable(),
  /** Hub head − the device's acknowledged position (same epoch), when known. */
  syncLag: z.number().int().min(0).nullable(),
  flags: z.object({
    /** Not heard from for longer than QUIET_AFTER_SECONDS (or never connected). */
    quiet: z.boolean(),
    outOfPaper: z.boolean(),
    paperNearEnd: z.boolean(),
    coverOpen: z.boolean(),
    /** Pager or scanner reports a fault. */
    peripheralFault: z.boolean(),
  }),
});
export type FleetDevice = z.infer<typeof FleetDeviceSchema>;

export const QUIET_AFTER_SECONDS = 120;

export const FleetResponseSchema = z.object({
  storeId: IdSchema,
  head: LogPositionSchema.nullable(),
  generatedAt: IsoDateTimeSchema,
  devices: z.array(FleetDeviceSchema),
});
export type FleetResponse = z.infer<typeof FleetResponseSchema>;

// --- Store setup --------------------------------------------------------------------------------

export const DeskSetupSchema = z.object({
  deviceId: IdSchema,
  name: z.string(),
  status: DeskStatusSchema,
  /** Services whose `deskIds` list this desk (empty lists mean every desk: `servesAll`). */
  serviceIds: z.array(IdSchema),
  servesAll: z.array(IdSchema),
});
export type DeskSetup = z.infer<typeof DeskSetupSchema>;

/** An API key as the console shows it: never its secret (shown once, on creation). */
export const ApiKeyViewSchema = z.object({
  key: z.string(),
  name: z.string(),
  locked: z.boolean(),
  testing: z.boolean(),
  maxHitsPerMinute: z.number().int().min(1),
  smsPerDay: z.number().int().min(0),
  emailPerDay: z.number().int().min(0),
  /** Stores it may act on (empty: every store; only admins see those). */
  storeIds: z.array(IdSchema),
});
export type ApiKeyView = z.infer<typeof ApiKeyViewSchema>;

export const StoreSetupResponseSchema = z.object({
  store: StoreSchema,
  services: z.array(ServiceSchema),
  desks: z.array(DeskSetupSchema),
  devices: z.array(DeviceSchema),
  apiKeys: z.array(ApiKeyViewSchema),
});
export type StoreSetupResponse = z.infer<typeof StoreSetupResponseSchema>;

/** What the console may change of a store (a partial update; unknown keys are refused). */
export const StoreUpdateRequestSchema = z
  .object({
    name: StoreSchema.shape.name,
    langs: z.array(LangSchema).min(1),
    display: DisplayRuleSchema,
    workingHours: StoreLocationSchema.shape.workingHours,
    closedDays: StoreSchema.shape.closedDays,
    ticketTexts: StoreSchema.shape.ticketTexts,
  })
  .partial()
  .strict();
export type StoreUpdateRequest = z.infer<typeof StoreUpdateRequestSchema>;

const serviceEditable = {
  name: LocalizedTextSchema,
  htmlName: LocalizedTextSchema,
  header: LocalizedTextSchema,
  subheader: LocalizedTextSchema,
  subtitle: LocalizedTextSchema,
  orientation: LocalizedTextSchema,
  ticketPrefix: ServiceSchema.shape.ticketPrefix,
  serviceMinutes: ServiceSchema.shape.serviceMinutes,
  prioritize: ServiceSchema.shape.prioritize,
  prm: ServiceSchema.shape.prm,
  isRoot: ServiceSchema.shape.isRoot,
  isDefault: ServiceSchema.shape.isDefault,
  childIds: ServiceSchema.shape.childIds,
  machineIds: ServiceSchema.shape.machineIds,
  deskIds: ServiceSchema.shape.deskIds,
  screenIds: ServiceSchema.shape.screenIds,
  machineOrder: ServiceSchema.shape.machineOrder,
  deskOrder: ServiceSchema.shape.deskOrder,
  appointment: ServiceSchema.shape.appointment,
};
export const ServiceUpdateRequestSchema = z.object(serviceEditable).partial().strict();
export type ServiceUpdateRequest = z.infer<typeof ServiceUpdateRequestSchema>;
export const ServiceCreateRequestSchema = z
  .object(serviceEditable)
  .partial()
  .extend({ id: IdSchema.optional(), name: LocalizedTextSchema })
  .strict();
export type ServiceCreateRequest = z.infer<typeof ServiceCreateRequestSchema>;
export const ServiceResponseSchema = z.object({ service: ServiceSchema });
export const StoreResponseSchema = z.object({ store: StoreSchema });

export const DeskServicesRequestSchema = z.object({ serviceIds: z.array(IdSchema).max(200) });

export const ApiKeyCreateRequestSchema = z.object({
  name: z.string().trim().min(1).max(200),
  maxHitsPerMinute: z.number().int().min(1).max(100_000).optional(),
  smsPerDay: z.number().int().min(0).optional(),
  emailPerDay: z.number().int().min(0).optional(),
});
export const ApiKeyCreatedResponseSchema = z.object({
  apiKey: ApiKeyViewSchema,
  /** Shown once. */
  secret: z.string(),
});
export const ApiKeyUpdateRequestSchema = z
  .object({
    locked: z.boolean(),
    maxHitsPerMinute: z.number().int().min(1).max(100_000),
    smsPerDay: z.number().int().min(0),
    emailPerDay: z.number().int().min(0),
  })
  .partial()
  .strict();
export const ApiKeyResponseSchema = z.object({ apiKey: ApiKeyViewSchema });

// --- Live queue ---------------------------------------------------------------------------------

export const QueueCustomerSchema = CustomerSchema.pick({
  id: true,
  ticket: true,
  serviceId: true,
  state: true,
  deskId: true,
  registeredAt: true,
  calledAt: true,
  servingAt: true,
  prioritized: true,
  printState: true,
}).extend({
  /** A first name or masked name as the store's desk rule allows; null for none. */
  displayName: z.string().nullable(),
  waitedSeconds: z.number().int().min(0),
});
export type QueueCustomer = z.infer<typeof QueueCustomerSchema>;

export const LiveQueueResponseSchema = z.object({
  storeId: IdSchema,
  day: z.string(),
  generatedAt: IsoDateTimeSchema,
  services: z.array(
    z.object({
      serviceId: IdSchema,
      name: LocalizedTextSchema,
      ticketPrefix: z.string(),
      waiting: z.number().int().min(0),
      /** Seconds the first-come waiting customer has waited; null when none wait. */
      longestWaitSeconds: z.number().int().min(0).nullable(),
    }),
  ),
  desks: z.array(
    z.object({
      deskId: IdSchema,
      name: z.string(),
      status: DeskStatusSchema,
      agent: DeviceSchema.shape.agent,
      /** Whom it called or serves now. */
      current: z.array(QueueCustomerSchema),
    }),
  ),
  waiting: z.array(QueueCustomerSchema),
});
export type LiveQueueResponse = z.infer<typeof LiveQueueResponseSchema>;

/** A manager acting as a desk (e.g. an unmanned one): the engine's own commands. */
export const QueueActionRequestSchema = z.discriminatedUnion('action', [
  /** Calls this customer, or the next one when `customerId` is omitted, to `deskId`. */
  z.object({ action: z.literal('call'), deskId: IdSchema, customerId: IdSchema.optional() }),
  z.object({
    action: z.literal('transfer'),
    customerId: IdSchema,
    toServiceId: IdSchema.optional(),
    toDeskId: IdSchema.optional(),
  }),
  z.object({ action: z.literal('cancel'), customerId: IdSchema }),
  z.object({ action: z.literal('finish'), customerId: IdSchema }),
  z.object({ action: z.literal('no_show'), customerId: IdSchema }),
]);
export type QueueActionRequest = z.infer<typeof QueueActionRequestSchema>;
export const QueueActionResponseSchema = z.object({
  customer: CustomerSchema.nullable(),
  position: LogPositionSchema,
});

// --- Statistics ---------------------------------------------------------------------------------

const DaySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a day as YYYY-MM-DD');
export const StatsGroupBySchema = z.enum(['service', 'desk', 'hour', 'day']);
export type StatsGroupBy = z.infer<typeof StatsGroupBySchema>;

/** Query string of the statistics and CSV routes (days are the store's local days, inclusive). */
export const StatsQuerySchema = z.object({
  from: DaySchema,
  to: DaySchema,
  groupBy: StatsGroupBySchema.default('service'),
  /** The service level: share of served customers who waited at most this (default 10). */
  targetWaitMinutes: z.coerce
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(10),
});
export type StatsQuery = z.infer<typeof StatsQuerySchema>;

/** Seconds; null when there is nothing to average. */
export const DurationStatsSchema = z.object({
  avg: z.number().min(0).nullable(),
  p90: z.number().min(0).nullable(),
});

export const StatsRowSchema = z.object({
  /** Service id, desk id, hour "00".."23", or day; `total` for the whole range. */
  key: z.string(),
  label: z.string(),
  issued: z.number().int().min(0),
  served: z.number().int().min(0),
  noShows: z.number().int().min(0),
  cancelled: z.number().int().min(0),
  /** Time to wait: registered (or checked in) → first called. */
  ttw: DurationStatsSchema,
  /** Time to serve: serving started (or called, when never started) → finished. */
  ttp: DurationStatsSchema,
  /** Share (0..1) of served customers called within the target wait; null when none served. */
  withinTarget: z.number().min(0).max(1).nullable(),
});
export type StatsRow = z.infer<typeof StatsRowSchema>;

export const StatsResponseSchema = z.object({
  storeId: IdSchema,
  timeZone: z.string(),
  from: DaySchema,
  to: DaySchema,
  groupBy: StatsGroupBySchema,
  targetWaitMinutes: z.number().int().min(0),
  total: StatsRowSchema,
  rows: z.array(StatsRowSchema),
  /** Tickets issued per local hour of day over the range, 24 entries, "00".."23". */
  hours: z.array(z.object({ hour: z.string(), issued: z.number().int().min(0) })),
  /** The busiest hours by tickets issued, most first (at most 3, ties by hour). */
  busiestHours: z.array(z.string()),
});
export type StatsResponse = z.infer<typeof StatsResponseSchema>;

// --- The route table ----------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export interface ConsoleRoute {
  method: Method;
  path: string;
  /** JSON body (POST/PUT/PATCH) or query string (GET) schema; null for none. */
  request: z.ZodType | null;
  /** JSON response schema; null for a non-JSON answer (CSV). */
  response: z.ZodType | null;
}

const route = <R extends ConsoleRoute>(r: R): R => r;
const p = (path: string): string => `${CONSOLE_API_PREFIX}${path}`;

export const CONSOLE_ROUTES = {
  // Session
  signIn: route({
    method: 'POST',
    path: p('/session'),
    request: SignInRequestSchema,
    response: SessionResponseSchema,
  }),
  signOut: route({ method: 'DELETE', path: p('/session'), request: null, response: OkSchema }),
  whoAmI: route({
    method: 'GET',
    path: p('/session'),
    request: null,
    response: SessionResponseSchema,
  }),
  csrf: route({ method: 'GET', path: p('/csrf'), request: null, response: CsrfResponseSchema }),
  changePassword: route({
    method: 'POST',
    path: p('/session/password'),
    request: ChangePasswordRequestSchema,
    response: OkSchema,
  }),
  // Stores
  stores: route({
    method: 'GET',
    path: p('/stores'),
    request: null,
    response: StoresResponseSchema,
  }),
  // Provisioning (technicians, admins)
  waitingDevices: route({
    method: 'GET',
    path: p('/waiting-devices'),
    request: null,
    response: WaitingDevicesResponseSchema,
  }),
  provisionWaiting: route({
    method: 'POST',
    path: p('/waiting-devices/:waitingId/provision'),
    request: ProvisionWaitingRequestSchema,
    response: DeviceActionResponseSchema,
  }),
  dismissWaiting: route({
    method: 'DELETE',
    path: p('/waiting-devices/:waitingId'),
    request: null,
    response: OkSchema,
  }),
  resetDevice: route({
    method: 'POST',
    path: p('/stores/:storeId/devices/:deviceId/reset'),
    request: null,
    response: DeviceActionResponseSchema,
  }),
  removeDevice: route({
    method: 'DELETE',
    path: p('/stores/:storeId/devices/:deviceId'),
    request: null,
    response: OkSchema,
  }),
  updateDevice: route({
    method: 'PATCH',
    path: p('/stores/:storeId/devices/:deviceId'),
    request: DeviceUpdateRequestSchema,
    response: DeviceActionResponseSchema,
  }),
  // Fleet
  fleet: route({
    method: 'GET',
    path: p('/stores/:storeId/fleet'),
    request: null,
    response: FleetResponseSchema,
  }),
  // Setup (managers, admins)
  setup: route({
    method: 'GET',
    path: p('/stores/:storeId/setup'),
    request: null,
    response: StoreSetupResponseSchema,
  }),
  updateStore: route({
    method: 'PATCH',
    path: p('/stores/:storeId'),
    request: StoreUpdateRequestSchema,
    response: StoreResponseSchema,
  }),
  createService: route({
    method: 'POST',
    path: p('/stores/:storeId/services'),
    request: ServiceCreateRequestSchema,
    response: ServiceResponseSchema,
  }),
  updateService: route({
    method: 'PATCH',
    path: p('/stores/:storeId/services/:serviceId'),
    request: ServiceUpdateRequestSchema,
    response: ServiceResponseSchema,
  }),
  setDeskServices: route({
    method: 'PUT',
    path: p('/stores/:storeId/desks/:deskId/services'),
    request: DeskServicesRequestSchema,
    response: z.object({ desk: DeskSetupSchema }),
  }),
  createApiKey: route({
    method: 'POST',
    path: p('/stores/:storeId/api-keys'),
    request: ApiKeyCreateRequestSchema,
    response: ApiKeyCreatedResponseSchema,
  }),
  updateApiKey: route({
    method: 'PATCH',
    path: p('/stores/:storeId/api-keys/:key'),
    request: ApiKeyUpdateRequestSchema,
    response: ApiKeyResponseSchema,
  }),
  // Live queue (managers, admins)
  queue: route({
    method: 'GET',
    path: p('/stores/:storeId/queue'),
    request: null,
    response: LiveQueueResponseSchema,
  }),
  queueAction: route({
    method: 'POST',
    path: p('/stores/:storeId/queue/actions'),
    request: QueueActionRequestSchema,
    response: QueueActionResponseSchema,
  }),
  // Statistics (managers, admins)
  stats: route({
    method: 'GET',
    path: p('/stores/:storeId/stats'),
    request: StatsQuerySchema,
    response: StatsResponseSchema,
  }),
  /** text/csv (RFC 4180), one row per group then the total; same query as `stats`. */
  statsCsv: route({
    method: 'GET',
    path: p('/stores/:storeId/stats.csv'),
    request: StatsQuerySchema,
    response: null,
  }),
} as const satisfies Record<string, ConsoleRoute>;
export type ConsoleRouteName = keyof typeof CONSOLE_ROUTES;

/** A route's path with its `:params` filled in (URI-encoded). */
export function consolePath(name: ConsoleRouteName, params: Record<string, string> = {}): string {
  return CONSOLE_ROUTES[name].path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`consolePath(${name}): missing :${key}`);
    return encodeURIComponent(value);
  });
}

/** The request schema's output type of a route (body or query). */
export type ConsoleRequest<N extends ConsoleRouteName> =
  (typeof CONSOLE_ROUTES)[N]['request'] extends z.ZodType
    ? z.input<(typeof CONSOLE_ROUTES)[N]['request']>
    : never;
/** The response type of a JSON route. */
export type ConsoleResponse<N extends ConsoleRouteName> =
  (typeof CONSOLE_ROUTES)[N]['response'] extends z.ZodType
    ? z.output<(typeof CONSOLE_ROUTES)[N]['response']>
    : never;
