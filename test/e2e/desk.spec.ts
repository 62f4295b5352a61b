// The desk beyond calling: its own status (and what the kiosk says about the store), transfer,
// the waiting list's service filter, picking a ticket from the list, and the "new customer"
// notice. Against the shared demo store: every test puts the desks back open, the services
// back as they were and takes its tickets out of the queue, whatever happens, so the tests do not depend on their order.
import { expect, test, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  DEMO_SERVICES,
  KIOSK_VIEWPORT,
  WIDE_VIEWPORT,
  demoState,
  dismissTickets,
  expectAccessible,
  hubApiAccount,
  kioskHome,
  openAllDesks,
  openView,
  registerWalkIn,
  saveScreenshot,
  updateDemoService,
  withBridge,
  type DemoState,
} from './support.js';

let state: DemoState;

test.beforeAll(() => {
  state = demoState();
});

function statusPanel(desk: Page) {
  return desk.locator('section.desk-status');
}

async function setStatus(desk: Page, label: string): Promise<void> {
  await statusPanel(desk).getByRole('button', { name: label, exact: true }).click();
}

test('desk status: pause, pre-close, close, close with redirect; the kiosk follows', async ({
  browser,
}) => {
  const desk1 = await openView(browser, state.desk1, WIDE_VIEWPORT);
  const desk2 = await openView(browser, state.desk2, WIDE_VIEWPORT);
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  try {
    await openAllDesks(state);
    await kioskHome(kiosk);
    const status1 = desk1.getByTestId('desk-status');
    const status2 = desk2.getByTestId('desk-status');
    await expect(status1).toHaveText(t('EN', 'desk.statusOpen'));
    await expect(desk1.locator('[data-action="callNext"]')).toBeEnabled();

    // Pause for 15 minutes: no calling, the pill says for how long; the store stays open.
    await setStatus(desk1, t('EN', 'desk.pause'));
    await desk1
      .getByRole('group', { name: t('EN', 'desk.pauseHowLong') })
      .getByRole('button', { name: t('EN', 'desk.pauseFor', { minutes: 15 }) })
      .click();
    await expect(status1).toContainText(t('EN', 'desk.statusPaused'));
    await expect(status1).toContainText(t('EN', 'desk.pausedFor', { elapsed: 0, minutes: 15 }));
    await expect(desk1.locator('[data-action="callNext"]')).toBeDisabled();
    await saveScreenshot(desk1, 'desk-paused');
    await expectAccessible(desk1, 'desk paused');
    await expect(kiosk.getByRole('button', { name: 'Sales', exact: true })).toBeVisible();
    await expect(kiosk.getByText(t('EN', 'store.closingSoon'))).toHaveCount(0);

    await setStatus(desk1, t('EN', 'desk.open'));
    await expect(status1).toHaveText(t('EN', 'desk.statusOpen'));
    await expect(desk1.locator('[data-action="callNext"]')).toBeEnabled();

    // Every desk pre-closed: the kiosk still issues tickets but says the store closes soon.
    await setStatus(desk1, t('EN', 'desk.preClose'));
    await expect(status1).toHaveText(t('EN', 'desk.statusPreClosed'));
    await expect(kiosk.getByText(t('EN', 'store.closingSoon'))).toHaveCount(0);
    await setStatus(desk2, t('EN', 'desk.preClose'));
    await expect(status2).toHaveText(t('EN', 'desk.statusPreClosed'));
    await expect(kiosk.getByText(t('EN', 'store.closingSoon'))).toBeVisible();
    await expect(kiosk.getByRole('button', { name: 'Sales', exact: true })).toBeVisible();
    // Closing soon still serves the queue: booked customers may still check in.
    await expect(kiosk.getByText(t('EN', 'kiosk.appointmentTap'))).toBeVisible();
    await saveScreenshot(kiosk, 'kiosk-closing-soon');

    // One closed, the other closed with redirect: no desk open, the kiosk says closed.
    await setStatus(desk1, t('EN', 'desk.close'));
    await expect(status1).toHaveText(t('EN', 'desk.statusClosed'));
    await expect(desk1.locator('[data-action="callNext"]')).toBeDisabled();
    await expect(kiosk.getByText(t('EN', 'store.closingSoon'))).toBeVisible();
    await setStatus(desk2, t('EN', 'desk.closeRedirect'));
    await expect(status2).toHaveText(t('EN', 'desk.statusRedirected'));
    await expect(kiosk.getByRole('heading', { name: t('EN', 'store.closed') })).toBeVisible();
    await expect(kiosk.getByRole('button', { name: 'Sales', exact: true })).toHaveCount(0);
    // Closed: nothing invites to scan a check-in code.
    await expect(kiosk.getByText(t('EN', 'kiosk.appointmentTap'))).toHaveCount(0);
    await saveScreenshot(kiosk, 'kiosk-closed');
    await expectAccessible(kiosk, 'kiosk closed');
    await saveScreenshot(desk2, 'desk-closed-redirect');

    // Opening again from the desk brings the services back on the kiosk.
    await setStatus(desk2, t('EN', 'desk.open'));
    await expect(status2).toHaveText(t('EN', 'desk.statusOpen'));
    await expect(kiosk.getByRole('button', { name: 'Sales', exact: true })).toBeVisible();
    await expect(kiosk.getByText(t('EN', 'kiosk.appointmentTap'))).toBeVisible();
    await setStatus(desk1, t('EN', 'desk.open'));
    await expect(status1).toHaveText(t('EN', 'desk.statusOpen'));
  } finally {
    await openAllDesks(state);
    for (const page of [desk1, desk2, kiosk]) await page.context().close();
  }
});

