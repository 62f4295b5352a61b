// `lineup-hub outbox ...` and `lineup-hub notify ...`: see what the outbox holds, replay what
// was parked, and set where notifications go (partner webhooks, SMTP, SMS, FileVirtuelle
// callback URLs, the reminder schedule, the worker's limits).
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { OutboxStatus } from '../db/hub-repo.js';
import type { HubRepo } from '../db/hub-repo.js';
import { hubDbLocation, openHubRepo } from '../db/open-hub-repo.js';
import { getApiAccount, saveApiAccount } from '../rest/api-keys.js';
import { startOutboxViewer, useOutboxViewer } from './outbox-viewer.js';
import {
  ReminderSchema,
  SmsSettingsSchema,
  setDeliverySettings,
  setOrganizationWebhook,
  setReminderSchedule,
  setSmsSettings,
  setSmtpSettings,
} from './settings.js';

export const NOTIFY_USAGE = `  lineup-hub outbox list --data DIR [--status pending|sent|failed|skipped] [--limit N]
  lineup-hub outbox retry --data DIR (--id ID... | --failed)
  lineup-hub notify webhook --data DIR --org ID (--url URL [--secret S] | --off)
  lineup-hub notify smtp --data DIR (--url smtp://user:pass@host:port --from ADDR | --off)
  lineup-hub notify sms --data DIR --provider log|twilio [--account-sid SID --auth-token T --from NUMBER [--base-url URL]]
  lineup-hub notify callbacks --data DIR --key APIKEY [--next URL] [--processed URL]
  lineup-hub notify reminders --data DIR --set '[{"id":1,"minutesBefore":1440},{"id":2,"minutesBefore":120}]'
  lineup-hub notify delivery --data DIR --set '{"parkAfterMs":259200000,"timeoutMs":10000}'
  lineup-hub notify viewer --data DIR [--org demo-org] [--port 8025] [--smtp-port 2525]   (demo)`;

const STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed', 'skipped'];

type Print = (value: unknown) => void;

/** Opens the hub's storage named by --data DIR or --db URL (or LINEUP_HUB_DB). */
async function withRepo<T>(
  where: { data?: unknown; db?: unknown },
  fn: (repo: HubRepo) => Promise<T>,
): Promise<T> {
  const repo = await openHubRepo(hubDbLocation(where));
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

function text(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new Error(`--${name} is required`);
  return v;
}

function json(values: Record<string, unknown>, name: string): unknown {
  try {
    return JSON.parse(text(values, name)) as unknown;
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('--')) throw error;
    throw new Error(`--${name} must be JSON`, { cause: error });
  }
}

export async function outboxCommand(args: string[], print: Print): Promise<void> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      data: { type: 'string' },
      db: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      id: { type: 'string', multiple: true },
      failed: { type: 'boolean' },
    },
  });
  if (action === 'list') {
    const status = values.status as OutboxStatus | undefined;
    if (status !== undefined && !STATUSES.includes(status)) {
      throw new Error(`--status must be one of ${STATUSES.join(', ')}`);
    }
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new Error('--limit must be a whole number');
    const rows = await withRepo(values, (repo) =>
      repo.outboxEntries({ ...(status === undefined ? {} : { status }), limit }),
    );
    print(
      rows.map((r) => ({
        id: r.id,
        channel: r.channel,
        endpoint: r.endpoint,
        status: r.status,
        attempts: r.attempts,
        created: new Date(r.createdMs).toISOString(),
        next: r.status === 'pending' ? new Date(r.nextMs).toISOString() : null,
        lastError: r.lastError,
      })),
    );
    return;
  }
  if (action === 'retry') {
    const ids = (values.id as string[] | undefined) ?? [];
    if (ids.length === 0 && values.failed !== true) throw new Error('give --id ID or --failed');
    const count = await withRepo(values, (repo) =>
      repo.transaction({ storeIds: [] }, async (tx) => {
        const now = Date.now();
        const targets =
          values.failed === true
            ? (await tx.outboxEntries({ status: 'failed', limit: 1_000_000 })).map((r) => r.id)
            : ids;
        for (const id of targets) {
          if (!(await tx.requeueOutbox(id, now))) throw new Error(`No outbox entry ${id}.`);
        }
        return targets.length;
      }),
    );
    print(
      `Queued ${count} notification(s) again; a running hub sends them within its poll interval.`,
    );
    return;
  }
  throw new Error('outbox needs list or retry');
}

