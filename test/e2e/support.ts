// Shared by the e2e specs: the demo store's URLs (from the launcher's state file), the
// virtual printer's inspection API, page helpers and the accessibility check.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Browser, type Page } from '@playwright/test';
import { z } from 'zod';
import type { ApplianceApi } from '../../shared/api/appliance-api.js';
import { openBridge } from '../support/bridge.js';
import {
  appointmentRegistration,
  createApiKey,
  fvPost as signedPost,
  type ApiAccount,
} from '../support/fv-api.js';
import { updateService } from '../support/processes.js';

export { hubCli } from '../support/processes.js';
export type { ApiAccount } from '../support/fv-api.js';

export const STATE_ENV = 'LINEUP_E2E_STATE';
/** The demo launcher's --data dir (its hub keeps its SQLite in `hub/`). */
export const DATA_ENV = 'LINEUP_E2E_DATA';

export const DemoStateSchema = z.object({
  hub: z.string().url(),
  kiosk: z.string().url(),
  desk1: z.string().url(),
  desk2: z.string().url(),
  screen: z.string().url(),
  printer: z.object({ tcpPort: z.number().int(), httpUrl: z.string().url() }),
});
export type DemoState = z.infer<typeof DemoStateSchema>;

export function demoState(): DemoState {
  const file = process.env[STATE_ENV];
  if (file === undefined)
    throw new Error(`${STATE_ENV} is not set: run through playwright.config.ts`);
  return DemoStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export const KIOSK_VIEWPORT = { width: 1080, height: 1920 };
export const WIDE_VIEWPORT = { width: 1920, height: 1080 };

export interface Receipt {
  index: number;
  lines: string[];
}

export async function receipts(state: DemoState): Promise<Receipt[]> {
  const res = await fetch(new URL('/receipts', state.printer.httpUrl));
  expect(res.ok).toBe(true);
  return z
    .array(z.object({ index: z.number(), lines: z.array(z.string()) }).loose())
    .parse(await res.json());
}

export async function setPrinterStatus(
  state: DemoState,
  status: { paperOut?: boolean; paperNearEnd?: boolean; coverOpen?: boolean; offline?: boolean },
): Promise<void> {
  const res = await fetch(new URL('/status', state.printer.httpUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(status),
  });
  expect(res.ok).toBe(true);
}

/** Opens a view in its own browser context at the size it runs at in a store. */
export async function openView(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** No serious or critical axe violation (WCAG 2 A/AA rules). */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} → ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(summary, `axe on ${label}`).toEqual([]);
}

const SCREENSHOTS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-results',
  'screenshots',
);

/** Kept as an artifact of the run (CI uploads test-results/), for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** The kiosk's start screen, in English, whatever a previous test left. */
export async function kioskHome(page: Page): Promise<void> {
  await page.reload();
  await expect(page.getByRole('heading', { level: 2 })).toBeVisible();
  await page.getByRole('button', { name: 'English' }).click();
}

/** Picks a leaf service through the tree, e.g. ['Sales', 'New phone']. */
export async function pickService(page: Page, path: string[]): Promise<void> {
  for (const name of path) await page.getByRole('button', { name, exact: true }).click();
}

export interface AnnouncementView {
  key: string;
  ticket: string;
  status: string;
  text: string;
}

export async function announcements(page: Page): Promise<AnnouncementView[]> {
  // Runs in the page: the screen publishes its queue as `window.__lineupAnnouncements`.
  return page.evaluate(() => {
    const list =
      (globalThis as { __lineupAnnouncements?: readonly AnnouncementView[] })
        .__lineupAnnouncements ?? [];
    return list.map((a) => ({ key: a.key, ticket: a.ticket, status: a.status, text: a.text }));
  });
}

const apiAccounts = new Map<string, ApiAccount>();

/** An API key on a hub (its --data dir), made with its CLI (`lineup-hub apikey create`). */
export function hubApiAccount(hubData = demoHubData()): ApiAccount {
  const known = apiAccounts.get(hubData);
  if (known !== undefined) return known;
  const account = createApiKey(hubData, 'e2e');
  apiAccounts.set(hubData, account);
  return account;
}

/** The demo launcher's hub data dir (its SQLite). */
export function demoHubData(): string {
  const data = process.env[DATA_ENV];
  if (data === undefined)
    throw new Error(`${DATA_ENV} is not set: run through playwright.config.ts`);
  return join(data, 'hub');
}

