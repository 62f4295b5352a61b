// Component-level: the desk view, built as shipped, in Chromium, over a scripted appliance API
// (`window.lineup`, as Electron's preload provides it) seeded with the demo desk's real state.
// It covers what the demo store cannot be put into from outside: a desk set to
// `ask_before_closing` (no hub command changes that flag) and a pause that started a while ago.
import { expect, test, type Page } from '@playwright/test';
import type { ApplianceState } from '../../shared/api/appliance-api.js';
import { applyEvent, newCustomer } from '../../shared/domain/customer.js';
import type { Customer, Device, Store } from '../../shared/domain/entities.js';
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

/**
 * Opens the desk page with `window.lineup` answering from the real state, changed by `change`
 * (this desk) and `scene` (the store's settings and queue). Desk commands are recorded in
 * `__deskCalls` and answered with nobody.
 */
async function openScripted(
  page: Page,
  change: (me: Device) => Device,
  scene: { store?: Partial<Store>; customers?: Customer[] } = {},
): Promise<void> {
  const seeded: ApplianceState = {
    ...real,
    store:
      real.store === null
        ? null
        : {
            ...real.store,
            store: { ...real.store.store, ...scene.store },
            customers: scene.customers ?? real.store.customers,
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
    const deskCalls: unknown[] = [];
    (globalThis as { __deskCalls?: unknown[] }).__deskCalls = deskCalls;
    const record = (method: string) => (params: unknown) => {
      deskCalls.push({ method, params: params ?? {} });
      return Promise.resolve({ customer: null });
    };
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
      callNext: record('callNext'),
      callCustomer: record('callCustomer'),
      recall: record('recall'),
      startServing: record('startServing'),
      finish: record('finish'),
      noShow: record('noShow'),
      transfer: record('transfer'),
      testPrint: refuse,
    };
    (globalThis as { lineup?: unknown }).lineup = lineup;
  }, seeded);
  await page.goto(state.desk1);
}

function deskCalls(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (globalThis as { __deskCalls?: unknown[] }).__deskCalls ?? []);
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

/** A customer of the demo's New phone service, called (or being served) at this desk. */
function atThisDesk(state: 'called' | 'serving'): Customer {
  const now = new Date();
  const waiting = newCustomer({
    id: 'scripted-1',
    storeId: real.store?.store.id ?? 'demo-store',
    service: { id: 'demo-new-phone', ticketPrefix: 'A' },
    machineId: null,
    registeredBy: 'e2e',
    request: {
      servicePath: ['demo-sales', 'demo-new-phone'],
      lang: 'EN',
      contactMode: 'anonymous',
      contact: {},
      pager: null,
      appointment: null,
    },
    ticketNumber: 77,
    ticketDay: now.toISOString().slice(0, 10),
    issuedAt: now.toISOString(),
    arrivalSeq: 1,
  });
  const store = { appointmentLeadMinutes: 10 };
  const called = applyEvent(waiting, 'call', {
    now,
    store,
    deskId: real.identity.deviceId ?? '',
  });
  return state === 'called' ? called : applyEvent(called, 'start', { now, store });
}

const action = (page: Page, name: string) => page.locator(`[data-action="${name}"]`);

test('Done from Called only when the store allows it; the next step is the one primary button', async ({
  browser,
}) => {
  for (const finishFromCalled of [false, true]) {
    const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
    const page = await context.newPage();
    try {
      const customer = atThisDesk('called');
      await openScripted(page, (d) => d, {
        store: { finishFromCalled },
        customers: [customer],
      });
      await expect(page.getByTestId('current-card')).toHaveAttribute('data-ticket', 'A77');
      const next = finishFromCalled ? 'finish' : 'startServing';
      await expect(page.locator('.desk-actions .btn-primary')).toHaveCount(1);
      await expect(action(page, next)).toHaveClass(/btn-primary/);
      if (finishFromCalled) {
        // One press: Done, straight from Called.
        await expect(action(page, 'finish')).toBeEnabled();
        await action(page, 'finish').click();
        await expect
          .poll(() => deskCalls(page))
          .toEqual([{ method: 'finish', params: { customerId: customer.id } }]);
      } else {
        await expect(action(page, 'finish')).toBeDisabled();
        await page.keyboard.press('d');
        await action(page, 'startServing').click();
        await expect
          .poll(() => deskCalls(page))
          .toEqual([{ method: 'startServing', params: { customerId: customer.id } }]);
      }
    } finally {
      await context.close();
    }
  }
  // Being served: Done is the next step, whatever the setting.
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    await openScripted(page, (d) => d, { customers: [atThisDesk('serving')] });
    await expect(action(page, 'finish')).toHaveClass(/btn-primary/);
    await expect(action(page, 'callNext')).not.toHaveClass(/btn-primary/);
  } finally {
    await context.close();
  }
});

test('Call next while someone is at the desk asks first: cancel, no-show and next, done and next', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    const customer = atThisDesk('called');
    await openScripted(page, (d) => d, { customers: [customer] });
    const dialog = page.getByRole('dialog', {
      name: t('EN', 'desk.callNextTitle', { ticket: 'A77' }),
    });

    await action(page, 'callNext').click();
    await expect(dialog).toBeVisible();
    await saveScreenshot(page, 'desk-call-next-asks');
    await expectAccessible(page, 'desk call next confirmation');
    await dialog.getByRole('button', { name: t('EN', 'common.cancel') }).click();
    await expect(dialog).toHaveCount(0);
    expect(await deskCalls(page)).toEqual([]);

    // The shortcut asks too; Enter takes the proposed answer (done, then the next one).
    await page.keyboard.press('n');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => deskCalls(page)).toEqual([{ method: 'callNext', params: {} }]);

    await action(page, 'callNext').click();
    await dialog.getByTestId('no-show-and-next').click();
    await expect
      .poll(() => deskCalls(page))
      .toEqual([
        { method: 'callNext', params: {} },
        { method: 'noShow', params: { customerId: customer.id } },
        { method: 'callNext', params: {} },
      ]);
  } finally {
    await context.close();
  }
});

test('the status says what happens, also while a pause length is being picked', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    await openScripted(page, (d) => d);
    const hint = page.getByTestId('desk-status-hint');
    await expect(hint).toHaveText(t('EN', 'desk.willOpen'));
    const panel = page.locator('section.desk-status');
    await panel.getByRole('button', { name: t('EN', 'desk.pause'), exact: true }).click();
    await expect(page.getByTestId('desk-status')).toHaveText(t('EN', 'desk.statusOpen'));
    await expect(hint).toHaveText(t('EN', 'desk.willPickPause'));
    await panel.getByRole('button', { name: t('EN', 'common.cancel') }).click();
    await expect(hint).toHaveText(t('EN', 'desk.willOpen'));
    await panel.getByRole('button', { name: t('EN', 'desk.pause'), exact: true }).click();
    await panel.getByRole('button', { name: t('EN', 'desk.pauseFor', { minutes: 10 }) }).click();
    await expect(page.getByTestId('desk-status')).toContainText(t('EN', 'desk.statusPaused'));
    await expect(hint).toHaveText(t('EN', 'desk.willPaused'));
    await panel.getByRole('button', { name: t('EN', 'desk.close'), exact: true }).click();
    await expect(hint).toHaveText(t('EN', 'desk.willClosed'));
  } finally {
    await context.close();
  }
});
