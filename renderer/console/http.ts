// The console's one way to the hub: same-origin fetch with the session cookie (never a token in
// storage), the CSRF token on every state-changing request, every answer checked with the
// shared zod schemas, and failures as typed errors the pages can say clearly.
import type { z } from 'zod';

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** The hub could not be reached at all (network down, hub stopped). */
export class OfflineError extends Error {
  override name = 'OfflineError';
}

let csrfToken: string | null = null;

/** Set from the session answer (sign in, who-am-I); sent back as a header on writes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Called when the hub says the session is gone (401): the app goes back to sign in. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function messageOf(body: unknown, fallback: string): { code: string; message: string } {
  if (typeof body === 'object' && body !== null) {
    const b = body as Record<string, unknown>;
    const message = typeof b.message === 'string' ? b.message : fallback;
    const code = typeof b.error === 'string' ? b.error : typeof b.code === 'string' ? b.code : '';
    return { code, message };
  }
  return { code: '', message: fallback };
}

export async function request<S extends z.ZodType>(
  method: Method,
  path: string,
  schema: S,
  body?: unknown,
  options: { quietUnauthorized?: boolean } = {},
): Promise<z.infer<S>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new OfflineError(error instanceof Error ? error.message : String(error));
  }
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      parsed = text;
    }
  }
  if (!res.ok) {
    const { code, message } = messageOf(parsed, `${res.status} ${res.statusText}`);
    if (res.status === 401 && options.quietUnauthorized !== true) onUnauthorized();
    throw new HttpError(res.status, code, message, parsed);
  }
  return schema.parse(parsed);
}

/** The text to show for a failure, in words a manager understands. */
export function failureText(error: unknown): string {
  if (error instanceof HttpError || error instanceof OfflineError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