/** Runs the demo outbox viewer and points the hub's notifications at it, until SIGTERM/SIGINT. */
async function viewerCommand(args: string[], print: Print): Promise<void> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      data: { type: 'string' },
      db: { type: 'string' },
      org: { type: 'string' },
      port: { type: 'string' },
      'smtp-port': { type: 'string' },
    },
  });
  const viewer = await startOutboxViewer({
    port: Number(values.port ?? 8025),
    smtpPort: Number(values['smtp-port'] ?? 2525),
  });
  await withRepo(values, (repo) => useOutboxViewer(repo, viewer, values.org ?? 'demo-org'));
  print(`Outbox viewer on ${viewer.url} (SMTP ${viewer.smtpUrl}); the hub now sends there.`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void viewer.close().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

export async function notifyCommand(args: string[], print: Print): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'viewer') return viewerCommand(rest, print);
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      data: { type: 'string' },
      db: { type: 'string' },
      org: { type: 'string' },
      url: { type: 'string' },
      secret: { type: 'string' },
      off: { type: 'boolean' },
      from: { type: 'string' },
      provider: { type: 'string' },
      'account-sid': { type: 'string' },
      'auth-token': { type: 'string' },
      'base-url': { type: 'string' },
      key: { type: 'string' },
      next: { type: 'string' },
      processed: { type: 'string' },
      set: { type: 'string' },
    },
  });
  await withRepo(values, async (repo) => {
    switch (action) {
      case 'webhook': {
        const org = text(values, 'org');
        if ((await repo.organization(org)) === null)
          throw new Error(`Organization ${org} does not exist.`);
        if (values.off === true) {
          await setOrganizationWebhook(repo, org, null);
          return print(`Webhook of ${org} removed.`);
        }
        const secret = (values.secret as string | undefined) ?? randomBytes(24).toString('hex');
        await setOrganizationWebhook(repo, org, { url: text(values, 'url'), secret });
        return print({ organization: org, url: values.url, secret });
      }
      case 'smtp':
        if (values.off === true) {
          await setSmtpSettings(repo, null);
          return print('SMTP removed: emails wait in the outbox until one is set.');
        }
        await setSmtpSettings(repo, { url: text(values, 'url'), from: text(values, 'from') });
        return print('SMTP set.');
      case 'sms': {
        const provider = text(values, 'provider');
        await setSmsSettings(
          repo,
          SmsSettingsSchema.parse(
            provider === 'twilio'
              ? {
                  provider,
                  accountSid: text(values, 'account-sid'),
                  authToken: text(values, 'auth-token'),
                  from: text(values, 'from'),
                  ...(values['base-url'] === undefined ? {} : { baseUrl: values['base-url'] }),
                }
              : { provider },
          ),
        );
        return print(`SMS provider set to ${provider}.`);
      }
      case 'callbacks': {
        const key = text(values, 'key');
        const account = await getApiAccount(repo, key);
        if (account === null) throw new Error(`API key ${key} does not exist.`);
        const urls = {
          next: (values.next as string | undefined) ?? account.urls.next,
          processed: (values.processed as string | undefined) ?? account.urls.processed,
        };
        for (const u of Object.values(urls)) {
          if (u !== '' && !/^https?:\/\//.test(u)) throw new Error(`${u} is not an http(s) URL`);
        }
        await saveApiAccount(repo, { ...account, urls });
        return print({ key, urls });
      }
      case 'reminders':
        await setReminderSchedule(repo, ReminderSchema.array().parse(json(values, 'set')));
        return print('Reminder schedule set.');
      case 'delivery':
        return print(await setDeliverySettings(repo, json(values, 'set')));
      default:
        throw new Error('notify needs webhook, smtp, sms, callbacks, reminders or delivery');
    }
  });
}
