// The channels a notification leaves by: signed JSON POSTs (Lineberty webhook, FileVirtuelle
// callbacks), SMS (Twilio's Messages API, or log-only) and email over SMTP (nodemailer).
// Each send throws on failure (the worker retries); a 2xx (or SMTP 250) is delivered.
import nodemailer, { type Transporter } from 'nodemailer';
import type { SmsProviderSettings, SmtpSettings } from './settings.js';
import { IDEMPOTENCY_HEADER, signedHeaders } from './signing.js';

export class DeliveryError extends Error {
  override name = 'DeliveryError';
}

/** POSTs `body` signed with `secret`; throws unless the receiver answers 2xx in time. */
export async function postSigned(
  url: string,
  body: string,
  secret: string,
  idempotencyKey: string,
  timeoutMs: number,
  now: Date = new Date(),
): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: signedHeaders(secret, body, idempotencyKey, now),
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'manual',
  });
  await response.arrayBuffer().catch(() => undefined);
  if (response.status < 200 || response.status > 299) {
    throw new DeliveryError(`${url} answered ${response.status}`);
  }
}

export interface SmsMessage {
  to: string;
  text: string;
  idempotencyKey: string;
}

export type SmsLog = (line: string) => void;

/** Sends one SMS with the configured provider. */
export async function sendSms(
  settings: SmsProviderSettings,
  message: SmsMessage,
  timeoutMs: number,
  log: SmsLog,
): Promise<void> {
  if (settings.provider === 'log') {
    log(`sms (log-only provider) to ${message.to} [${message.idempotencyKey}]: ${message.text}`);
    return;
  }
  // Twilio Messages API: form-encoded To/From/Body, HTTP basic auth with the account SID.
  const url = `${settings.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const body = new URLSearchParams({
    To: message.to,
    From: settings.from,
    Body: message.text,
  }).toString();
  const auth = Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64');
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Basic ${auth}`,
      'content-type': 'application/x-www-form-urlencoded',
      [IDEMPOTENCY_HEADER]: message.idempotencyKey,
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const answer = await response.text().catch(() => '');
  if (response.status < 200 || response.status > 299) {
    throw new DeliveryError(`SMS provider answered ${response.status}: ${answer.slice(0, 200)}`);
  }
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  idempotencyKey: string;
}

/** One nodemailer transport per SMTP URL, reused between messages. */
export class Mailer {
  private readonly transports = new Map<string, Transporter>();

  async send(smtp: SmtpSettings, message: EmailMessage, timeoutMs: number): Promise<void> {
    let transport = this.transports.get(smtp.url);
    if (transport === undefined) {
      const url = new URL(smtp.url);
      for (const name of ['connectionTimeout', 'greetingTimeout', 'socketTimeout']) {
        if (!url.searchParams.has(name)) url.searchParams.set(name, String(timeoutMs));
      }
      transport = nodemailer.createTransport(url.toString());
      this.transports.set(smtp.url, transport);
    }
    await transport.sendMail({
      from: smtp.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      // The same notification always has the same Message-ID: mail systems can drop repeats.
      messageId: `<${message.idempotencyKey}@lineup.notify>`,
      headers: { 'X-Lineup-Idempotency-Key': message.idempotencyKey },
    });
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
