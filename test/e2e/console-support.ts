// Helpers of the hub console's e2e spec: staff accounts made with the hub's CLI, a second store
// written straight into the demo hub's database (no CLI makes stores), an unknown appliance that
// knocks on /provision, and signing in through the console's own page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { HubEngine } from '../../cloud/engine/hub-engine.js';
import { seedStore } from '../../cloud/engine/admin.js';
import { openHubRepo } from '../../cloud/db/sqlite-hub-repo.js';
import { OrganizationSchema, ServiceSchema, StoreSchema } from '../../shared/domain/entities.js';
import { createStaff, type StaffFields } from '../support/staff.js';
import { startProcess, type Proc } from '../support/processes.js';

const made = new Set<string>();

/** A staff member on the demo hub (made once per run, whatever the test that asks first). */
export function staffOnce(hubData: string, staff: StaffFields): StaffFields {
  if (!made.has(staff.email)) {
    createStaff(hubData, staff);
    made.add(staff.email);
  }
  return staff;
}

export const OTHER_STORE = {
  id: 'e2e-other-store',
  name: 'Other Street Store',
  serviceName: 'Other Street Returns',
} as const;

/** A second store (its own organization and one service) beside the demo store. */
export async function seedOtherStore(hubData: string): Promise<void> {
  // Awaited throughout: the repo and the engine are becoming async (wt-async); await fits both.
  const repo = await openHubRepo(hubData);
  try {
    const engine = new HubEngine(repo);
    await seedStore(engine, {
      organization: OrganizationSchema.parse({ id: 'e2e-other-org', name: 'Other Org' }),
      store: StoreSchema.parse({
        id: OTHER_STORE.id,
        organizationId: 'e2e-other-org',
        name: OTHER_STORE.name,
        langs: ['EN'],
        timeZone: 'Europe/Stockholm',
      }),
      services: [
        ServiceSchema.parse({
          id: 'e2e-other-returns',
          storeId: OTHER_STORE.id,
          name: { EN: OTHER_STORE.serviceName },
          isRoot: true,
          ticketPrefix: 'R',
        }),
      ],
      devices: [],
    });
  } finally {
    await repo.close();
  }
}

export interface UnknownAppliance {
  url: string;
  mac: string;
  hostname: string;
  stop(): Promise<void>;
}

/** A fresh appliance runtime the hub has never heard of: it knocks on /provision twice a second. */
export async function startUnknownAppliance(
  hub: string,
  mac: string,
  hostname: string,
): Promise<UnknownAppliance> {
  const data = mkdtempSync(join(tmpdir(), 'lineup-e2e-unknown-'));
  let proc: Proc;
  try {
    proc = await startProcess(
      'lineup.js',
      [
        '--hub',
        hub,
        '--data',
        data,
        '--mac',
        mac,
        '--hostname',
        hostname,
        '--headless',
        '--poll-ms',
        '500',
      ],
      /Lineup \S+ ready at (http:\/\/\S+)/,
      60_000,
    );
  } catch (error) {
    rmSync(data, { recursive: true, force: true });
    throw error;
  }
  return {
    url: proc.url,
    mac,
    hostname,
    stop: async () => {
      await proc.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Signs in on the console's page, in English. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Opens the console at `hash` in English and signs in there. */
export async function openConsole(
  page: Page,
  hub: string,
  staff: { email: string; password: string },
  hash = '#/stores',
): Promise<void> {
  // English unless a test picked another language on this page.
  await page.addInitScript(() => {
    if (localStorage.getItem('lineup.console.lang') === null)
      localStorage.setItem('lineup.console.lang', 'EN');
  });
  await page.goto(`${hub}/${hash}`);
  await signIn(page, staff.email, staff.password);
  await expect(page.getByTestId('signed-in-as')).toBeVisible();
}
