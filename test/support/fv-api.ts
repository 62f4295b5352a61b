// The hub's FileVirtuelle v2 REST API as a partner uses it: an API key made with the hub's CLI,
// HMAC-SHA1 signed requests, and the demo store's appointment booking.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { hubCli } from './processes.js';

export const FV_V2 = '/api/public/v2';

export interface ApiAccount {
  key: string;
  secret: string;
}

/** An API key on a hub's data dir, made with its CLI (`lineup-hub apikey create`). */
export function createApiKey(hubData: string, name: string): ApiAccount {
  const out = hubCli(['apikey', 'create', '--data', hubData, '--name', name]);
  const parsed = z
    .object({ key: z.string(), secret: z.string() })
    .safeParse(JSON.parse(out.trim().split('\n').at(-1) ?? ''));
  if (!parsed.success) throw new Error(`apikey create printed no key: ${out}`);
  return parsed.data;
}

/** The signature FileVirtuelle wants: hex HMAC-SHA1 of verb + URI + timestamp. */
export function fvSignature(secret: string, verb: string, uri: string, timestamp: string): string {
  return createHmac('sha1', secret)
    .update(verb + uri + timestamp)
    .digest('hex');
}

/** A signed POST to `/api/public/v2<path>`; the caller checks the answer. */
export async function fvPost(
  hub: string,
  account: ApiAccount,
  path: string,
  body: unknown,
): Promise<Response> {
  const full = `${FV_V2}${path}`;
  const timestamp = String(Date.now());
  return fetch(new URL(full, hub), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `${account.key}:${fvSignature(account.secret, 'POST', full, timestamp)}`,
      'x-fv-timestamp': timestamp,
    },
    body: JSON.stringify(body),
  });
}

/**
 * A `/register` body booking a demo-store appointment in 5 minutes, as a booking site sends it;
 * the customer is `booked` until checked in with `APPT-<externalId>`.
 */
export function appointmentRegistration(externalId: string, name: string) {
  return {
    suborganization: 'demo-store',
    machine: 'demo-kiosk',
    prequalification: 'demo-appointment',
    prequalifications_path: ['demo-support', 'demo-appointment'],
    lang: 'EN',
    name,
    meeting: true,
    mtimestamp: new Date(Date.now() + 5 * 60_000).toISOString(),
    external_meeting_id: externalId,
  };
}

export interface FvAnswer {
  status: number;
  body: unknown;
}

export interface FvCallOptions {
  /** The X-FV-TIMESTAMP to sign and send (default: now). */
  timestamp?: string;
  /** Sent as is instead of JSON.stringify(body). */
  rawBody?: string;
  contentType?: string;
}

/**
 * A signed request to `/api/public/v2<path>` as it goes on the wire (the URI is signed as the
 * URL parser escapes it); answers with the status and the parsed JSON body (or the text).
 */
export async function fvCall(
  hub: string,
  account: ApiAccount,
  verb: string,
  path: string,
  body?: unknown,
  options: FvCallOptions = {},
): Promise<FvAnswer> {
  const sent = new URL(`${FV_V2}${path}`, 'http://x');
  const uri = sent.pathname + sent.search;
  const timestamp = options.timestamp ?? String(Date.now());
  const payload = options.rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const res = await fetch(new URL(uri, hub), {
    method: verb,
    headers: {
      ...(payload === undefined
        ? {}
        : { 'content-type': options.contentType ?? 'application/json' }),
      authorization: `${account.key}:${fvSignature(account.secret, verb, uri, timestamp)}`,
      'x-fv-timestamp': timestamp,
    },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the test sees the text.
  }
  return { status: res.status, body: parsed };
}
