// The single sequencer of each store's queue. Every change, whatever door it came in by (a
// socket command, a REST call, the CLI), is applied here in one IMMEDIATE transaction that
// also appends it to the store's log, so two desks can never get the same customer and the
// sequence has no gaps. Listeners hear the changes only after they are committed.
import { randomUUID } from 'node:crypto';
import type { Customer, Device, Service, Store } from '../../shared/domain/entities.js';
import { CustomerSchema, DeviceSchema } from '../../shared/domain/entities.js';
import { estimateFor } from '../../shared/domain/estimate.js';
import { IllegalTransitionError, transition } from '../../shared/domain/lifecycle.js';
import {
  formatTicket,
  nextFreeNumber,
  reserveRange,
  storeDay,
} from '../../shared/domain/numbering.js';
import { canDeskCall, deskServiceIds, pickNext, sortTimeAt } from '../../shared/domain/queue.js';
import { mustWaitAtRegistration } from '../../shared/domain/turn-near.js';
import type {
  Change,
  ChangeEntity,
  ChangeEvent,
  Command,
  CommandEnvelope,
  CommandResult,
  DeskStatusChange,
  LogPosition,
  PullResponse,
  RegisterPayload,
  StoreSnapshot,
  TicketBlock,
} from '../../shared/protocol/sync.js';
import type { BlockRegisterPayloadSchema } from '../../shared/protocol/sync.js';
import type { z } from 'zod';
import type { Db } from '../db/hub-db.js';
import { Repo, newObjectId } from '../db/repo.js';
import { Refused, refuse } from './refusal.js';

/** Who sends a command: the device it acts as, and the origin written in the log. */
export interface Actor {
  deviceId: string;
  /** The device id, or `rest:<api key>`. */
  origin: string;
  /** Who registered a customer (FileVirtuelle `registered_by`): the device, or the API key. */
  registeredBy?: string;
}

type ChangeListener = (changes: readonly Change[]) => void;

interface CommandContext {
  repo: Repo;
  store: Store;
  device: Device;
  registeredBy: string;
  now: Date;
  nowIso: string;
  emit: (event: ChangeEvent, entity: ChangeEntity) => Change;
  services: () => Service[];
  devices: () => Device[];
  /** Booked and in-flow customers (what the queue rules look at). */
  customers: () => Customer[];
  /** The latest finished customers of the day (observed service times for estimates). */
  finished: () => Customer[];
}

interface Outcome {
  customer?: Customer | null;
  block?: TicketBlock | null;
}

/** Whether the store lets customers register this way (FileVirtuelle contact modes). */
export function contactModeAvailable(store: Store, mode: RegisterPayload['contactMode']): boolean {
  switch (mode) {
    case 'name':
      return store.allowNameRegistration;
    case 'phone':
      return store.sms.enabled;
    case 'email':
      return store.email.enabled;
    case 'pager':
      return store.pagers.enabled;
    case 'anonymous':
      return true;
  }
}

