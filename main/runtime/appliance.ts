// The appliance: identity → provisioning → local database → sync → role services. Plain Node, no
// Electron: the bridge (WebSocket or IPC) calls the handlers in main/bridge and subscribes here.
// This class only coordinates: it owns the phase shown to the UI, the event stream and the
// lifecycle, and hands each job to its module (hub-link, machine-, desk-, screen-, check-in-
// service, ticket-printing).
import {
  ApplianceError,
  type ApplianceState,
  type ApplianceWireEvent,
  type DeskStatusParams,
  type RegisterParams,
} from '../../shared/api/appliance-api.js';
import type { Customer, Device } from '../../shared/domain/entities.js';
import type { Change, Command, Refusal } from '../../shared/protocol/sync.js';
import type { LocalDb, OutboxEntry } from '../local-db/local-db.js';
import { openLocalDb } from '../local-db/open-local-db.js';
import { CheckInService } from './roles/check-in-service.js';
import { DeskService } from './roles/desk-service.js';
import { HubCommands } from './hub-commands.js';
import { HubLink } from './hub-link.js';
import { MachineService } from './roles/machine-service.js';
import { Peripherals } from './peripherals.js';
import type { NoticeLevel, RuntimeContext } from './runtime-context.js';
import type { RuntimeOptions } from './runtime-options.js';
import { ScreenService } from './roles/screen-service.js';
import { testPrint, type PrintOutcome } from './roles/ticket-printing.js';
import { HealthReporter } from './device-health.js';

export type { RuntimeOptions } from './runtime-options.js';

/** Calls older than this when they reach a screen (after a long outage) are not announced. */
const STALE_CALL_MS = 2 * 60_000;

export class Appliance {
  /** A problem to keep telling about (e.g. a database set aside), shown with the others. */
  private bootNotice: string | null = null;
  /** Damaged rows set aside while running: told to staff, and kept in the state's message. */
  private setAsideNotice: string | null = null;
  private readonly listeners = new Set<(event: ApplianceWireEvent) => void>();
  private stateTimer: NodeJS.Timeout | null = null;
  /** Whether every listener holds a store to fold the next state delta into. */
  private listenersHaveStore = false;
  private stopped = false;
  readonly peripherals: Peripherals;
  private readonly now: () => Date;
  private readonly link: HubLink;
  private readonly ctx: RuntimeContext;
  private readonly machine: MachineService;
  private readonly desk: DeskService;
  private readonly screen: ScreenService;
  private readonly checkIns: CheckInService;
  private readonly health: HealthReporter;

