// The appliance: identity → provisioning → local store → sync → role services. Plain Node, no
// Electron: the bridge (WebSocket or IPC) calls the handlers in main/bridge and subscribes here.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  ApplianceError,
  type ApplianceEvent,
  type ApplianceState,
  type CallAnnouncement,
} from '../../shared/api/appliance-api.js';
import type { Customer, Device, Service } from '../../shared/domain/entities.js';
import {
  estimateFor,
  estimateWaitMinutes,
  observedServiceMinutes,
  openDesksFor,
} from '../../shared/domain/estimate.js';
import { formatTicket, storeDay } from '../../shared/domain/numbering.js';
import { screenDisplay } from '../../shared/domain/display.js';
import { isActiveState } from '../../shared/domain/lifecycle.js';
import { mustWaitAtRegistration, shouldAlert } from '../../shared/domain/turn-near.js';
import { t } from '../../shared/i18n/index.js';
import { formatLineupTicketQr } from '../../shared/scanner/index.js';
import type {
  Change,
  Command,
  CommandEnvelope,
  DeviceCredential,
  Refusal,
  TicketBlock,
} from '../../shared/protocol/sync.js';
import { isNewerSchemaError, openDatabase } from '../store/database.js';
import { LocalStore, type OutboxEntry, type ProvisionedConfig } from '../store/local-store.js';
import { OfflineError, SyncClient } from '../sync/sync-client.js';
import { normaliseCheckInCode } from './check-in.js';
import type { DeviceIdentity } from './identity.js';
import type { Logger } from './logger.js';
import { Peripherals } from './peripherals.js';
import { HubUnreachableError, requestProvision } from './provisioning.js';

export interface RuntimeOptions {
  hubUrl: string;
  dataDir: string;
  identity: DeviceIdentity;
  log: Logger;
  appVersion: string;
  printer?: string;
  pager?: string;
  scanner?: string;
  /** How often an unknown device asks the hub again. */
  pollMs?: number;
  /** How often a provisioned device re-checks its record (role or store changed). */
  refreshMs?: number;
  reconnectDelayMaxMs?: number;
  ackTimeoutMs?: number;
  /** How long a ticket numbered from a block waits for the hub's answer before it is shown. */
  registerAckMs?: number;
  /** Offline numbers reserved per service at a time, and the level that triggers a new block. */
  blockSize?: number;
  blockLow?: number;
  now?: () => Date;
}

type Phase = ApplianceState['phase'];

/** Calls older than this when they reach a screen (after a long outage) are not announced. */
const STALE_CALL_MS = 2 * 60_000;