export class HubEngine {
  readonly repo: Repo;
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    readonly db: Db,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.repo = new Repo(db);
  }

  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction; changes it appends are published after commit.
   * For config edits and REST edits that are not device commands.
   */
  mutate<T>(
    fn: (
      append: (storeId: string, event: ChangeEvent, entity: ChangeEntity, origin: string) => Change,
    ) => T,
  ): T {
    const changes: Change[] = [];
    const run = this.db.transaction(() =>
      fn((storeId, event, entity, origin) => {
        const change = this.repo.append(storeId, { origin, commandId: null, event, entity });
        changes.push(change);
        return change;
      }),
    );
    const out = run.immediate();
    this.publish(changes);
    return out;
  }

  /** Applies a device command once per id; a retry gets the first result again. */
  applyCommand(actor: Actor, envelope: CommandEnvelope): CommandResult {
    const changes: Change[] = [];
    const run = this.db.transaction((): CommandResult => {
      const prior = this.db
        .prepare('SELECT device_id, type, result FROM applied_commands WHERE id = ?')
        .get(envelope.id) as { device_id: string; type: string; result: string } | undefined;
      if (prior !== undefined) {
        if (prior.device_id !== actor.deviceId || prior.type !== envelope.type) {
          return refusal('conflict', 'This command id was already used for another command.');
        }
        return JSON.parse(prior.result) as CommandResult;
      }
      const device = this.repo.device(actor.deviceId);
      if (device === null) return refusal('not_found', 'This device is not known to the hub.');
      const store = this.repo.store(device.storeId);
      if (store === null) return refusal('not_found', 'The store of this device is not known.');
      const now = this.clock();
      const lazy = <T>(load: () => T): (() => T) => {
        let value: T | undefined;
        return () => (value ??= load());
      };
      const ctx: CommandContext = {
        repo: this.repo,
        store,
        device,
        registeredBy: actor.registeredBy ?? device.id,
        now,
        nowIso: now.toISOString(),
        emit: (event, entity) => {
          const change = this.repo.append(store.id, {
            origin: actor.origin,
            commandId: envelope.id,
            event,
            entity,
          });
          changes.push(change);
          return change;
        },
        services: lazy(() => this.repo.services(store.id)),
        devices: lazy(() => this.repo.devices(store.id)),
        customers: lazy(() => this.repo.activeCustomers(store.id)),
        finished: lazy(() => this.repo.recentlyFinished(store.id, storeDay(now, store.timeZone))),
      };
      let result: CommandResult;
      try {
        // A savepoint: a refusal thrown half-way undoes what the command wrote.
        const outcome = this.db.transaction(() => handle(ctx, envelope))();
        const position = this.repo.head(store.id) as LogPosition;
        result = {
          ok: true,
          position,
          customer: outcome.customer ?? null,
          block: outcome.block ?? null,
        };
      } catch (error) {
        changes.length = 0;
        if (error instanceof Refused) result = { ok: false, refusal: error.toRefusal() };
        else if (error instanceof IllegalTransitionError)
          result = refusal('illegal_transition', error.message);
        else throw error;
      }
      this.db
        .prepare(
          'INSERT INTO applied_commands (id, store_id, device_id, type, result, applied_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          envelope.id,
          store.id,
          actor.deviceId,
          envelope.type,
          JSON.stringify(result),
          now.toISOString(),
        );
      return result;
    });
    const result = run.immediate();
    this.publish(changes);
    return result;
  }

  /** A new command id for commands the hub makes itself (REST /register, /next). */
  static newCommandId(): string {
    return randomUUID();
  }

  pull(storeId: string, since: LogPosition, limit: number): PullResponse {
    const head = this.repo.head(storeId);
    if (head === null)
      return { ok: false, refusal: { code: 'not_found', message: 'Unknown store.' } };
    if (since.epoch !== head.epoch || since.seq > head.seq) {
      return { ok: true, changes: [], head, reset: true };
    }
    return {
      ok: true,
      changes: this.repo.changesSince(storeId, head.epoch, since.seq, limit),
      head,
      reset: false,
    };
  }

  snapshot(storeId: string): StoreSnapshot | null {
    const read = this.db.transaction((): StoreSnapshot | null => {
      const store = this.repo.store(storeId);
      const position = this.repo.head(storeId);
      if (store === null || position === null) return null;
      const organization = this.repo.organization(store.organizationId);
      if (organization === null) return null;
      const day = storeDay(this.clock(), store.timeZone);
      return {
        position,
        organization,
        store,
        services: this.repo.services(storeId),
        devices: this.repo.devices(storeId),
        customers: this.repo.queueCustomers(storeId, day),
        blocks: this.repo.blocks(storeId).filter((b) => b.ticketDay >= day),
      };
    });
    return read();
  }
}

function refusal(
  code: Extract<CommandResult, { ok: false }>['refusal']['code'],
  message: string,
): CommandResult {
  return { ok: false, refusal: { code, message } };
}

