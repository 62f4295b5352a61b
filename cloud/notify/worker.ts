// The delivery worker: claims due outbox rows, sends each through its channel, and records the
// outcome. A claim is a lease in the database: several hub nodes, each with its worker, send a
// row once. At least once all the same: a row stays pending until a send succeeded, so a crash
// (even kill -9) between sending and recording re-sends it once its lease ends, with the same
// idempotency key for the receiver to drop. Failures are retried with exponential backoff and
// jitter; a row still failing `parkAfterMs` after it was written is parked as failed (CLI:
// outbox list / retry). Each endpoint has its own concurrency limit, so a receiver that hangs or
// answers 500 only slows its own rows.
import type { HubData, HubRepo, OutboxRecord } from '../db/hub-repo.js';
import { getApiAccount, saveApiAccount } from '../rest/api-keys.js';
import { OutboxMessageSchema, type OutboxMessage } from './notifications-for.js';
import { Mailer, postSigned, sendSms, type SmsLog } from './senders.js';
import {
  DeliverySettingsSchema,
  deliverySettings,
  organizationWebhook,
  smsSettings,
  smtpSettings,
  type DeliverySettings,
} from './settings.js';

/** How long a claimed row is this worker's: a send's steps (connect, greet, answer) and a second. */
const leaseMs = (settings: DeliverySettings): number => 3 * settings.timeoutMs + 1000;

/** Exponential backoff with equal jitter: half the doubled delay, plus up to the other half. */
export function backoffMs(
  attempts: number,
  settings: DeliverySettings,
  random: () => number,
): number {
  const full = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** Math.min(attempts, 30));
  return Math.round(full / 2 + random() * (full / 2));
}

export interface WorkerOptions {
  clock?: () => Date;
  random?: () => number;
  log?: SmsLog;
  onError?: (error: unknown) => void;
}

class Skip extends Error {}

/** What a concurrency limit applies to: the receiving URL, or the one SMS provider / SMTP server. */
const laneOf = (row: OutboxRecord): string =>
  row.channel === 'sms' || row.channel === 'email' ? row.channel : row.endpoint;

export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  private readonly busy = new Set<string>();
  private readonly mailer = new Mailer();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly clock: () => Date;
  private readonly random: () => number;
  private readonly log: SmsLog;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly repo: HubRepo,
    options: WorkerOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.random = options.random ?? Math.random;
    this.log = options.log ?? ((line) => process.stdout.write(`${line}\n`));
    this.onError = options.onError ?? (() => undefined);
  }
  private readonly onError: (error: unknown) => void;

  start(): void {
    this.schedule(0);
  }

  /** Looks for due rows now (new rows were just written). */
  wake(): void {
    if (!this.stopped) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
    this.mailer.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    let settings: DeliverySettings;
    try {
      settings = await deliverySettings(this.repo);
      const now = this.clock().getTime();
      // Claimed until the send has surely ended (each of its steps is bounded by timeoutMs):
      // another hub node, or this worker's next look, does not send it meanwhile.
      const lease = now + leaseMs(settings);
      const due = await this.repo.claimOutbox(now, 200, lease);
      // Claimed, but their lane is full: given back, due now, for whoever has room first.
      const unstarted: string[] = [];
      // Nothing awaits in this loop: two ticks never start the same row (`busy`).
      for (const row of due) {
        // Still being sent here (its lease ran out meanwhile): not twice.
        if (this.busy.has(row.id)) continue;
        const lane = laneOf(row);
        const load = this.inFlight.get(lane) ?? 0;
        if (load >= settings.perEndpoint) {
          unstarted.push(row.id);
          continue;
        }
        this.inFlight.set(lane, load + 1);
        this.busy.add(row.id);
        const job = this.deliver(row, settings).finally(() => {
          this.busy.delete(row.id);
          const left = (this.inFlight.get(lane) ?? 1) - 1;
          if (left <= 0) this.inFlight.delete(lane);
          else this.inFlight.set(lane, left);
          this.running.delete(job);
          this.wake();
        });
        this.running.add(job);
      }
      if (unstarted.length > 0) await this.repo.releaseOutbox(unstarted, lease, now);
    } catch (error) {
      this.onError(error);
      settings = await deliverySettings(this.repo).catch(() => DeliverySettingsSchema.parse({}));
    }
    this.schedule(settings.pollMs);
  }

  private async deliver(row: OutboxRecord, settings: DeliverySettings): Promise<void> {
    try {
      const message = OutboxMessageSchema.parse(row.message);
      await this.send(row, message, settings);
      if (this.stopped) return;
      await this.repo.transaction({ storeIds: [] }, async (tx) => {
        await tx.settleOutbox(row.id, { status: 'sent', atMs: this.clock().getTime() });
        await chargeFairUse(tx, message);
      });
    } catch (error) {
      if (this.stopped) return;
      const now = this.clock().getTime();
      const reason = error instanceof Error ? error.message : String(error);
      if (error instanceof Skip) {
        await this.repo.settleOutbox(row.id, { status: 'skipped', atMs: now, note: reason });
      } else if (now - row.createdMs >= settings.parkAfterMs) {
        await this.repo.settleOutbox(row.id, { status: 'failed', atMs: now, error: reason });
      } else {
        const next = now + backoffMs(row.attempts, settings, this.random);
        await this.repo.settleOutbox(row.id, { status: 'pending', nextMs: next, error: reason });
      }
    }
  }

  private async send(
    row: OutboxRecord,
    message: OutboxMessage,
    settings: DeliverySettings,
  ): Promise<void> {
    switch (message.kind) {
      case 'webhook': {
        if (message.onlyIfStates !== undefined) {
          const state = (await this.repo.customer(row.customerId))?.state;
          if (state === undefined || !message.onlyIfStates.includes(state)) {
            throw new Skip(`ticket is ${state ?? 'gone'}`);
          }
        }
        const hook = await organizationWebhook(this.repo, message.organizationId);
        if (hook === null) throw new Error('the organization has no webhook any more');
        return postSigned(
          row.endpoint,
          message.body,
          hook.secret,
          row.id,
          settings.timeoutMs,
          this.clock(),
        );
      }
      case 'fv': {
        const account = await getApiAccount(this.repo, message.apiKey);
        if (account === null) throw new Skip('the API key no longer exists');
        return postSigned(
          row.endpoint,
          message.body,
          account.secret,
          row.id,
          settings.timeoutMs,
          this.clock(),
        );
      }
      case 'sms':
        return sendSms(
          await smsSettings(this.repo),
          { to: message.to, text: message.text, idempotencyKey: row.id },
          settings.timeoutMs,
          this.log,
        );
      case 'email': {
        const smtp = await smtpSettings(this.repo);
        if (smtp === null) throw new Error('no SMTP server is configured');
        return this.mailer.send(
          smtp,
          { to: message.to, subject: message.subject, text: message.text, idempotencyKey: row.id },
          settings.timeoutMs,
        );
      }
    }
  }
}

/** Fair use is spent by messages that went out, not by registrations that asked for one. */
async function chargeFairUse(tx: HubData, message: OutboxMessage): Promise<void> {
  if (message.kind !== 'sms' && message.kind !== 'email') return;
  if (message.apiKey === null) return;
  const account = await getApiAccount(tx, message.apiKey);
  if (account === null || !account.testing) return;
  const left = Math.max(0, account.fairuse[message.kind] - 1);
  await saveApiAccount(tx, {
    ...account,
    fairuse: { ...account.fairuse, [message.kind]: left },
  });
}