test('transfer to a service and to a desk; filter the list; pick a ticket from it', async ({
  browser,
}) => {
  const account = hubApiAccount();
  const desk1 = await openView(browser, state.desk1, WIDE_VIEWPORT);
  const desk2 = await openView(browser, state.desk2, WIDE_VIEWPORT);
  const mine: string[] = [];
  try {
    await openAllDesks(state);
    const phone = await registerWalkIn(state.hub, account, DEMO_SERVICES.newPhone);
    const acc1 = await registerWalkIn(state.hub, account, DEMO_SERVICES.accessories);
    const acc2 = await registerWalkIn(state.hub, account, DEMO_SERVICES.accessories);
    mine.push(phone, acc1, acc2);
    const row = (desk: Page, ticket: string) =>
      desk.locator(`.queue-list [data-ticket="${ticket}"]`);
    for (const ticket of [phone, acc1, acc2]) await expect(row(desk1, ticket)).toBeVisible();

    // The Accessories chip shows only Accessories tickets, with their count.
    const chip = desk1.locator(`.filter-chips [data-service-id="${DEMO_SERVICES.accessories.id}"]`);
    const waitingAcc = await desk1
      .locator('.queue-list .queue-row')
      .filter({ hasText: 'Accessories' })
      .count();
    await expect(chip.getByTestId(`count-${DEMO_SERVICES.accessories.id}`)).toHaveText(
      String(waitingAcc),
    );
    await chip.click();
    await expect(chip).toHaveAttribute('aria-pressed', 'true');
    await expect(row(desk1, phone)).toHaveCount(0);
    await expect(row(desk1, acc2)).toBeVisible();
    await expect(desk1.locator('.queue-list .queue-row')).toHaveCount(waitingAcc);
    await saveScreenshot(desk1, 'desk-filtered');
    await desk1.getByRole('button', { name: new RegExp(`^${t('EN', 'desk.all')}`) }).click();
    await expect(row(desk1, phone)).toBeVisible();

    // Pick the later Accessories ticket out of order.
    await desk1.getByRole('button', { name: t('EN', 'desk.callTicket', { ticket: acc2 }) }).click();
    await expect(desk1.getByTestId('current-card')).toHaveAttribute('data-ticket', acc2);
    await expect(row(desk1, acc2)).toHaveCount(0);
    await expect(row(desk1, acc1)).toBeVisible();

    // Transfer it to Repair (served by desk 2): it waits in desk 2's list.
    await desk1.getByRole('button', { name: new RegExp(`^${t('EN', 'desk.transfer')}`) }).click();
    const dialog = desk1.getByRole('dialog', {
      name: t('EN', 'desk.transferTitle', { ticket: acc2 }),
    });
    await expect(dialog).toBeVisible();
    await saveScreenshot(desk1, 'desk-transfer');
    await expectAccessible(desk1, 'desk transfer dialog');
    await dialog.getByRole('button', { name: 'Repair', exact: true }).click();
    await expect(dialog).toHaveCount(0);
    await expect(desk1.getByTestId('current-card')).not.toHaveAttribute('data-ticket', acc2);
    await expect(row(desk2, acc2)).toBeVisible();
    await expect(row(desk2, acc2)).toContainText('Repair');

    // Pick the other one and send it to desk 2 by the keyboard shortcut.
    await desk1.getByRole('button', { name: t('EN', 'desk.callTicket', { ticket: acc1 }) }).click();
    await expect(desk1.getByTestId('current-card')).toHaveAttribute('data-ticket', acc1);
    await desk1.keyboard.press('t');
    const toDesk = desk1.getByRole('dialog', {
      name: t('EN', 'desk.transferTitle', { ticket: acc1 }),
    });
    await toDesk.getByRole('button', { name: 'Desk 2', exact: true }).click();
    await expect(toDesk).toHaveCount(0);
    await expect(row(desk2, acc1)).toBeVisible();
    await expect(row(desk1, acc1)).toHaveCount(0);

    // Desk 2 serves what it was sent.
    await desk2.getByRole('button', { name: t('EN', 'desk.callTicket', { ticket: acc1 }) }).click();
    await expect(desk2.getByTestId('current-card')).toHaveAttribute('data-ticket', acc1);
  } finally {
    await dismissTickets(state, mine);
    for (const page of [desk1, desk2]) await page.context().close();
  }
});