function handle(ctx: CommandContext, envelope: CommandEnvelope): Outcome {
  const command = envelope as Command;
  switch (command.type) {
    case 'register':
      return register(ctx, command.payload);
    case 'register_from_block':
    case 'register_offline':
      return registerFromBlock(ctx, command.payload);
    case 'check_in':
      return checkIn(ctx, command.payload.code);
    case 'call_next':
      return callNext(ctx);
    case 'call_customer':
      return callCustomer(ctx, command.payload.customerId);
    case 'recall':
      return step(ctx, command.payload.customerId, 'recall', 'recalled', (c) => ({
        ...c,
        recalls: c.recalls + 1,
      }));
    case 'start_serving':
      return step(ctx, command.payload.customerId, 'start', 'serving', (c) => ({
        ...c,
        servingAt: ctx.nowIso,
      }));
    case 'finish':
      return step(ctx, command.payload.customerId, 'finish', 'done', (c) => ({
        ...c,
        finishedAt: ctx.nowIso,
      }));
    case 'no_show':
      return step(ctx, command.payload.customerId, 'no_show', 'no_show', (c) => ({
        ...c,
        finishedAt: ctx.nowIso,
      }));
    case 'cancel':
      return step(ctx, command.payload.customerId, 'cancel', 'cancelled', (c) => ({
        ...c,
        finishedAt: ctx.nowIso,
      }));
    case 'transfer':
      return transfer(ctx, command.payload);
    case 'set_desk_status':
      return setDeskStatus(ctx, command.payload.status, command.payload.pauseMinutes);
    case 'reserve_block':
      return reserveBlock(ctx, command.payload.serviceId, command.payload.size);
  }
}

function requireRole(ctx: CommandContext, role: Device['role'], what: string): void {
  if (ctx.device.role !== role)
    refuse('not_allowed', `Only a ${role === 'machine' ? 'ticket machine' : role} can ${what}.`);
}

function queueService(ctx: CommandContext, serviceId: string): Service {
  const service = ctx.services().find((s) => s.id === serviceId);
  if (service === undefined)
    return refuse('not_found', `Service ${serviceId} does not exist in this store.`);
  if (service.childIds.length > 0) {
    return refuse('not_allowed', `Service ${serviceId} is a menu: choose one of its services.`);
  }
  return service;
}

function checkContact(ctx: CommandContext, payload: RegisterPayload): void {
  if (!contactModeAvailable(ctx.store, payload.contactMode)) {
    refuse(
      'not_allowed',
      `Registration by ${payload.contactMode} is not activated for this store.`,
    );
  }
  const need: Partial<Record<RegisterPayload['contactMode'], boolean>> = {
    name: payload.contact.name !== undefined,
    phone: payload.contact.phone !== undefined,
    email: payload.contact.email !== undefined,
    pager: payload.pager !== null,
  };
  if (need[payload.contactMode] === false) {
    refuse(
      'invalid',
      `Registration by ${payload.contactMode} needs the customer's ${payload.contactMode}.`,
    );
  }
}

function save(ctx: CommandContext, event: ChangeEvent, customer: Customer): Customer {
  const c = CustomerSchema.parse({ ...customer, updatedAt: ctx.nowIso });
  ctx.emit(event, { kind: 'customer', customer: c });
  const list = ctx.customers();
  const i = list.findIndex((x) => x.id === c.id);
  if (i >= 0) list[i] = c;
  else list.push(c);
  return c;
}

function register(ctx: CommandContext, payload: RegisterPayload): Outcome {
  requireRole(ctx, 'machine', 'register customers');
  const service = queueService(ctx, payload.serviceId);
  if (service.machineIds.length > 0 && !service.machineIds.includes(ctx.device.id)) {
    refuse('not_allowed', `This ticket machine does not offer service ${service.id}.`);
  }
  checkContact(ctx, payload);
  const day = storeDay(ctx.now, ctx.store.timeZone);
  const prefix = service.ticketPrefix;
  const last = ctx.repo.lastIssued(ctx.store.id, prefix, day);
  const n = nextFreeNumber(last, ctx.repo.blocks(ctx.store.id, prefix, day));
  ctx.repo.setLastIssued(ctx.store.id, prefix, day, n);
  const estimate = estimateFor(
    { serviceId: service.id },
    {
      customers: [...ctx.customers(), ...ctx.finished()],
      services: ctx.services(),
      devices: ctx.devices(),
      store: ctx.store,
      now: ctx.now,
    },
  );
  const booked = payload.appointment !== null;
  const customer = save(ctx, 'registered', {
    ...baseCustomer(ctx, payload, service),
    id: newObjectId(),
    state: booked ? 'booked' : 'waiting',
    ticketNumber: n,
    ticketDay: day,
    ticket: formatTicket(prefix, n),
    registeredAt: ctx.nowIso,
    sortAt: payload.appointment?.at ?? ctx.nowIso,
    arrivalSeq: ctx.repo.nextArrivalSeq(ctx.store.id),
    peopleBefore: estimate.peopleBefore,
    mustWait: mustWaitAtRegistration(estimate, ctx.store),
  });
  return { customer };
}

