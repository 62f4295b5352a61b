// The appliance: identity → provisioning → local store → sync → role services. Plain Node, no
// Electron: the bridge (WebSocket or IPC) calls the handlers in main/bridge and subscribes here.
// This class only coordinates: it owns the phase shown to the UI, the event stream and the
// lifecycle, and hands each job to its module (hub-link, machine-, desk-, screen-, check-in-
// service, ticket-printing).
import {
  ApplianceError,
  type ApplianceEvent,
  type ApplianceState,
} from '../../shared/api/appliance-api.js';
import type { Customer, Device } from '../../shared/domain/entities.js';
import type { Change, Command, Refusal } from '../../shared/protocol/sync.js';
import type { LocalStore, OutboxEntry } from '../store/local-store.js';
import { CheckInService } from './check-in-service.js';
import { DeskService, type DeskStatusPayload } from './desk-service.js';
import { HubCommands } from './hub-commands.js';
import { HubLink } from './hub-link.js';
import { MachineService, type RegisterParams } from './machine-service.js';
import { openLocalStore } from './open-local-store.js';
import { Peripherals } from './peripherals.js';
import type { NoticeLevel, RuntimeContext } from './runtime-context.js';
import type { RuntimeOptions } from './runtime-options.js';
import { ScreenService } from './screen-service.js';
import { testPrint } from './ticket-printing.js';

export type { RuntimeOptions } from './runtime-options.js';

/** Calls older than this when they reach a screen (after a long outage) are not announced. */
const STALE_CALL_MS = 2 * 60_000;

export class Appliance {
  /** A problem to keep telling about (e.g. a database set aside), shown with the others. */
  private bootNotice: string | null = null;
  private readonly listeners = new Set<(event: ApplianceEvent) => void>();
  private stateTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  readonly peripherals: Peripherals;
  private readonly now: () => Date;
  private readonly link: HubLink;
  private readonly ctx: RuntimeContext;
  private readonly machine: MachineService;
  private readonly desk: DeskService;
  private readonly screen: ScreenService;
  private readonly checkIns: CheckInService;

  private constructor(
    readonly options: RuntimeOptions,
    readonly store: LocalStore | null,
  ) {
    this.now = options.now ?? (() => new Date());
    this.peripherals = new Peripherals(
      { printer: options.printer, pager: options.pager, scanner: options.scanner },
      options.log,
      () => this.scheduleState(),
    );
    this.link = new HubLink(options, store, this.now, {
      onApplied: (changes, live) => this.onApplied(changes, live),
      onConnected: () => void this.machine.reserveBlocks(),
      onOutboxRefused: (entry, refusal, awaited) => this.onOutboxRefused(entry, refusal, awaited),
      scheduleState: () => this.scheduleState(),
    });
    this.ctx = {
      options,
      store,
      peripherals: this.peripherals,
      now: this.now,
      device: () => this.link.device(),
      role: () => this.role,
      sync: () => this.link.sync,
      requireRole: (...roles) => this.requireRole(...roles),
      emit: (event) => this.emit(event),
      notice: (level, message) => this.notice(level, message),
      scheduleState: () => this.scheduleState(),
    };
    const hub = new HubCommands(this.ctx);
    this.machine = new MachineService(this.ctx, hub);
    this.desk = new DeskService(this.ctx, hub);
    this.screen = new ScreenService(this.ctx);
    this.checkIns = new CheckInService(this.ctx, hub);
  }

  /** Opens the local store and starts; never throws for a bad database or an absent hub. */
  static async start(options: RuntimeOptions): Promise<Appliance> {
    const { log } = options;
    const opened = openLocalStore(options.dataDir, log);
    const store = opened.store;
    const appliance = new Appliance(options, store);
    appliance.bootNotice = opened.notice;
    if (store === null) {
      appliance.link.fail(opened.problem);
      return appliance;
    }
    const abandoned = store.abandonPendingRegisters();
    if (abandoned > 0)
      log.warn(
        `${abandoned} ticket(s) requested before a restart never reached a customer: they will be cancelled`,
      );
    const loaded = store.loadConfig();
    if (loaded.problem !== null) {
      log.error(loaded.problem);
      appliance.bootNotice = [opened.notice, loaded.problem].filter((x) => x !== null).join(' ');
    }
    await appliance.peripherals.open({
      onScan: (text) => void appliance.checkIns.onScan(text),
      onRejected: (reason) =>
        appliance.notice('warning', `The scanner sent something unreadable: ${reason}.`),
    });
    if (loaded.config !== null && loaded.config.hubUrl === options.hubUrl) {
      // Boot into the last known role at once; the hub confirms or corrects it when reachable.
      appliance.link.adopt(loaded.config.device, loaded.config.credential);
    } else {
      appliance.link.awaitFirstAnswer();
    }
    await appliance.provisionNow();
    return appliance;
  }

  // ---- events and state ---------------------------------------------------------------------