  private constructor(
    readonly options: RuntimeOptions,
    readonly db: LocalDb | null,
  ) {
    this.now = options.now ?? (() => new Date());
    this.peripherals = new Peripherals(
      { printer: options.printer, pager: options.pager, scanner: options.scanner },
      options.log,
      () => {
        this.scheduleState();
        // A change of hardware reaches the hub (and the desks) at once.
        void this.health.report();
      },
    );
    this.health = new HealthReporter({
      current: () => this.peripherals.deviceHealth(),
      sync: () => this.link.sync,
      log: options.log,
      changed: () => this.scheduleState(),
      heartbeatMs: options.healthHeartbeatMs,
    });
    this.link = new HubLink(options, db, this.now, {
      onApplied: (changes, live) => this.onApplied(changes, live),
      onHealth: (entries, all) => this.health.onFleet(entries, all),
      onConnected: () => {
        void this.machine.reserveBlocks();
        if (!this.health.reported) void this.health.report();
      },
      onOutboxRefused: (entry, refusal, awaited) => this.onOutboxRefused(entry, refusal, awaited),
      scheduleState: () => this.scheduleState(),
    });
    this.ctx = {
      options,
      db,
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

  /** Opens the local database and starts; never throws for a bad database or an absent hub. */
  static async start(options: RuntimeOptions): Promise<Appliance> {
    const { log } = options;
    let started: Appliance | null = null;
    const opened = openLocalDb(options.dataDir, log, (message) => {
      log.error(message);
      started?.onSetAside(message);
    });
    const db = opened.db;
    const appliance = new Appliance(options, db);
    started = appliance;
    appliance.bootNotice = opened.notice;
    if (db === null) {
      appliance.link.fail(opened.problem);
      return appliance;
    }
    const abandoned = db.abandonPendingRegisters();
    if (abandoned > 0)
      log.warn(
        `${abandoned} ticket(s) requested before a restart never reached a customer: they will be cancelled`,
      );
    const loaded = db.loadConfig();
    if (loaded.problem !== null) {
      log.error(loaded.problem);
      appliance.bootNotice = [opened.notice, loaded.problem].filter((x) => x !== null).join(' ');
    }
    if (loaded.config !== null) {
      // Before the hub link starts: the cancels of tickets nobody saw are the first it sends.
      const withdrawn = appliance.machine.withdrawUnhandedTickets(loaded.config.device.id);
      if (withdrawn.length > 0)
        log.warn(
          `ticket(s) ${withdrawn.join(', ')} issued before a restart never reached a customer: they are cancelled`,
        );
    }
    await appliance.peripherals.open({
      onScan: (text) => void appliance.checkIns.onScan(text),
      onRejected: (reason) =>
        appliance.notice('warning', `The scanner sent something unreadable: ${reason}.`),
    });
    appliance.health.start();
    if (loaded.config !== null && loaded.config.hubUrl === options.hubUrl) {
      // Boot into the last known role at once; the hub confirms or corrects it when reachable.
      appliance.link.adopt(loaded.config.device, loaded.config.credential);
    } else {
      // The config is gone (e.g. a damaged database) but the credential may be kept aside: ask
      // the hub with it, so the device is recognised instead of "already claimed".
      const held = db.savedCredential(options.hubUrl);
      if (held !== null) appliance.link.holdCredential(held);
      appliance.link.awaitFirstAnswer();
    }
    await appliance.provisionNow();
    return appliance;
  }

  // ---- events and state ---------------------------------------------------------------------

  /** A full state at once, then every event (later states as deltas: see shared/api). */
  subscribe(listener: (event: ApplianceWireEvent) => void): () => void {
    this.listeners.add(listener);
    const state = this.getState();
    if (state.store === null) this.listenersHaveStore = false;
    listener({ type: 'state', state });
    return () => this.listeners.delete(listener);
  }

  private emit(event: ApplianceWireEvent): void {
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

  private onSetAside(message: string): void {
    this.setAsideNotice = message;
    this.notice('error', message);
    this.scheduleState();
  }

  /** State events are coalesced: a burst of changes sends one state. */
  private scheduleState(): void {
    if (this.stateTimer !== null || this.stopped) return;
    this.stateTimer = setTimeout(() => {
      this.stateTimer = null;
      this.emitState();
    }, 15);
  }

  /**
   * Sends what changed since the last state event: a delta while every listener holds the
   * store, else a full state. Its cost follows the change, not the size of the day.
   */
  private emitState(): void {
    const delta = this.db?.takeStoreDelta() ?? 'reset';
    if (this.listeners.size === 0) return;
    const base = this.stateWithoutStore();
    if (base.storeKnown && delta !== 'reset' && this.listenersHaveStore) {
      this.emit({ type: 'state_delta', delta: { ...base.state, store: delta } });
      return;
    }
    const state = this.getState();
    this.listenersHaveStore = state.store !== null;
    this.emit({ type: 'state', state });
  }

  get role(): Device['role'] | null {
    return this.link.phase === 'ready' ? (this.link.device()?.role ?? null) : null;
  }

  private currentMessage(): string | null {
    const parts = [
      this.link.message,
      this.link.hubProblem,
      this.bootNotice,
      this.setAsideNotice,
    ].filter((x): x is string => x !== null);
    return parts.length === 0 ? null : parts.join(' ');
  }

  getState(): ApplianceState {
    const { state, storeKnown } = this.stateWithoutStore();
    return { ...state, store: storeKnown ? (this.db?.snapshot() ?? null) : null };
  }

  /** Everything but the store's lists (small, sent whole in every state event). */
  private stateWithoutStore(): { state: Omit<ApplianceState, 'store'>; storeKnown: boolean } {
    const { phase, sync } = this.link;
    const device = this.link.device();
    const shop = phase === 'ready' ? (this.db?.store() ?? null) : null;
    const cursor = this.db?.cursor() ?? null;
    const storeKnown = shop !== null && cursor !== null && this.db?.organization() != null;
    const state = {
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
        storeName: storeKnown ? shop.name : null,
      },
      sync: {
        connected: sync?.connected ?? false,
        position: cursor?.position ?? null,
        outbox: this.db?.outboxCount() ?? 0,
        lastSyncAt: sync?.lastSyncAt ?? null,
      },
      health: this.peripherals.health(),
      healthReported: this.health.reported,
      fleet: this.health.entries(),
    };
    return { state, storeKnown };
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
    this.machine.reprintRequested(changes);
    this.scheduleState();
  }

  /** A call reaches the screen (announced) or the machine that issued a pager (paged). */
  private onCall(change: Change): void {
    if (change.entity.kind !== 'customer' || this.db === null) return;
    const customer = change.entity.customer;
    const key = `${change.epoch}:${change.seq}`;
    const role = this.role;
    if (this.now().getTime() - Date.parse(change.at) > STALE_CALL_MS) return;
    if (role === 'screen') this.screen.announce(change, customer, key);
    else if (role === 'machine') this.machine.pageCalled(change, customer, key);
  }

  private onOutboxRefused(entry: OutboxEntry, refusal: Refusal, awaited: boolean): void {
    const envelope = entry.envelope;
    if (envelope.type === 'register_from_block') {
      this.machine.onTicketRefused(envelope, refusal, awaited);
      return;
    }
    if (envelope.type === 'cancel') {
      // Only a machine queues cancels, for tickets nobody holds: one the hub never had (or that
      // staff ended meanwhile) needs no one's attention.
      this.options.log.warn(`the hub refused to cancel a ticket nobody saw: ${refusal.message}`);
      return;
    }
    this.notice('warning', `The hub refused ${envelope.type}: ${refusal.message}`);
    this.scheduleState();
  }

  // ---- commands (the bridge's handlers call these) ------------------------------------------

  private requireRole(...roles: Device['role'][]): { device: Device; db: LocalDb } {
    const device = this.link.device();
    if (this.link.phase !== 'ready' || device === null || this.db === null)
      throw new ApplianceError(
        'not_ready',
        this.currentMessage() ?? 'This device is not ready yet.',
      );
    if (!roles.includes(device.role))
      throw new ApplianceError('wrong_role', `A ${device.role} cannot do this.`);
    return { device, db: this.db };
  }

  deskCommand(command: Command, what: string): Promise<{ customer: Customer | null }> {
    return this.desk.command(command, what);
  }

  callNext(): Promise<{ customer: Customer | null }> {
    return this.desk.callNext();
  }

  setDeskStatus(payload: DeskStatusParams) {
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

  testPrint(): Promise<PrintOutcome> {
    return testPrint(this.ctx);
  }

  /** On the machine that issued it: print now; on a desk: ask that machine through the hub. */
  reprint(customerId: string): Promise<{ customer: Customer }> {
    return this.role === 'machine'
      ? this.machine.reprint(customerId)
      : this.desk.reprint(customerId);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async stop(): Promise<void> {
    this.stopped = true;
    this.link.stop();
    this.health.stop();
    if (this.stateTimer !== null) clearTimeout(this.stateTimer);
    await this.peripherals.close();
    this.db?.close();
  }
}