function baseCustomer(
  ctx: CommandContext,
  payload: RegisterPayload,
  service: Service,
): Omit<
  Customer,
  | 'id'
  | 'state'
  | 'ticketNumber'
  | 'ticketDay'
  | 'ticket'
  | 'registeredAt'
  | 'sortAt'
  | 'arrivalSeq'
  | 'peopleBefore'
  | 'mustWait'
> {
  return {
    storeId: ctx.store.id,
    serviceId: service.id,
    servicePath: payload.servicePath.length > 0 ? payload.servicePath : [service.id],
    machineId: ctx.device.id,
    lang: payload.lang,
    registeredBy: ctx.registeredBy,
    contactMode: payload.contactMode,
    contact: payload.contact,
    pager: payload.pager,
    ticketPrefix: service.ticketPrefix,
    prioritized: false,
    appointment: payload.appointment === null ? null : { ...payload.appointment, expired: false },
    checkedInAt: null,
    calledAt: null,
    servingAt: null,
    finishedAt: null,
    updatedAt: ctx.nowIso,
    deskId: null,
    recalls: 0,
    alerted: false,
    visits: 0,
  };
}

/**
 * A ticket the machine numbered from its own block (online or offline). It keeps its number and
 * its place from the time it was printed; people before it and whether it must wait are worked
 * out here, from the queue at that place, as for a ticket the hub numbers itself.
 */
function registerFromBlock(
  ctx: CommandContext,
  payload: z.infer<typeof BlockRegisterPayloadSchema>,
): Outcome {
  requireRole(ctx, 'machine', 'register customers');
  const block = ctx.repo.block(payload.blockId);
  if (block === null || block.storeId !== ctx.store.id)
    refuse('not_found', `Block ${payload.blockId} does not exist.`);
  const b = block as TicketBlock;
  if (b.deviceId !== ctx.device.id)
    refuse('not_allowed', 'This block was reserved for another ticket machine.');
  if (payload.ticketNumber < b.first || payload.ticketNumber > b.last) {
    refuse(
      'conflict',
      `Ticket number ${payload.ticketNumber} is outside block ${b.first}-${b.last}.`,
    );
  }
  const service = queueService(ctx, payload.serviceId);
  if (service.ticketPrefix !== b.ticketPrefix) {
    refuse('conflict', `Service ${service.id} does not number with prefix ${b.ticketPrefix}.`);
  }
  checkContact(ctx, payload);
  if (ctx.repo.customer(payload.customerId) !== null) {
    refuse('conflict', `Customer ${payload.customerId} is already registered.`);
  }
  if (ctx.repo.ticketTaken(ctx.store.id, b.ticketPrefix, b.ticketDay, payload.ticketNumber)) {
    refuse(
      'conflict',
      `Ticket ${formatTicket(b.ticketPrefix, payload.ticketNumber)} was already issued.`,
    );
  }
  const draft: Customer = {
    ...baseCustomer(ctx, payload, service),
    id: payload.customerId,
    state: payload.appointment !== null ? 'booked' : 'waiting',
    ticketNumber: payload.ticketNumber,
    ticketDay: b.ticketDay,
    ticket: formatTicket(b.ticketPrefix, payload.ticketNumber),
    registeredAt: payload.issuedAt,
    // Issued earlier: it keeps its place in the queue from the time it was printed.
    sortAt: payload.appointment?.at ?? payload.issuedAt,
    arrivalSeq: ctx.repo.nextArrivalSeq(ctx.store.id),
    peopleBefore: 0,
    mustWait: false,
  };
  const estimate = estimateFor(draft, {
    customers: [...ctx.customers(), ...ctx.finished()],
    services: ctx.services(),
    devices: ctx.devices(),
    store: ctx.store,
    now: ctx.now,
  });
  const customer = save(ctx, 'registered', {
    ...draft,
    peopleBefore: estimate.peopleBefore,
    mustWait: mustWaitAtRegistration(estimate, ctx.store),
  });
  return { customer };
}