/** Changes a service of the demo store, e.g. `{ notify: true }`. */
export function updateDemoService(id: string, fields: Record<string, unknown>): void {
  updateService(demoHubData(), id, fields);
}

async function fvPost(hub: string, account: ApiAccount, path: string, body: unknown) {
  const res = await signedPost(hub, account, path, body);
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res;
}

/** A walk-in registered through the hub's FileVirtuelle REST API (as a web queue would). */
export async function registerWalkIn(
  hub: string,
  account: ApiAccount,
  service: { id: string; path: readonly string[] },
  name = 'Ada Lovelace',
): Promise<string> {
  const res = await fvPost(hub, account, '/register', {
    suborganization: 'demo-store',
    machine: 'demo-kiosk',
    prequalification: service.id,
    prequalifications_path: service.path,
    lang: 'EN',
    // The FileVirtuelle API wants a way to reach the customer: a name is enough.
    name,
  });
  return z
    .object({ entity: z.object({ ticket: z.string() }).loose() })
    .loose()
    .parse(await res.json()).entity.ticket;
}

export const DEMO_SERVICES = {
  newPhone: { id: 'demo-new-phone', path: ['demo-sales', 'demo-new-phone'] },
  accessories: { id: 'demo-accessories', path: ['demo-sales', 'demo-accessories'] },
  repair: { id: 'demo-repair', path: ['demo-support', 'demo-repair'] },
} as const;

/**
 * Talks to a runtime the way its UI does (bridge token from the page, then the WebSocket).
 * Tests use it to put the store back as they found it, whatever the UI did.
 */
export async function withBridge<T>(url: string, work: (api: ApplianceApi) => Promise<T>) {
  const bridge = await openBridge(url);
  try {
    return await work(bridge.api);
  } finally {
    bridge.close();
  }
}

/** Both demo desks open again (each test leaves the store as it found it). */
export async function openAllDesks(state: DemoState): Promise<void> {
  for (const url of [state.desk1, state.desk2])
    await withBridge(url, (api) => api.setDeskStatus({ status: 'open' }));
}

/**
 * Books an appointment through the hub's FileVirtuelle REST API (HMAC-signed), as a booking
 * site would; the customer is `booked` until checked in with `APPT-<externalId>`.
 */
export async function bookAppointment(
  state: DemoState,
  externalId: string,
  name: string,
): Promise<void> {
  await fvPost(state.hub, hubApiAccount(), '/register', appointmentRegistration(externalId, name));
}

/**
 * Takes the given tickets out of today's queue (called then no-show, or done if served), from
 * whichever demo desk may do it, so later tests find the queue as it was.
 */
export async function dismissTickets(state: DemoState, tickets: readonly string[]): Promise<void> {
  await openAllDesks(state);
  for (const ticket of tickets) {
    for (const url of [state.desk1, state.desk2]) {
      const done = await withBridge(url, async (api) => {
        const s = await api.getState();
        const c = s.store?.customers.find(
          (x) =>
            x.ticket === ticket &&
            (x.state === 'waiting' || x.state === 'called' || x.state === 'serving'),
        );
        if (c === undefined) return true;
        try {
          if (c.state === 'waiting') await api.callCustomer({ customerId: c.id });
          if (c.state === 'serving') await api.finish({ customerId: c.id });
          else await api.noShow({ customerId: c.id });
          return true;
        } catch {
          return false; // not this desk's: try the other one
        }
      });
      if (done) break;
    }
  }
}

/**
 * Presses "Call next" on a desk page (the button, or its N shortcut) and confirms when the desk
 * asks (someone is still at the desk: they are done, the next one is called).
 */
export async function callNextOnDesk(page: Page, by: 'button' | 'key' = 'button'): Promise<void> {
  const asking = (await page.getByTestId('current-card').getAttribute('data-ticket')) !== null;
  if (by === 'key') await page.keyboard.press('n');
  else await page.locator('[data-action="callNext"]').click();
  if (!asking) return;
  const confirm = page.getByRole('dialog').getByTestId('done-and-next');
  await expect(confirm).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog')).toHaveCount(0);
}

/** A phone (360 px, touch, en-GB) on a page of the hub: `path` relative to `hub`, or a full URL. */
export async function openPhone(browser: Browser, hub: string, path: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  await page.goto(new URL(path, hub).toString());
  return page;
}