export class Appliance {
  private phase: Phase = 'booting';
  private message: string | null = null;
  /** A problem to keep telling about (e.g. a database set aside), shown with the others. */
  private bootNotice: string | null = null;
  private hubProblem: string | null = null;
  private config: ProvisionedConfig | null = null;
  private sync: SyncClient | null = null;
  private readonly listeners = new Set<(event: ApplianceEvent) => void>();
  private pollTimer: NodeJS.Timeout | null = null;
  private stateTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private provisioning: Promise<void> | null = null;
  private reserving: Promise<void> | null = null;
  readonly peripherals: Peripherals;
  private readonly now: () => Date;

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
  }

  /** Opens the local store and starts; never throws for a bad database or an absent hub. */
  static async start(options: RuntimeOptions): Promise<Appliance> {
    const { log } = options;
    let store: LocalStore | null = null;
    let problem: string | null = null;
    let notice: string | null = null;
    try {
      const opened = openDatabase(join(options.dataDir, 'lineup.db'));
      store = new LocalStore(opened.db);
      if (opened.setAsidePath !== null) {
        notice = `The local database was damaged; it was set aside as ${opened.setAsidePath} and a fresh one was started.`;
        log.error(notice);
      }
    } catch (error) {
      problem = isNewerSchemaError(error)
        ? `The local database was written by a newer Lineup: ${(error as Error).message}. Update this device.`
        : `The local database cannot be opened: ${(error as Error).message}`;
      log.error(problem);
    }
    const appliance = new Appliance(options, store);
    appliance.bootNotice = notice;
    if (store === null) {
      appliance.phase = 'error';
      appliance.message = problem;
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
      appliance.bootNotice = [notice, loaded.problem].filter((x) => x !== null).join(' ');
    }
    await appliance.peripherals.open({
      onScan: (text) => void appliance.onScan(text),
      onRejected: (reason) =>
        appliance.notice('warning', `The scanner sent something unreadable: ${reason}.`),
    });
    if (loaded.config !== null && loaded.config.hubUrl === options.hubUrl) {
      // Boot into the last known role at once; the hub confirms or corrects it when reachable.
      appliance.adopt(loaded.config.device, loaded.config.credential);
    } else {
      appliance.phase = 'unprovisioned';
      appliance.message = 'Asking the hub who this device is…';
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

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
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
    return this.phase === 'ready' ? (this.device()?.role ?? null) : null;
  }

  /** This device's record: the replica's (newest) or the saved config's. */
  private device(): Device | null {
    if (this.config === null) return null;
    const id = this.config.device.id;
    return this.store?.devices().find((d) => d.id === id) ?? this.config.device;
  }

  private currentMessage(): string | null {
    const parts = [this.message, this.hubProblem, this.bootNotice].filter(
      (x): x is string => x !== null,
    );
    return parts.length === 0 ? null : parts.join(' ');
  }

  getState(): ApplianceState {
    const device = this.device();
    const snapshot = this.phase === 'ready' ? (this.store?.snapshot() ?? null) : null;
    const cursor = this.store?.cursor() ?? null;
    return {
      phase: this.phase,
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
        connected: this.sync?.connected ?? false,
        position: cursor?.position ?? null,
        outbox: this.store?.outboxCount() ?? 0,
        lastSyncAt: this.sync?.lastSyncAt ?? null,
      },
      health: this.peripherals.health(),
      store: snapshot,
    };
  }

  // ---- provisioning -------------------------------------------------------------------------

  private schedulePoll(): void {
    if (this.stopped) return;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    const wait =
      this.config === null ? (this.options.pollMs ?? 5000) : (this.options.refreshMs ?? 30_000);
    this.pollTimer = setTimeout(() => {
      // While the sync link is up, a pull is enough to see a changed record; /provision is only
      // asked while it is down (is the hub there? was this device reset or removed?).
      const sync = this.sync;
      if (this.config !== null && sync !== null && sync.connected) {
        void sync.pull().finally(() => this.schedulePoll());
      } else void this.provisionNow();
    }, wait);
    this.pollTimer.unref();
  }

  /** Asks the hub who this device is now; one request at a time. */
  provisionNow(): Promise<void> {
    this.provisioning ??= this.provisionOnce().finally(() => {
      this.provisioning = null;
      this.schedulePoll();
    });
    return this.provisioning;
  }

  private async provisionOnce(): Promise<void> {
    if (this.store === null || this.stopped) return;
    const { hubUrl, identity, log } = this.options;
    const whoAmI = `MAC ${identity.macs.join(', ')}, hostname ${identity.hostname}.`;
    try {
      const held = this.config?.credential ?? null;
      const answer = await requestProvision(hubUrl, identity, held);
      if (this.stopped) return;
      if (answer.status === 'unknown') {
        if (this.config !== null)
          log.warn('the hub no longer knows this device; back to unprovisioned');
        this.unprovision(`${answer.message} ${whoAmI}`);
        return;
      }
      this.hubProblem = null;
      if (answer.status === 'provisioned') {
        // Our current record (the hub accepted our credential), or a first claim (also after
        // `lineup-hub device reset`).
        this.adopt(answer.device, answer.credential);
        return;
      }
      // `claimed`: the credential was handed out already, and the one we hold (if any) was not
      // accepted. Asking again cannot help until an installer resets the device on the hub; the
      // technician view says so, and polling picks up the new claim by itself.
      if (this.config !== null) {
        log.warn("the hub no longer accepts this device's credential; back to unprovisioned");
        this.unprovision(
          `The hub no longer accepts this device's credential. ${answer.message} ${whoAmI}`,
        );
        return;
      }
      this.phase = 'unprovisioned';
      this.message = `${answer.message} ${whoAmI}`;
      this.scheduleState();
    } catch (error) {
      if (!(error instanceof HubUnreachableError)) throw error;
      const seconds = Math.round((this.options.pollMs ?? 5000) / 1000);
      if (this.config === null) {
        this.phase = 'unprovisioned';
        this.message = `${error.message} Retrying every ${seconds} s.`;
      } else if (this.sync?.online !== true) {
        this.hubProblem = `${error.message} Working offline with the last known configuration.`;
      }
      log.warn(error.message);
      this.scheduleState();
    }
  }

  private unprovision(message: string): void {
    this.sync?.stop();
    this.sync = null;
    this.config = null;
    this.store?.clearConfig();
    this.phase = 'unprovisioned';
    this.message = message;
    this.scheduleState();
  }

  /** Takes a device record from the hub (or the saved one); changes apply live. */
  private adopt(device: Device, credential: DeviceCredential): void {
    const store = this.store;
    if (store === null) return;
    const prev = this.config;
    const storeChanged = prev === null || prev.device.storeId !== device.storeId;
    const credentialChanged =
      prev === null ||
      prev.credential.deviceId !== credential.deviceId ||
      prev.credential.token !== credential.token;
    this.config = {
      hubUrl: this.options.hubUrl,
      device,
      credential,
      savedAt: this.now().toISOString(),
    };
    store.saveConfig(this.config);
    if (prev !== null && storeChanged) {
      this.options.log.info(`moved to store ${device.storeId}: starting a fresh replica`);
      store.resetReplica();
    }
    if (prev !== null && credentialChanged)
      this.options.log.info('claimed a new credential from the hub (the device was reset)');
    if (prev !== null && prev.device.role !== device.role)
      this.options.log.info(`role changed from ${prev.device.role} to ${device.role}`);
    this.phase = 'ready';
    this.message = null;
    if (this.sync === null || storeChanged) this.startSync(credential);
    // Also reconnects a link the hub closed (it then asked who it is, and still is).
    else this.sync.updateCredential(credential);
    this.scheduleState();
  }

  private startSync(credential: DeviceCredential): void {
    const store = this.store;
    if (store === null) return;
    this.sync?.stop();
    const sync = new SyncClient({
      hubUrl: this.options.hubUrl,
      credential,
      store,
      log: this.options.log,
      ackTimeoutMs: this.options.ackTimeoutMs,
      reconnectDelayMaxMs: this.options.reconnectDelayMaxMs,
      hooks: {
        onApplied: (changes, live) => this.onApplied(changes, live),
        onStatus: () => {
          if (this.sync === sync && sync.connected) {
            this.hubProblem = null;
            void this.reserveBlocks();
          }
          this.scheduleState();
        },
        // Refused, or closed by the hub (reset, removed, moved): ask /provision with the
        // credential we hold; its answer says what we are now (never rotates a token).
        onCredentialRefused: () => {
          if (this.sync === sync) void this.provisionNow();
        },
        onOutboxRefused: (entry, refusal, awaited) => this.onOutboxRefused(entry, refusal, awaited),
      },
    });
    this.sync = sync;
    sync.start();
  }

  private onApplied(changes: Change[], live: boolean): void {
    const me = this.config?.device.id;
    for (const change of changes) {
      if (change.entity.kind === 'device' && change.entity.device.id === me) {
        const device = change.entity.device;
        if (this.config !== null && device.storeId !== this.config.device.storeId) {
          void this.provisionNow();
        } else if (this.config !== null) {
          this.config = { ...this.config, device };
          this.store?.saveConfig(this.config);
        }
      }
      if (change.entity.kind === 'device_removed' && change.entity.id === me)
        void this.provisionNow();
      if (change.event === 'called' || change.event === 'recalled') this.onCall(change, live);
    }
    this.pageTurnsNear();
    this.scheduleState();
  }

  // ---- screen and pager ---------------------------------------------------------------------

  private onCall(change: Change, _live: boolean): void {
    if (change.entity.kind !== 'customer' || this.store === null) return;
    const customer = change.entity.customer;
    const key = `${change.epoch}:${change.seq}`;
    const role = this.role;
    const me = this.config?.device.id;
    if (this.now().getTime() - Date.parse(change.at) > STALE_CALL_MS) return;
    if (role === 'screen') {
      const services = this.store.services();
      const service = services.find((s) => s.id === customer.serviceId);
      if (
        service !== undefined &&
        service.screenIds.length > 0 &&
        me !== undefined &&
        !service.screenIds.includes(me)
      )
        return;
      if (!this.store.markAnnounced(key, change.at)) return;
      const store = this.store.store();
      const desk = this.store.devices().find((d) => d.id === customer.deskId);
      const call: CallAnnouncement = {
        key,
        customerId: customer.id,
        ticket: customer.ticket,
        deskId: customer.deskId ?? '',
        deskName: desk?.name ?? '',
        lang: customer.lang,
        display: store === null ? null : screenDisplay(customer, store.display),
        recall: change.event === 'recalled',
        at: change.at,
      };
      if (call.deskId === '') return;
      this.emit({ type: 'call', call });
    } else if (role === 'machine' && customer.pager !== null && customer.machineId === me) {
      // Each call (and each recall) buzzes once, however often the change is replayed.
      if (!this.store.markAnnounced(`pager:${key}`, change.at)) return;
      const desk = this.store.devices().find((d) => d.id === customer.deskId);
      void this.page(customer, desk?.name ?? '');
    }
  }

  /**
   * "Your turn is near" for the pager customers of this machine who were told to come back
   * (mustWait): once per customer, when the domain rule says so.
   */
  private pageTurnsNear(): void {
    const store = this.store;
    const shop = store?.store() ?? null;
    const me = this.config?.device.id;
    if (this.role !== 'machine' || this.peripherals.pager === null || store === null || !shop)
      return;
    const customers = store.customers();
    const mine = customers.filter(
      (c) => c.machineId === me && c.pager !== null && c.mustWait && c.state === 'waiting',
    );
    if (mine.length === 0) return;
    const ctx = {
      customers,
      services: store.services(),
      devices: store.devices(),
      store: shop,
      now: this.now(),
    };
    for (const customer of mine) {
      if (!shouldAlert(customer, estimateFor(customer, ctx), shop)) continue;
      if (!store.markAnnounced(`pager-near:${customer.id}`, ctx.now.toISOString())) continue;
      void this.page(customer, null);
    }
  }

  /** Pages a customer (the driver retries); a failure is told to staff, never dropped. */
  private async page(customer: Customer, deskName: string | null): Promise<void> {
    if (customer.pager === null) return;
    // Pagers show short ASCII: the ticket, and where to go when called.
    const text = deskName === null ? customer.ticket : `${customer.ticket} ${deskName}`.trim();
    const failure = await this.peripherals.page(customer.pager, text);
    if (failure === null) return;
    const what = deskName === null ? 'that their turn is near' : 'that they are called';
    this.notice(
      'error',
      `Ticket ${customer.ticket} could not be told ${what} by pager ${customer.pager}: ${failure} Please call them another way.`,
    );
    this.scheduleState();
  }

  private async onScan(text: string): Promise<void> {
    try {
      const { customer, already } = await this.checkInCode(text);
      this.notice(
        'info',
        already
          ? `Ticket ${customer.ticket} is already in the queue.`
          : `Checked in: ${customer.ticket}`,
      );
    } catch (error) {
      if (!(error instanceof ApplianceError))
        this.options.log.error(`scan: ${(error as Error).stack ?? String(error)}`);
      this.notice('warning', (error as Error).message);
    }
  }

  // ---- commands -----------------------------------------------------------------------------

  private requireRole(...roles: Device['role'][]): { device: Device; store: LocalStore } {
    const device = this.device();
    if (this.phase !== 'ready' || device === null || this.store === null)
      throw new ApplianceError(
        'not_ready',
        this.currentMessage() ?? 'This device is not ready yet.',
      );
    if (!roles.includes(device.role))
      throw new ApplianceError('wrong_role', `A ${device.role} cannot do this.`);
    return { device, store: this.store };
  }

  private envelope(command: Command): CommandEnvelope {
    return { id: randomUUID(), issuedAt: this.now().toISOString(), ...command } as CommandEnvelope;
  }

  private refused(refusal: Refusal): ApplianceError {
    this.notice('warning', refusal.message);
    // What we showed was wrong: fetch what the hub knows.
    void this.sync?.pull().then(() => this.scheduleState());
    return new ApplianceError('refused', refusal.message);
  }

  /** Sends a command that needs the hub now (desk actions, check-in): never queued. */
  private async online(command: Command, what: string): Promise<Customer | null> {
    const sync = this.sync;
    if (sync === null || !sync.online)
      throw new ApplianceError(
        'offline',
        `The hub is unreachable: ${what} is not possible until it is back. Nothing was sent.`,
      );
    let result;
    try {
      result = await sync.send(this.envelope(command));
    } catch (error) {
      if (error instanceof OfflineError)
        throw new ApplianceError(
          'offline',
          `The hub did not answer: check the queue before trying ${what} again.`,
        );
      throw error;
    }
    if (!result.ok) throw this.refused(result.refusal);
    if (result.customer !== null) this.store?.applyResultCustomer(result.customer, result.position);
    this.scheduleState();
    return result.customer;
  }

  async deskCommand(command: Command, what: string): Promise<{ customer: Customer | null }> {
    this.requireRole('desk');
    return { customer: await this.online(command, what) };
  }

  async callNext(): Promise<{ customer: Customer | null }> {
    this.requireRole('desk');
    const sync = this.sync;
    if (sync === null || !sync.online)
      throw new ApplianceError(
        'offline',
        'The hub is unreachable: this desk cannot call until it is back. Nothing was sent.',
      );
    const result = await sync
      .send(this.envelope({ type: 'call_next', payload: {} }))
      .catch((error: unknown) => {
        if (error instanceof OfflineError)
          throw new ApplianceError(
            'offline',
            'The hub did not answer: look at the screen before calling again.',
          );
        throw error;
      });
    if (!result.ok) {
      if (result.refusal.code === 'queue_empty') return { customer: null };
      throw this.refused(result.refusal);
    }
    if (result.customer !== null) this.store?.applyResultCustomer(result.customer, result.position);
    this.scheduleState();
    return { customer: result.customer };
  }

  /** Checks a customer in from whatever was scanned or typed (see check-in.ts). */
  async checkIn(code: string): Promise<{ customer: Customer }> {
    const { customer } = await this.checkInCode(code);
    return { customer };
  }

  private async checkInCode(raw: string): Promise<{ customer: Customer; already: boolean }> {
    const { device, store } = this.requireRole('machine', 'desk');
    const code = normaliseCheckInCode(raw, store.store()?.id ?? device.storeId);
    if (code.kind !== 'appointment') {
      // A ticket already in the queue is identified, not checked in twice.
      const known = store.customers().find((c) => c.id === code.code);
      if (known !== undefined && known.state !== 'booked') {
        if (isActiveState(known.state)) return { customer: known, already: true };
        throw new ApplianceError(
          'refused',
          `Ticket ${known.ticket} is no longer in the queue (${known.state.replace('_', ' ')}).`,
        );
      }
    }
    const customer = await this.online(
      { type: 'check_in', payload: { code: code.code } },
      'checking in',
    );
    if (customer === null) throw new ApplianceError('internal', 'The hub checked in nobody.');
    return { customer, already: false };
  }

  async setDeskStatus(payload: Extract<Command, { type: 'set_desk_status' }>['payload']) {
    this.requireRole('desk');
    await this.online({ type: 'set_desk_status', payload }, 'changing the desk status');
    return { ok: true as const };
  }

  // ---- ticket machine -----------------------------------------------------------------------

  private leafService(serviceId: string): Service {
    const service = this.store?.services().find((s) => s.id === serviceId);
    if (service === undefined) throw new ApplianceError('invalid', `Unknown service ${serviceId}.`);
    if (service.childIds.length > 0)
      throw new ApplianceError('invalid', 'This is a menu: choose one of its services.');
    return service;
  }

  /**
   * Issues a ticket. A machine holding numbers of its own for the service always numbers from
   * them (one path, online or offline: the ticket and its command are written together before
   * anything is shown); when the hub is reachable it is sent at once and the customer gets the
   * hub's answer. Only a machine with no numbers left asks the hub to number the ticket.
   */
  async register(params: {
    serviceId: string;
    servicePath: string[];
    lang: string;
    contactMode: Customer['contactMode'];
    contact: Customer['contact'];
    pager: number | null;
  }) {
    const { device } = this.requireRole('machine');
    const service = this.leafService(params.serviceId);
    const payload = { ...params, appointment: null };
    const issued = this.registerFromBlock(device, service, payload);
    let customer: Customer | null = issued?.customer ?? null;
    let offline = true;
    const sync = this.sync;
    if (issued !== null && sync !== null && sync.connected) {
      const wait = this.options.registerAckMs ?? this.options.ackTimeoutMs ?? 5000;
      const result = await sync.flushAndWait(issued.commandId, wait);
      if (result !== null && !result.ok) {
        // Nobody saw this ticket yet: the hub numbers one itself when the block was the problem.
        if (result.refusal.code !== 'conflict' && result.refusal.code !== 'not_found')
          throw this.refused(result.refusal);
        this.options.log.warn(
          `ticket ${issued.customer.ticket} refused: ${result.refusal.message}`,
        );
        customer = null;
      } else if (result !== null && result.customer !== null) {
        customer = result.customer;
        offline = false;
      }
    }
    if (customer === null && sync !== null && sync.connected) {
      customer = await this.registerByHub(payload);
      if (customer !== null) offline = false;
      // No answer: perhaps a block came meanwhile.
      else customer = this.registerFromBlock(device, service, payload)?.customer ?? null;
    }
    if (customer === null)
      throw new ApplianceError(
        'offline',
        sync?.connected === true
          ? 'The hub did not answer and no ticket numbers are left for this service: please try again or ask a member of staff.'
          : 'The hub is unreachable and no ticket numbers are left for this service: please ask a member of staff.',
      );
    void this.reserveBlocks();
    this.scheduleState();
    const estimate = offline ? this.estimate(customer) : this.estimateAsHub(customer);
    const print = await this.printTicket(customer, service, estimate);
    return { customer, ...estimate, print, offline };
  }

  /** The hub numbers the ticket (after every reserved block); null when it did not answer. */
  private async registerByHub(
    payload: Extract<Command, { type: 'register' }>['payload'],
  ): Promise<Customer | null> {
    const store = this.store;
    const sync = this.sync;
    if (store === null || sync === null) return null;
    const envelope = this.envelope({ type: 'register', payload });
    store.enqueue(envelope);
    try {
      const result = await sync.send(envelope);
      if (!result.ok) {
        store.removeOutbox(envelope.id);
        throw this.refused(result.refusal);
      }
      store.removeOutbox(envelope.id, () => {
        if (result.customer !== null) store.applyResultCustomer(result.customer, result.position);
      });
      return result.customer;
    } catch (error) {
      if (!(error instanceof OfflineError)) throw error;
      // No answer: the hub may still apply it later; then it is cancelled (see the outbox).
      store.markAbandoned(envelope.id);
      return null;
    }
  }

  /** This machine's blocks for the service today that still fit it (its prefix may change). */
  private usableBlocks(
    device: Device,
    service: Service,
    day: string,
  ): { block: TicketBlock; left: number }[] {
    return (this.store?.usableBlocks(device.id, service.id, day) ?? []).filter(
      (b) => b.block.ticketPrefix === service.ticketPrefix,
    );
  }

  /**
   * Numbers a ticket from this machine's next block and writes it, with its command, in one
   * transaction; null when no number is left for this service today.
   */
  private registerFromBlock(
    device: Device,
    service: Service,
    payload: Extract<Command, { type: 'register' }>['payload'],
  ): { customer: Customer; commandId: string } | null {
    const store = this.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null) return null;
    const now = this.now();
    const day = storeDay(now, shop.timeZone);
    const block = this.usableBlocks(device, service, day)[0]?.block;
    if (block === undefined) return null;
    return store.db.transaction((): { customer: Customer; commandId: string } | null => {
      const n = store.takeBlockNumber(block);
      if (n === null) return null;
      const at = now.toISOString();
      const arrivalSeq = store.customers().reduce((m, c) => Math.max(m, c.arrivalSeq), 0) + 1;
      const customer: Customer = {
        id: randomUUID().replaceAll('-', ''),
        storeId: shop.id,
        serviceId: service.id,
        servicePath: payload.servicePath.length > 0 ? payload.servicePath : [service.id],
        machineId: device.id,
        lang: payload.lang,
        registeredBy: device.id,
        contactMode: payload.contactMode,
        contact: payload.contact,
        pager: payload.pager,
        state: 'waiting',
        ticketPrefix: block.ticketPrefix,
        ticketNumber: n,
        ticketDay: block.ticketDay,
        ticket: formatTicket(block.ticketPrefix, n),
        prioritized: service.prioritize || service.prm,
        appointment: null,
        registeredAt: at,
        checkedInAt: null,
        sortAt: at,
        arrivalSeq,
        calledAt: null,
        servingAt: null,
        finishedAt: null,
        updatedAt: at,
        deskId: null,
        recalls: 0,
        peopleBefore: 0,
        mustWait: false,
        alerted: false,
        visits: 0,
      };
      const estimate = this.estimate(customer);
      customer.peopleBefore = estimate.peopleBefore;
      customer.mustWait = mustWaitAtRegistration(estimate, shop);
      const envelope = this.envelope({
        type: 'register_from_block',
        payload: {
          ...payload,
          customerId: customer.id,
          blockId: block.id,
          ticketNumber: n,
          issuedAt: at,
        },
      });
      store.enqueue(envelope, () => store.putLocalCustomer(customer));
      return { customer, commandId: envelope.id };
    })();
  }

  /** The hub's people-before for a ticket it accepted, and the wait that goes with it here. */
  private estimateAsHub(customer: Customer): { peopleBefore: number; waitMinutes: number } {
    const store = this.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null)
      return { peopleBefore: customer.peopleBefore, waitMinutes: 0 };
    const service = store.services().find((s) => s.id === customer.serviceId);
    return {
      peopleBefore: customer.peopleBefore,
      waitMinutes: estimateWaitMinutes({
        peopleBefore: customer.peopleBefore,
        serviceMinutes: service?.serviceMinutes ?? 5,
        openDesks: openDesksFor(customer.serviceId, {
          services: store.services(),
          devices: store.devices(),
          store: shop,
        }),
        observedMinutes: observedServiceMinutes(store.customers(), customer.serviceId),
      }),
    };
  }

  private estimate(customer: Customer): { peopleBefore: number; waitMinutes: number } {
    const store = this.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null) return { peopleBefore: 0, waitMinutes: 0 };
    return estimateFor(customer, {
      customers: store.customers(),
      services: store.services(),
      devices: store.devices(),
      store: shop,
      now: this.now(),
    });
  }

  private async printTicket(
    customer: Customer,
    service: Service,
    estimate: { peopleBefore: number; waitMinutes: number },
  ): Promise<{ printed: boolean; reason: string | null }> {
    const unavailable = this.peripherals.printerUnavailable();
    const printer = this.peripherals.printer;
    if (unavailable !== null || printer === null) return { printed: false, reason: unavailable };
    const shop = this.store?.store();
    try {
      await printer.print({
        storeName: shop?.name ?? 'Lineup',
        serviceName: service.name[customer.lang] ?? Object.values(service.name)[0] ?? service.id,
        ticket: customer.ticket,
        peopleBefore: estimate.peopleBefore,
        waitMinutes: estimate.waitMinutes,
        issuedAt: customer.registeredAt,
        timeZone: shop?.timeZone ?? 'UTC',
        lang: customer.lang,
        qrPayload: formatLineupTicketQr({
          storeId: customer.storeId,
          customerId: customer.id,
          ticket: customer.ticket,
        }),
        pager: customer.pager,
        footer: t(customer.lang, 'ticket.footer'),
        paperWidth: 80,
      });
      return { printed: true, reason: null };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.options.log.warn(`ticket ${customer.ticket} issued but not printed: ${reason}`);
      this.scheduleState();
      return { printed: false, reason };
    }
  }

  async testPrint(): Promise<{ printed: boolean; reason: string | null }> {
    const device = this.device();
    const unavailable = this.peripherals.printerUnavailable();
    const printer = this.peripherals.printer;
    if (unavailable !== null || printer === null) return { printed: false, reason: unavailable };
    const shop = this.store?.store();
    try {
      await printer.testPrint({
        storeName: shop?.name ?? 'Lineup',
        deviceName: device?.name ?? this.options.identity.hostname,
        timeZone: shop?.timeZone ?? 'UTC',
      });
      return { printed: true, reason: null };
    } catch (error) {
      return { printed: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Keeps a reserve of offline numbers per service this machine offers. */
  private reserveBlocks(): Promise<void> {
    this.reserving ??= this.reserveOnce().finally(() => {
      this.reserving = null;
    });
    return this.reserving;
  }

  private async reserveOnce(): Promise<void> {
    const store = this.store;
    const sync = this.sync;
    const device = this.device();
    const shop = store?.store() ?? null;
    if (
      store === null ||
      sync === null ||
      !sync.connected ||
      device?.role !== 'machine' ||
      shop === null
    )
      return;
    const size = this.options.blockSize ?? 20;
    const low = this.options.blockLow ?? Math.ceil(size / 4);
    const day = storeDay(this.now(), shop.timeZone);
    for (const service of store.services()) {
      if (service.childIds.length > 0) continue;
      if (service.machineIds.length > 0 && !service.machineIds.includes(device.id)) continue;
      const left = this.usableBlocks(device, service, day).reduce((n, b) => n + b.left, 0);
      if (left >= low) continue;
      try {
        const result = await sync.send(
          this.envelope({ type: 'reserve_block', payload: { serviceId: service.id, size } }),
        );
        if (!result.ok) {
          this.options.log.warn(
            `could not reserve offline numbers for ${service.id}: ${result.refusal.message}`,
          );
        } else if (result.block !== null) {
          store.putBlock(result.block, result.position);
        }
      } catch (error) {
        this.options.log.warn(`could not reserve offline numbers: ${(error as Error).message}`);
        return;
      }
    }
  }

  private onOutboxRefused(entry: OutboxEntry, refusal: Refusal, awaited: boolean): void {
    const envelope = entry.envelope;
    if (envelope.type === 'register_from_block' || envelope.type === 'register_offline') {
      const id = envelope.payload.customerId;
      if (awaited) {
        // Refused before anyone saw it: register() tells the customer; just undo it here.
        this.store?.dropLocalCustomer(id);
        this.scheduleState();
        return;
      }
      // The ticket was handed out: keep telling staff, and take it out of the local queue.
      const ticket =
        this.store?.customers().find((c) => c.id === id)?.ticket ??
        String(envelope.payload.ticketNumber);
      this.store?.dropLocalCustomer(id);
      this.notice(
        'error',
        `Offline ticket ${ticket} was refused by the hub: ${refusal.message} It is no longer in the queue.`,
      );
    } else {
      this.notice('warning', `The hub refused ${envelope.type}: ${refusal.message}`);
    }
    this.scheduleState();
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    if (this.stateTimer !== null) clearTimeout(this.stateTimer);
    this.sync?.stop();
    await this.peripherals.close();
    this.store?.db.close();
  }
}
