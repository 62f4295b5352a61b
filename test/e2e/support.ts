// Shared by the e2e specs: the demo store's URLs (from the launcher's state file), the
// virtual printer's inspection API, page helpers and the accessibility check.
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Browser, type Page } from '@playwright/test';
import { z } from 'zod';

export const STATE_ENV = 'LINEUP_E2E_STATE';
/** The demo launcher's --data dir (its hub keeps its SQLite in `hub/`). */
export const DATA_ENV = 'LINEUP_E2E_DATA';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

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

let apiAccount: { key: string; secret: string } | null = null;

/** An API key on the demo hub, made with its CLI (`lineup-hub apikey create`). */
function hubApiAccount(): { key: string; secret: string } {
  if (apiAccount !== null) return apiAccount;
  const data = process.env[DATA_ENV];
  if (data === undefined)
    throw new Error(`${DATA_ENV} is not set: run through playwright.config.ts`);
  const run = spawnSync(
    process.execPath,
    [
      join(ROOT, 'bin', 'lineup-hub.js'),
      'apikey',
      'create',
      '--data',
      join(data, 'hub'),
      '--name',
      'e2e',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`lineup-hub apikey create failed: ${run.stderr}`);
  apiAccount = z
    .object({ key: z.string(), secret: z.string() })
    .parse(JSON.parse(run.stdout.trim().split('\n').at(-1) ?? ''));
  return apiAccount;
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
  const account = hubApiAccount();
  const path = '/api/public/v2/register';
  const timestamp = String(Date.now());
  const signature = createHmac('sha1', account.secret)
    .update(`POST${path}${timestamp}`)
    .digest('hex');
  const res = await fetch(new URL(path, state.hub), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `${account.key}:${signature}`,
      'x-fv-timestamp': timestamp,
    },
    body: JSON.stringify({
      suborganization: 'demo-store',
      machine: 'demo-kiosk',
      prequalification: 'demo-appointment',
      prequalifications_path: ['demo-support', 'demo-appointment'],
      lang: 'EN',
      name,
      meeting: true,
      mtimestamp: new Date(Date.now() + 5 * 60_000).toISOString(),
      external_meeting_id: externalId,
    }),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}
