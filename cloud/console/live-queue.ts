// The live queue of a store for the console, and a manager's actions on it (call, transfer,
// cancel, finish, no-show), which are the devices' own commands applied by the engine as the
// desk concerned: the same rules, the same log, the same broadcast.
import { randomUUID } from 'node:crypto';
import { deskDisplay } from '../../shared/domain/display.js';
import type { Customer, Device, Store } from '../../shared/domain/entities.js';
import { storeDay } from '../../shared/domain/numbering.js';
import type {
  LiveQueueResponse,
  QueueActionRequest,
  QueueCustomer,
} from '../../shared/protocol/console.js';
import type { Command, CommandResult } from '../../shared/protocol/sync.js';
import type { HubEngine } from '../engine/hub-engine.js';
import type { Staff } from '../staff/staff.js';
import { ConsoleHttpError } from './access.js';
import { consoleOrigin } from './setup.js';

const arrival = (c: Customer): string => c.checkedInAt ?? c.registeredAt;
const waitedSeconds = (c: Customer, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - Date.parse(arrival(c))) / 1000));

function queueCustomer(c: Customer, store: Store, now: Date): QueueCustomer {
  const shown = deskDisplay(c, store.display);
  return {
    id: c.id,
    ticket: c.ticket,
    serviceId: c.serviceId,
    state: c.state,
    deskId: c.deskId,
    registeredAt: c.registeredAt,
    calledAt: c.calledAt,
    servingAt: c.servingAt,
    prioritized: c.prioritized,
    printState: c.printState,
    displayName: shown === c.ticket ? null : shown,
    waitedSeconds: waitedSeconds(c, now),
  };
}

export async function liveQueue(
  engine: HubEngine,
  store: Store,
  now: Date,
): Promise<LiveQueueResponse> {
  const day = storeDay(now, store.timeZone);
  const customers = await engine.repo.queueCustomers(store.id, day);
  const services = (await engine.repo.services(store.id)).filter((s) => s.childIds.length === 0);
  const desks = (await engine.repo.devices(store.id)).filter((d) => d.role === 'desk');
  const waiting = customers
    .filter((c) => c.state === 'waiting')
    .sort((a, b) => a.sortAt.localeCompare(b.sortAt) || a.arrivalSeq - b.arrivalSeq);
  return {
    storeId: store.id,
    day,
    generatedAt: now.toISOString(),
    services: services.map((s) => {
      const mine = waiting.filter((c) => c.serviceId === s.id);
      return {
        serviceId: s.id,
        name: s.name,
        ticketPrefix: s.ticketPrefix,
        waiting: mine.length,
        longestWaitSeconds:
          mine.length === 0 ? null : Math.max(...mine.map((c) => waitedSeconds(c, now))),
      };
    }),
    desks: desks.map((d) => ({
      deskId: d.id,
      name: d.name,
      status: d.status,
      agent: d.agent,
      current: customers
        .filter((c) => c.deskId === d.id && (c.state === 'called' || c.state === 'serving'))
        .map((c) => queueCustomer(c, store, now)),
    })),
    waiting: waiting.map((c) => queueCustomer(c, store, now)),
  };
}

/** The device a command runs as: the desk named, the customer's desk, or any desk of the store. */
async function actingDesk(engine: HubEngine, store: Store, deskId: string | null): Promise<Device> {
  const desks = (await engine.repo.devices(store.id)).filter((d) => d.role === 'desk');
  const desk = deskId === null ? desks[0] : desks.find((d) => d.id === deskId);
  if (desk === undefined) {
    throw new ConsoleHttpError(
      deskId === null ? 409 : 404,
      deskId === null ? 'conflict' : 'not_found',
      deskId === null ? 'This store has no desk to act as.' : `No desk ${deskId} in this store.`,
    );
  }
  return desk;
}

async function storeCustomer(engine: HubEngine, store: Store, id: string): Promise<Customer> {
  const customer = await engine.repo.customer(id);
  if (customer === null || customer.storeId !== store.id) {
    throw new ConsoleHttpError(404, 'not_found', `No customer ${id} in this store.`);
  }
  return customer;
}

async function commandOf(
  engine: HubEngine,
  store: Store,
  action: QueueActionRequest,
): Promise<{ desk: Device; command: Command }> {
  switch (action.action) {
    case 'call':
      return {
        desk: await actingDesk(engine, store, action.deskId),
        command:
          action.customerId === undefined
            ? { type: 'call_next', payload: {} }
            : { type: 'call_customer', payload: { customerId: action.customerId } },
      };
    case 'transfer': {
      const c = await storeCustomer(engine, store, action.customerId);
      return {
        desk: await actingDesk(engine, store, c.deskId),
        command: {
          type: 'transfer',
          payload: {
            customerId: c.id,
            ...(action.toServiceId === undefined ? {} : { toServiceId: action.toServiceId }),
            ...(action.toDeskId === undefined ? {} : { toDeskId: action.toDeskId }),
          },
        },
      };
    }
    case 'cancel':
    case 'finish':
    case 'no_show': {
      const c = await storeCustomer(engine, store, action.customerId);
      return {
        desk: await actingDesk(engine, store, c.deskId),
        command: { type: action.action, payload: { customerId: c.id } },
      };
    }
  }
}

export async function queueAction(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  action: QueueActionRequest,
  now: Date,
): Promise<Extract<CommandResult, { ok: true }>> {
  const { desk, command } = await commandOf(engine, store, action);
  const result = await engine.applyCommand(
    { deviceId: desk.id, origin: consoleOrigin(staff), registeredBy: consoleOrigin(staff) },
    { id: randomUUID(), issuedAt: now.toISOString(), ...command },
  );
  if (!result.ok) {
    throw new ConsoleHttpError(422, 'refused', result.refusal.message, {
      refusal: result.refusal.code,
    });
  }
  return result;
}
