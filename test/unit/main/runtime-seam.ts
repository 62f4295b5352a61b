// A RuntimeContext for unit tests of the role services: a real LocalDb on a temp SQLite file,
// real (unopened) peripherals, and a scripted link to the hub that answers each command the way
// the test says and records what was sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplianceError,
  type ApplianceWireEvent,
  type RegisterParams,
} from '../../../shared/api/appliance-api.js';
import { newCustomer } from '../../../shared/domain/customer.js';
import { DeviceSchema, type Customer, type Device } from '../../../shared/domain/entities.js';
import type {
  CommandEnvelope,
  CommandResult,
  RegisterPayload,
  StoreSnapshot,
  TicketBlock,
} from '../../../shared/protocol/sync.js';
import { createLogger } from '../../../main/common/logger.js';
import { openDatabase, type Db } from '../../../main/local-db/database.js';
import { LocalDb } from '../../../main/local-db/local-db.js';
import { Peripherals } from '../../../main/runtime/peripherals.js';
import type { HubSync, RuntimeContext } from '../../../main/runtime/runtime-context.js';
import { OfflineError, settleAnswer } from '../../../main/sync/sync-client.js';
import { makeService, makeStore } from '../shared/fixtures.js';

export const NOW = new Date('2025-03-10T09:00:00.000Z');
export const DAY = '2025-03-10';

export const machine: Device = DeviceSchema.parse({
  id: 'kiosk-1',
  organizationId: 'org-1',
  storeId: 'store-1',
  name: 'Kiosk',
  hostname: 'kiosk',
  mac: '02:00:00:00:00:01',
  role: 'machine',
});

export const snapshot: StoreSnapshot = {
  position: { epoch: 'e1', seq: 1 },
  organization: { id: 'org-1', name: 'Org', logo: '', colorOne: '#1F3A5F', colorTwo: '#FFFFFF' },
  store: makeStore(),
  services: [makeService('svc-a', { ticketPrefix: 'A', prioritize: true })],
  devices: [machine],
  customers: [],
  blocks: [],
};

/** Answers one command; throwing OfflineError plays a hub that did not answer. */
export type HubScript = (envelope: CommandEnvelope) => CommandResult;

export class ScriptedHub implements HubSync {
  connected = true;
  sent: CommandEnvelope[] = [];
  pulls = 0;
  constructor(
    private readonly db: LocalDb,
    public script: HubScript,
  ) {}
  get online(): boolean {
    return this.connected;
  }
  async send(envelope: CommandEnvelope): Promise<CommandResult> {
    if (!this.connected) throw new OfflineError('The hub is unreachable.');
    this.sent.push(envelope);
    return this.script(envelope);
  }
  /** Like the real client: sends the outbox in order, settling each entry as it is answered. */
  async flushAndWait(id: string): Promise<CommandResult | null> {
    let answer: CommandResult | null = null;
    for (const entry of this.db.outbox()) {
      let result: CommandResult;
      try {
        result = await this.send(entry.envelope);
      } catch {
        return null;
      }
      settleAnswer(this.db, entry, result);
      if (entry.envelope.id === id) answer = result;
    }
    return answer;
  }
  async pull(): Promise<boolean> {
    this.pulls += 1;
    return true;
  }
}

export interface Seam {
  ctx: RuntimeContext;
  db: LocalDb;
  /** The same SQLite file's handle, for tests that play a damaged or full disk. */
  raw: Db;
  hub: ScriptedHub;
  events: ApplianceWireEvent[];
  close(): void;
}

export function openSeam(script: HubScript, device: Device = machine): Seam {
  const dir = mkdtempSync(join(tmpdir(), 'lineup-seam-'));
  const raw = openDatabase(join(dir, 'lineup.db')).db;
  const db = new LocalDb(raw);
  db.applySnapshot(snapshot);
  const hub = new ScriptedHub(db, script);
  const events: ApplianceWireEvent[] = [];
  const log = createLogger({ quiet: true });
  let linked = true;
  const ctx: RuntimeContext = {
    options: {
      hubUrl: 'http://127.0.0.1:9',
      dataDir: dir,
      identity: { macs: [device.mac], hostname: device.hostname },
      log,
      appVersion: 'test',
      blockSize: 3,
      blockLow: 1,
      registerAckMs: 50,
    },
    db,
    peripherals: new Peripherals({}, log, () => undefined),
    now: () => NOW,
    device: () => device,
    role: () => device.role,
    sync: () => (linked ? hub : null),
    requireRole: (...roles) => {
      if (!roles.includes(device.role)) throw new ApplianceError('wrong_role', 'wrong role');
      return { device, db };
    },
    emit: (event) => events.push(event),
    notice: (level, message) => events.push({ type: 'notice', notice: { level, message } }),
    scheduleState: () => undefined,
  };
  return {
    ctx,
    db,
    raw,
    hub,
    events,
    close: () => {
      linked = false;
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the kiosk asks for an anonymous svc-a ticket. */
export const anonymousTicket: RegisterParams = {
  serviceId: 'svc-a',
  servicePath: [],
  lang: 'EN',
  contactMode: 'anonymous',
  contact: {},
  pager: null,
};

/** The same ticket as a register command's payload. */
export const anonymousRegister: RegisterPayload = { ...anonymousTicket, appointment: null };

/** A block of svc-a ticket numbers reserved for the machine today. */
export function machineBlock(id: string, first: number, last: number): TicketBlock {
  return {
    id,
    storeId: 'store-1',
    deviceId: machine.id,
    serviceId: 'svc-a',
    ticketPrefix: 'A',
    ticketDay: DAY,
    first,
    last,
  };
}

/** A customer as the hub would answer it. */
export function hubCustomer(id: string, ticketNumber = 900): Customer {
  return newCustomer({
    id,
    storeId: 'store-1',
    service: { id: 'svc-a', ticketPrefix: 'A' },
    machineId: machine.id,
    registeredBy: machine.id,
    request: anonymousRegister,
    ticketNumber,
    ticketDay: DAY,
    issuedAt: NOW.toISOString(),
    arrivalSeq: ticketNumber,
  });
}
