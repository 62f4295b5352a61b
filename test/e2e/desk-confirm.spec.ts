// Component-level: the desk view, built as shipped, in Chromium, over a scripted appliance API
// (`window.lineup`, as Electron's preload provides it) seeded with the demo desk's real state.
// It covers what the demo store cannot be put into from outside: a desk set to
// `ask_before_closing` (no hub command changes that flag) and a pause that started a while ago.
import { expect, test, type Page } from '@playwright/test';
import type { ApplianceState } from '../../shared/api/appliance-api.js';
import type { Device } from '../../shared/domain/entities.js';
import { t } from '../../shared/i18n/index.js';
import {
  WIDE_VIEWPORT,
  demoState,
  expectAccessible,
  saveScreenshot,
  withBridge,
  type DemoState,
} from './support.js';

let state: DemoState;
let real: ApplianceState;

test.beforeAll(async () => {
  state = demoState();
  real = await withBridge(state.desk1, (api) => api.getState());
});

/** Opens the desk page with `window.lineup` answering from the real state, changed by `change`. */
async function openScripted(page: Page, change: (me: Device) => Device): Promise<void> {
  const seeded: ApplianceState = {
    ...real,
    store:
      real.store === null
        ? null
        : {
            ...real.store,
            devices: real.store.devices.map((d) =>
              d.id === real.identity.deviceId ? change(d) : d,
            ),
          },
  };
  await page.addInitScript((initial: ApplianceState) => {
    let current = initial;
    const listeners = new Set<(event: unknown) => void>();
    const calls: unknown[] = [];
    (globalThis as { __statusCalls?: unknown[] }).__statusCalls = calls;
    const refuse = () => Promise.reject({ code: 'internal', message: 'not scripted' });
    const lineup = {
      getState: () => Promise.resolve(current),
      subscribe(listener: (event: unknown) => void) {
        listeners.add(listener);
        listener({ type: 'state', state: current });
        return () => listeners.delete(listener);
      },
      setDeskStatus(params: { status: string; pauseMinutes?: number }) {
        calls.push(params);
        const status = {
          open: params.status !== 'close' && params.status !== 'close_redirect',
          pause: params.status === 'pause',
          preClose: params.status === 'pre_close',
          redirect: params.status === 'close_redirect',
        };
        const store = current.store;
        if (store !== null) {
          current = {
            ...current,
            store: {
              ...store,
              devices: store.devices.map((d) =>
                d.id === current.identity.deviceId ? { ...d, status } : d,
              ),
            },
          };
        }
        for (const l of listeners) l({ type: 'state', state: current });
        return Promise.resolve({ ok: true });
      },
      register: refuse,
      checkIn: refuse,
      callNext: refuse,
      callCustomer: refuse,
      recall: refuse,
      startServing: refuse,
      finish: refuse,
      noShow: refuse,
      transfer: refuse,
      testPrint: refuse,
    };
    (globalThis as { lineup?: unknown }).lineup = lineup;
  }, seeded);
  await page.goto(state.desk1);
}

function statusCalls(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (globalThis as { __statusCalls?: unknown[] }).__statusCalls ?? []);
}

test('closing asks first when the desk is set to ask before closing', async ({ browser }) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    await openScripted(page, (d) => ({ ...d, askBeforeClosing: true }));
    const panel = page.locator('section.desk-status');
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusOpen'));

    // Cancel: nothing sent, still open.
    await panel.getByRole('button', { name: t('EN', 'desk.close'), exact: true }).click();
    const dialog = page.getByRole('dialog', { name: t('EN', 'desk.confirmClose') });
    await expect(dialog).toBeVisible();
    await saveScreenshot(page, 'desk-confirm-close');
    await expectAccessible(page, 'desk close confirmation');
    await dialog.getByRole('button', { name: t('EN', 'common.cancel') }).click();
    await expect(dialog).toHaveCount(0);
    expect(await statusCalls(page)).toEqual([]);

    // Escape cancels too.
    await panel.getByRole('button', { name: t('EN', 'desk.closeRedirect'), exact: true }).click();
    const redirect = page.getByRole('dialog', { name: t('EN', 'desk.confirmCloseRedirect') });
    await expect(redirect).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(redirect).toHaveCount(0);
    expect(await statusCalls(page)).toEqual([]);

    // Confirm: sent once, the pill follows.
    await panel.getByRole('button', { name: t('EN', 'desk.closeRedirect'), exact: true }).click();
    await redirect.getByTestId('confirm').click();
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusRedirected'));
    expect(await statusCalls(page)).toEqual([{ status: 'close_redirect' }]);

    await panel.getByRole('button', { name: t('EN', 'desk.close'), exact: true }).click();
    await page
      .getByRole('dialog', { name: t('EN', 'desk.confirmClose') })
      .getByTestId('confirm')
      .click();
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusClosed'));

    // Opening never asks.
    await panel.getByRole('button', { name: t('EN', 'desk.open'), exact: true }).click();
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusOpen'));
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(await statusCalls(page)).toEqual([
      { status: 'close_redirect' },
      { status: 'close' },
      { status: 'open' },
    ]);
  } finally {
    await context.close();
  }
});

test('without ask before closing, Close closes at once', async ({ browser }) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    await openScripted(page, (d) => ({ ...d, askBeforeClosing: false }));
    await page
      .locator('section.desk-status')
      .getByRole('button', { name: t('EN', 'desk.close'), exact: true })
      .click();
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusClosed'));
    await expect(page.getByRole('dialog')).toHaveCount(0);
    expect(await statusCalls(page)).toEqual([{ status: 'close' }]);
  } finally {
    await context.close();
  }
});

test('a pause shows how long it has lasted out of how long it was meant to', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    const since = new Date(Date.now() - 7 * 60_000 - 5_000).toISOString();
    await openScripted(page, (d) => ({
      ...d,
      status: { open: true, pause: true, preClose: false, redirect: false },
      pause: { since, minutes: 15 },
    }));
    await expect(page.getByTestId('desk-status')).toHaveText(
      `${t('EN', 'desk.statusPaused')} · ${t('EN', 'desk.pausedFor', { elapsed: 7, minutes: 15 })}`,
    );
    await expect(page.locator('[data-action="callNext"]')).toBeDisabled();
  } finally {
    await context.close();
  }
});
