// Notification settings kept in the hub's database (notify_settings): the partner webhook of
// each organization, the hub's SMTP and SMS provider, the appointment reminder schedule and
// the delivery worker's limits. Environment variables override the stored SMTP and SMS values.
import { z } from 'zod';
import type { NotifyRepo } from '../db/hub-repo.js';

export const WebhookSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16),
});
export type Webhook = z.infer<typeof WebhookSchema>;

export const SmtpSettingsSchema = z.object({
  /** smtp://user:pass@host:port or smtps://... (nodemailer's connection URL). */
  url: z.string().regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL'),
  from: z.string().min(3),
});
export type SmtpSettings = z.infer<typeof SmtpSettingsSchema>;

export const SmsSettingsSchema = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('log') }),
  // Twilio's Messages API: POST {baseUrl}/2010-04-01/Accounts/{sid}/Messages.json.
  z.object({
    provider: z.literal('twilio'),
    accountSid: z.string().min(1),
    authToken: z.string().min(1),
    from: z.string().min(1),
    baseUrl: z.url().default('https://api.twilio.com'),
  }),
]);
export type SmsProviderSettings = z.infer<typeof SmsSettingsSchema>;

export const ReminderSchema = z.object({
  /** The n of TICKET_REMIND_n. */
  id: z.number().int().min(1),
  minutesBefore: z.number().int().min(1),
});
export type Reminder = z.infer<typeof ReminderSchema>;

export const DeliverySettingsSchema = z.object({
  /** A notification still failing this long after it was written is parked as failed. */
  parkAfterMs: z
    .number()
    .int()
    .min(1)
    .default(3 * 24 * 3600 * 1000),
  timeoutMs: z.number().int().min(1).default(10_000),
  /** First retry delay; each retry doubles it (with jitter) up to maxBackoffMs. */
  backoffMs: z.number().int().min(1).default(2_000),
  maxBackoffMs: z.number().int().min(1).default(3600_000),
  /** Deliveries in flight to one endpoint at a time. */
  perEndpoint: z.number().int().min(1).default(2),
  pollMs: z.number().int().min(10).default(500),
});
export type DeliverySettings = z.infer<typeof DeliverySettingsSchema>;

export const DEFAULT_REMINDERS: readonly Reminder[] = [
  { id: 1, minutesBefore: 24 * 60 },
  { id: 2, minutesBefore: 120 },
];

const KEYS = {
  webhook: (organizationId: string) => `webhook:${organizationId}`,
  smtp: 'smtp',
  sms: 'sms',
  reminders: 'reminders',
  delivery: 'delivery',
} as const;

type SettingsRepo = Pick<NotifyRepo, 'notifySetting' | 'setNotifySetting'>;
type Env = Readonly<Record<string, string | undefined>>;

export async function organizationWebhook(
  repo: SettingsRepo,
  organizationId: string,
): Promise<Webhook | null> {
  const parsed = WebhookSchema.safeParse(await repo.notifySetting(KEYS.webhook(organizationId)));
  return parsed.success ? parsed.data : null;
}
export async function setOrganizationWebhook(
  repo: SettingsRepo,
  organizationId: string,
  webhook: Webhook | null,
): Promise<void> {
  await repo.setNotifySetting(
    KEYS.webhook(organizationId),
    webhook === null ? null : WebhookSchema.parse(webhook),
  );
}

/** SMTP from LINEUP_SMTP_URL + LINEUP_SMTP_FROM, else the stored setting, else none. */
export async function smtpSettings(
  repo: SettingsRepo,
  env: Env = process.env,
): Promise<SmtpSettings | null> {
  if (env.LINEUP_SMTP_URL !== undefined && env.LINEUP_SMTP_URL !== '') {
    return SmtpSettingsSchema.parse({
      url: env.LINEUP_SMTP_URL,
      from: env.LINEUP_SMTP_FROM ?? 'Lineup <no-reply@lineup.local>',
    });
  }
  const parsed = SmtpSettingsSchema.safeParse(await repo.notifySetting(KEYS.smtp));
  return parsed.success ? parsed.data : null;
}
export async function setSmtpSettings(
  repo: SettingsRepo,
  smtp: SmtpSettings | null,
): Promise<void> {
  await repo.setNotifySetting(KEYS.smtp, smtp === null ? null : SmtpSettingsSchema.parse(smtp));
}

/** The SMS provider: LINEUP_TWILIO_* in the environment, else the stored one, else log-only. */
export async function smsSettings(
  repo: SettingsRepo,
  env: Env = process.env,
): Promise<SmsProviderSettings> {
  if (env.LINEUP_TWILIO_ACCOUNT_SID !== undefined && env.LINEUP_TWILIO_ACCOUNT_SID !== '') {
    return SmsSettingsSchema.parse({
      provider: 'twilio',
      accountSid: env.LINEUP_TWILIO_ACCOUNT_SID,
      authToken: env.LINEUP_TWILIO_AUTH_TOKEN,
      from: env.LINEUP_TWILIO_FROM,
      ...(env.LINEUP_TWILIO_BASE_URL === undefined ? {} : { baseUrl: env.LINEUP_TWILIO_BASE_URL }),
    });
  }
  const parsed = SmsSettingsSchema.safeParse(await repo.notifySetting(KEYS.sms));
  return parsed.success ? parsed.data : { provider: 'log' };
}
export async function setSmsSettings(repo: SettingsRepo, sms: SmsProviderSettings): Promise<void> {
  await repo.setNotifySetting(KEYS.sms, SmsSettingsSchema.parse(sms));
}

export async function reminderSchedule(repo: SettingsRepo): Promise<readonly Reminder[]> {
  const parsed = z.array(ReminderSchema).safeParse(await repo.notifySetting(KEYS.reminders));
  return parsed.success ? parsed.data : DEFAULT_REMINDERS;
}
export async function setReminderSchedule(
  repo: SettingsRepo,
  reminders: readonly Reminder[],
): Promise<void> {
  await repo.setNotifySetting(KEYS.reminders, z.array(ReminderSchema).parse(reminders));
}

export async function deliverySettings(repo: SettingsRepo): Promise<DeliverySettings> {
  const parsed = DeliverySettingsSchema.safeParse((await repo.notifySetting(KEYS.delivery)) ?? {});
  return parsed.success ? parsed.data : DeliverySettingsSchema.parse({});
}
export async function setDeliverySettings(
  repo: SettingsRepo,
  fields: unknown,
): Promise<DeliverySettings> {
  const next = DeliverySettingsSchema.parse({
    ...(await deliverySettings(repo)),
    ...(fields as Record<string, unknown>),
  });
  await repo.setNotifySetting(KEYS.delivery, next);
  return next;
}