function findCustomer(ctx: CommandContext, id: string): Customer {
  const c = ctx.customers().find((x) => x.id === id) ?? ctx.repo.customer(id);
  if (c === null || c.storeId !== ctx.store.id)
    return refuse('not_found', `Customer ${id} does not exist.`);
  return c;
}

function checkIn(ctx: CommandContext, code: string): Outcome {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot check customers in.');
  const trimmed = code.trim();
  const c = ctx
    .customers()
    .find(
      (x) =>
        x.state === 'booked' &&
        (x.id === trimmed ||
          x.appointment?.externalId === trimmed ||
          x.ticket === trimmed.toUpperCase()),
    );
  if (c === undefined) return refuse('not_found', 'No booked appointment matches this code.');
  const customer = save(ctx, 'checked_in', {
    ...c,
    state: transition(c.state, 'check_in'),
    checkedInAt: ctx.nowIso,
    sortAt: sortTimeAt(ctx.now, c.appointment?.at, ctx.store).toISOString(),
  });
  return { customer };
}

function requireCallingDesk(ctx: CommandContext): void {
  requireRole(ctx, 'desk', 'call customers');
  if (!canDeskCall(ctx.device))
    refuse('desk_closed', 'This desk is closed or paused: open it to call.');
}

/** A desk that calls the next customer is done with the one it had (FileVirtuelle `processed`). */
function closeCurrent(ctx: CommandContext): void {
  for (const c of ctx.customers().filter((x) => x.deskId === ctx.device.id)) {
    if (c.state === 'called') {
      save(ctx, 'done', {
        ...c,
        state: transition(transition(c.state, 'start'), 'finish'),
        servingAt: c.calledAt ?? ctx.nowIso,
        finishedAt: ctx.nowIso,
      });
    } else if (c.state === 'serving') {
      save(ctx, 'done', { ...c, state: transition(c.state, 'finish'), finishedAt: ctx.nowIso });
    }
  }
}

function callNext(ctx: CommandContext): Outcome {
  requireCallingDesk(ctx);
  const next = pickNext({
    deskId: ctx.device.id,
    customers: ctx.customers(),
    services: ctx.services(),
    devices: ctx.devices(),
    store: ctx.store,
    now: ctx.now,
  });
  if (next === null) return refuse('queue_empty', 'Nobody is waiting for this desk.');
  closeCurrent(ctx);
  return call(ctx, next);
}

function call(ctx: CommandContext, c: Customer): Outcome {
  const customer = save(ctx, 'called', {
    ...c,
    state: transition(c.state, 'call'),
    deskId: ctx.device.id,
    calledAt: ctx.nowIso,
  });
  return { customer };
}

function callCustomer(ctx: CommandContext, id: string): Outcome {
  requireCallingDesk(ctx);
  const c = findCustomer(ctx, id);
  const handled = deskServiceIds(ctx.device.id, {
    services: ctx.services(),
    devices: ctx.devices(),
    store: ctx.store,
  });
  if (c.deskId !== null ? c.deskId !== ctx.device.id : !handled.has(c.serviceId)) {
    refuse('not_allowed', `This desk does not serve ticket ${c.ticket}.`);
  }
  if (c.state !== 'waiting') transition(c.state, 'call');
  closeCurrent(ctx);
  return call(ctx, findCustomer(ctx, id));
}