  subscribe(listener: (event: ApplianceEvent) => void): () => void {
    this.listeners.add(listener);
    listener({ type: 'state', state: this.getState() });
    return () => this.listeners.delete(listener);
  }

  private emit(event: ApplianceEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.options.log.warn(`event listener failed: ${(error as Error).message}`);
      }
    }
  }

  private notice(level: NoticeLevel, message: string): void {
    this.emit({ type: 'notice', notice: { level, message } });
  }

  /** State events are coalesced: a burst of changes sends one state. */
  private scheduleState(): void {
    if (this.stateTimer !== null || this.stopped) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      if (this.listeners.size > 0) this.emit({ type: 'state', state: this.getState() });
    }, 15);
  }

  get role(): Device['role'] | null {
    return this.link.phase === 'ready' ? (this.link.device()?.role ?? null) : null;
  }

  private currentMessage(): string | null {
    const parts = [this.link.message, this.link.hubProblem, this.bootNotice].filter(
      (x): x is string => x !== null,
    );
    return parts.length === 0 ? null : parts.join(' ');
  }

  getState(): ApplianceState {
    const { phase, sync } = this.link;
    const device = this.link.device();
    const snapshot = phase === 'ready' ? (this.store?.snapshot() ?? null) : null;
    const cursor = this.store?.cursor() ?? null;
    return {
      phase,
      message: this.currentMessage(),
      identity: {
        macs: this.options.identity.macs,
        hostname: this.options.identity.hostname,
        hubUrl: this.options.hubUrl,
        appVersion: this.options.appVersion,
        deviceId: device?.id ?? null,
        deviceName: device?.name ?? null,
        role: device?.role ?? null,
        storeId: device?.storeId ?? null,
        storeName: snapshot?.store.name ?? null,
      },
      sync: {
        connected: sync?.connected ?? false,
        position: cursor?.position ?? null,
        outbox: this.store?.outboxCount() ?? 0,
        lastSyncAt: sync?.lastSyncAt ?? null,
      },
      health: this.peripherals.health(),
      store: snapshot,
    };
  }

  // ---- what the hub sends -------------------------------------------------------------------

  /** Asks the hub who this device is now; one request at a time. */
  provisionNow(): Promise<void> {
    return this.link.provisionNow();
  }

  private onApplied(changes: Change[], _live: boolean): void {
    for (const change of changes) {
      this.link.noteOwnRecord(change);
      if (change.event === 'called' || change.event === 'recalled') this.onCall(change);
    }
    this.machine.pageTurnsNear();
    this.scheduleState();
  }

  /** A call reaches the screen (announced) or the machine that issued a pager (paged). */
  private onCall(change: Change): void {
    if (change.entity.kind !== 'customer' || this.store === null) return;
    const customer = change.entity.customer;
    const key = `${change.epoch}:${change.seq}`;
    const role = this.role;
    if (this.now().getTime() - Date.parse(change.at) > STALE_CALL_MS) return;
    if (role === 'screen') this.screen.announce(change, customer, key);
    else if (role === 'machine') this.machine.pageCalled(change, customer, key);
  }

  private onOutboxRefused(entry: OutboxEntry, refusal: Refusal, awaited: boolean): void {
    const envelope = entry.envelope;
    if (envelope.type === 'register_from_block' || envelope.type === 'register_offline') {
      this.machine.onTicketRefused(envelope, refusal, awaited);
      return;
    }
    this.notice('warning', `The hub refused ${envelope.type}: ${refusal.message}`);
    this.scheduleState();
  }

  // ---- commands (the bridge's handlers call these) ------------------------------------------

  private requireRole(...roles: Device['role'][]): { device: Device; store: LocalStore } {
    const device = this.link.device();
    if (this.link.phase !== 'ready' || device === null || this.store === null)
      throw new ApplianceError(
        'not_ready',
        this.currentMessage() ?? 'This device is not ready yet.',
      );
    if (!roles.includes(device.role))
      throw new ApplianceError('wrong_role', `A ${device.role} cannot do this.`);
    return { device, store: this.store };
  }

  deskCommand(command: Command, what: string): Promise<{ customer: Customer | null }> {
    return this.desk.command(command, what);
  }

  callNext(): Promise<{ customer: Customer | null }> {
    return this.desk.callNext();
  }

  setDeskStatus(payload: DeskStatusPayload) {
    return this.desk.setStatus(payload);
  }

  /** Checks a customer in from whatever was scanned or typed (see check-in.ts). */
  async checkIn(code: string): Promise<{ customer: Customer }> {
    const { customer } = await this.checkIns.checkIn(code);
    return { customer };
  }

  register(params: RegisterParams) {
    return this.machine.register(params);
  }

  testPrint(): Promise<{ printed: boolean; reason: string | null }> {
    return testPrint(this.ctx);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async stop(): Promise<void> {
    this.stopped = true;
    this.link.stop();
    if (this.stateTimer !== null) clearTimeout(this.stateTimer);
    await this.peripherals.close();
    this.store?.db.close();
  }
}
