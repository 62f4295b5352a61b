// A Bloom Virtual Ticket API client written from the seed alone
// (shared/seeds/bloom-virtual-ticket-api.txt): it knows BASE_URI/RESPONSE_FORMAT/<route>, the
// request and response fields the seed lists, and nothing of Lineup's code. XML answers are read
// with a generic XML parser. The vt_token travels as a bearer token.
import { XMLParser } from 'fast-xml-parser';

export type Format = 'json' | 'xml';

export interface BloomAnswer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });
/** Fields the seed shows as lists: an XML answer repeats the element, one or many. */
const LISTS = new Set([
  'locations',
  'services',
  'working_hours',
  'tickets',
  'server_services',
  'settings',
]);

/** An XML answer as the JSON one: lists as arrays, "true"/"false" as booleans, numbers as numbers. */
function normalize(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => normalize(v, ''));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const n = normalize(v, k);
      out[k] =
        LISTS.has(k) && !Array.isArray(n) && !(k === 'settings' && isSettingsObject(n))
          ? n === ''
            ? []
            : [n]
          : n;
    }
    return out;
  }
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (typeof value === 'string' && /^-?\d+$/.test(value) && key === 'number') return Number(value);
  return value;
}
const isSettingsObject = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && 'request_ticket_radius' in v;

export class BloomClient {
  vtToken: string | null = null;

  constructor(
    private readonly baseUri: string,
    readonly format: Format,
  ) {}

  private async call(
    method: 'GET' | 'POST',
    route: string,
    options: {
      query?: Record<string, string>;
      body?: unknown;
      rawBody?: string;
      type?: string;
    } = {},
  ): Promise<BloomAnswer> {
    const url = new URL(`${this.baseUri}/${this.format}/${route}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {};
    if (this.vtToken !== null) headers.authorization = `Bearer ${this.vtToken}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.type ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: Record<string, unknown>;
    if (this.format === 'json') parsed = JSON.parse(text) as Record<string, unknown>;
    else {
      const doc = xml.parse(text) as { response?: unknown };
      parsed = normalize(doc.response ?? {}) as Record<string, unknown>;
    }
    return { status: res.status, body: parsed, text };
  }

  async register(fields: Record<string, unknown>): Promise<BloomAnswer> {
    const a = await this.call('POST', 'customer/register', { body: fields });
    if (a.body.success === true) this.vtToken = a.body.vt_token as string;
    return a;
  }
  async login(fields: Record<string, unknown>): Promise<BloomAnswer> {
    const a = await this.call('POST', 'customer/login', { body: fields });
    if (a.body.success === true) this.vtToken = a.body.vt_token as string;
    return a;
  }
  details(): Promise<BloomAnswer> {
    return this.call('POST', 'customer/details');
  }
  resetPassword(email: string): Promise<BloomAnswer> {
    return this.call('GET', 'customer/resetpassword', { query: { email } });
  }
  newPassword(fields: Record<string, unknown>): Promise<BloomAnswer> {
    return this.call('POST', 'customer/newpassword', { body: fields });
  }
  locations(query: Record<string, string> = {}): Promise<BloomAnswer> {
    return this.call('GET', 'locations/get', { query });
  }
  serverServices(query: Record<string, string> = {}): Promise<BloomAnswer> {
    return this.call('GET', 'server_services/get', { query });
  }
  tickets(ticketId?: string): Promise<BloomAnswer> {
    return this.call('GET', `customer/tickets${ticketId === undefined ? '' : `/${ticketId}`}`);
  }
  createTicket(body: unknown): Promise<BloomAnswer> {
    return this.call('POST', 'ticket/create', { body });
  }
  cancelTicket(ticket: string): Promise<BloomAnswer> {
    return this.call('POST', 'ticket/cancel', { body: { ticket } });
  }
  settings(): Promise<BloomAnswer> {
    return this.call('GET', 'settings/get');
  }
  /** Anything else: a raw request (bad bodies, wrong routes). */
  raw(
    method: 'GET' | 'POST',
    route: string,
    options: { rawBody?: string; type?: string; body?: unknown } = {},
  ): Promise<BloomAnswer> {
    return this.call(method, route, options);
  }
}