function step(
  ctx: CommandContext,
  id: string,
  event: 'recall' | 'start' | 'finish' | 'no_show' | 'cancel',
  changeEvent: ChangeEvent,
  edit: (c: Customer) => Customer,
): Outcome {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot change customers.');
  const c = findCustomer(ctx, id);
  const deskOnly = event !== 'cancel';
  if (deskOnly) {
    requireRole(ctx, 'desk', 'serve customers');
    if (c.deskId !== null && c.deskId !== ctx.device.id && c.state !== 'waiting') {
      refuse('not_allowed', `Ticket ${c.ticket} is handled by another desk.`);
    }
  }
  const customer = save(ctx, changeEvent, { ...edit(c), state: transition(c.state, event) });
  return { customer };
}

function transfer(
  ctx: CommandContext,
  payload: { customerId: string; toServiceId?: string | undefined; toDeskId?: string | undefined },
): Outcome {
  requireRole(ctx, 'desk', 'transfer customers');
  if (payload.toServiceId === undefined && payload.toDeskId === undefined) {
    refuse('invalid', 'A transfer needs a service or a desk to send the customer to.');
  }
  const c = findCustomer(ctx, payload.customerId);
  const service = payload.toServiceId === undefined ? null : queueService(ctx, payload.toServiceId);
  if (payload.toDeskId !== undefined) {
    const desk = ctx.devices().find((d) => d.id === payload.toDeskId);
    if (desk === undefined || desk.role !== 'desk')
      refuse('not_found', `Desk ${payload.toDeskId} does not exist.`);
  }
  const customer = save(ctx, 'transferred', {
    ...c,
    state: transition(c.state, 'transfer'),
    serviceId: service?.id ?? c.serviceId,
    servicePath: service === null ? c.servicePath : [...c.servicePath.slice(0, -1), service.id],
    deskId: payload.toDeskId ?? null,
    calledAt: null,
    servingAt: null,
  });
  return { customer };
}

const DESK_STATUS: Record<DeskStatusChange, Device['status']> = {
  open: { open: true, pause: false, preClose: false, redirect: false },
  pause: { open: true, pause: true, preClose: false, redirect: false },
  pre_close: { open: true, pause: false, preClose: true, redirect: false },
  close: { open: false, pause: false, preClose: false, redirect: false },
  close_redirect: { open: false, pause: false, preClose: false, redirect: true },
};

function setDeskStatus(
  ctx: CommandContext,
  status: DeskStatusChange,
  pauseMinutes?: number,
): Outcome {
  requireRole(ctx, 'desk', 'change a desk status');
  if ((status === 'close' || status === 'close_redirect') && !ctx.store.floatingDesks) {
    refuse('not_allowed', 'Desks of this store may not be closed during the day.');
  }
  if (status === 'close_redirect' && !ctx.store.redirectDesks) {
    refuse('not_allowed', 'This store does not redirect the services of closed desks.');
  }
  const device = DeviceSchema.parse({
    ...ctx.device,
    status: DESK_STATUS[status],
    pause:
      status === 'pause'
        ? { since: ctx.nowIso, minutes: pauseMinutes ?? 0 }
        : { since: null, minutes: 0 },
  });
  ctx.emit('desk_status', { kind: 'device', device });
  return {};
}

function reserveBlock(ctx: CommandContext, serviceId: string, size: number): Outcome {
  requireRole(ctx, 'machine', 'reserve ticket numbers');
  const service = queueService(ctx, serviceId);
  const day = storeDay(ctx.now, ctx.store.timeZone);
  const prefix = service.ticketPrefix;
  const range = reserveRange(
    ctx.repo.lastIssued(ctx.store.id, prefix, day),
    ctx.repo.blocks(ctx.store.id, prefix, day),
    size,
  );
  const block: TicketBlock = {
    id: newObjectId(),
    storeId: ctx.store.id,
    deviceId: ctx.device.id,
    serviceId,
    ticketPrefix: prefix,
    ticketDay: day,
    first: range.first,
    last: range.last,
  };
  ctx.emit('block_reserved', { kind: 'block', block });
  return { block };
}
