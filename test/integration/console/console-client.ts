// A console user over real HTTP: keeps the session cookie as a browser would (the hub sets it
// HTTP-only) and sends the CSRF token it was given on every change.
import {
  CONSOLE_CSRF_HEADER,
  CONSOLE_SESSION_COOKIE,
  SessionResponseSchema,
  type SessionResponse,
} from '../../../shared/protocol/console.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { seedStore } from '../../../cloud/engine/admin.js';
import { demoStore, type DemoStore } from '../../../shared/demo/demo-store.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export class ConsoleClient {
  cookie: string | null = null;
  csrf: string | null = null;
  setCookie: string | null = null;

  constructor(readonly url: string) {}

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    options: { csrf?: string | null } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie !== null) headers.cookie = `${CONSOLE_SESSION_COOKIE}=${this.cookie}`;
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null && method !== 'GET') headers[CONSOLE_CSRF_HEADER] = csrf;
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = res.headers.get('set-cookie');
    if (set !== null) {
      this.setCookie = set;
      const value = new RegExp(`${CONSOLE_SESSION_COOKIE}=([^;]*)`).exec(set)?.[1] ?? '';
      this.cookie = value === '' ? null : value;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // CSV and other text stay text.
    }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }

  get<T = unknown>(path: string): Promise<Answer<T>> {
    return this.request<T>('GET', path);
  }

  async signIn(email: string, password: string): Promise<Answer> {
    const answer = await this.request('POST', '/console/api/session', { email, password });
    if (answer.status === 200) {
      const session: SessionResponse = SessionResponseSchema.parse(answer.body);
      this.csrf = session.csrfToken;
    }
    return answer;
  }
}

/** A second store ("other-store") with its own desk, for isolation tests. */
export const otherStore: DemoStore = {
  organization: demoStore.organization,
  store: { ...demoStore.store, id: 'other-store', name: 'Other Store', storeCode: 'OTHER-001' },
  services: [
    {
      ...demoStore.services.find((s) => s.childIds.length === 0 && !s.appointment)!,
      id: 'other-service',
      storeId: 'other-store',
      isRoot: true,
      machineIds: [],
      deskIds: [],
      screenIds: [],
      childIds: [],
    },
  ],
  devices: [
    {
      ...demoStore.devices.find((d) => d.role === 'desk')!,
      id: 'other-desk',
      storeId: 'other-store',
      name: 'Other desk',
      mac: '02:00:00:00:09:01',
      hostname: 'other-desk-1',
    },
  ],
};

/** Writes `data` into a hub's data dir (before its process starts). */
export async function seedInto(dataDir: string, data: DemoStore): Promise<void> {
  const repo = await openTestHubRepo(dataDir);
  try {
    await seedStore(new HubEngine(repo), data);
  } finally {
    await repo.close();
  }
}