test('a desk is told when someone registers for a service with notify', async ({ browser }) => {
  // The demo store has no service with `notify`: the test turns it on for Accessories through
  // the hub's CLI (the running hub picks it up) and off again at the end.
  const desk1 = await openView(browser, state.desk1, WIDE_VIEWPORT);
  const desk2 = await openView(browser, state.desk2, WIDE_VIEWPORT);
  const account = hubApiAccount();
  const mine: string[] = [];
  try {
    await expect(desk1.getByTestId('current-card')).toBeVisible();
    const before = await registerWalkIn(state.hub, account, DEMO_SERVICES.accessories);
    mine.push(before);
    await expect(desk1.locator(`.queue-list [data-ticket="${before}"]`)).toBeVisible();
    await expect(desk1.getByTestId('desk-notice').filter({ hasText: before })).toHaveCount(0);

    updateDemoService(DEMO_SERVICES.accessories.id, { notify: true });
    // Wait until desk 1 has the new setting: the next registration must find it there.
    await expect
      .poll(
        () =>
          withBridge(state.desk1, async (api) => {
            const s = await api.getState();
            return s.store?.services.find((x) => x.id === DEMO_SERVICES.accessories.id)?.notify;
          }),
        { timeout: 15_000 },
      )
      .toBe(true);
    const ticket = await registerWalkIn(state.hub, account, DEMO_SERVICES.accessories);
    mine.push(ticket);
    const notice = desk1.getByTestId('desk-notice').filter({ hasText: ticket });
    await expect(notice).toHaveText(
      t('EN', 'desk.newCustomer', { ticket, service: 'Accessories' }),
    );
    await saveScreenshot(desk1, 'desk-new-customer');
    // Desk 2 does not serve Accessories: nothing to tell it.
    await expect(desk2.getByTestId('current-card')).toBeVisible();
    await expect(desk2.getByTestId('desk-notice').filter({ hasText: ticket })).toHaveCount(0);
  } finally {
    updateDemoService(DEMO_SERVICES.accessories.id, { notify: false });
    await dismissTickets(state, mine);
    for (const page of [desk1, desk2]) await page.context().close();
  }
});
