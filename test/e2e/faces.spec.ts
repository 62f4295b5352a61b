// The faces as a store lives with them (issue 14), each as a user sees it, against the demo
// store: appointment check-in by touch, the first customer's wait, the document's language and
// digits, the icon, the desk's flow and size, transfers, the screen's truth and two near-
// simultaneous calls, names on the screen, and the technician view's time zone and words.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  DEMO_SERVICES,
  KIOSK_VIEWPORT,
  WIDE_VIEWPORT,
  announcements,
  bookAppointment,
  demoState,
  dismissTickets,
  expectAccessible,
  hubApiAccount,
  kioskHome,
  openAllDesks,
  openView,
  pickService,
  registerWalkIn,
  saveScreenshot,
  withBridge,
  type DemoState,
} from './support.js';

let state: DemoState;
const mine: string[] = [];

test.beforeAll(async () => {
  state = demoState();
  await openAllDesks(state);
});

test.afterAll(async () => {
  await dismissTickets(state, mine);
});

/** The customer id of a ticket of today, as the runtime at `url` knows it. */
async function customerId(url: string, ticket: string): Promise<string> {
  return withBridge(url, async (api) => {
    const s = await api.getState();
    const c = s.store?.customers.find((x) => x.ticket === ticket);
    if (c === undefined) throw new Error(`no ticket ${ticket} at ${url}`);
    return c.id;
  });
}

/** Waits until the runtime at `url` has the ticket (a REST registration reaches it by sync). */
async function knownAt(url: string, ticket: string): Promise<string> {
  let id = '';
  await expect
    .poll(
      async () => {
        id = await customerId(url, ticket).catch(() => '');
        return id;
      },
      { timeout: 15_000 },
    )
    .not.toBe('');
  return id;
}

async function press(page: Page, keys: string): Promise<void> {
  const keyboard = page.locator('.keyboard');
  for (const key of keys) await keyboard.getByRole('button', { name: key, exact: true }).click();
}

async function desk(browser: Browser, url: string, viewport = WIDE_VIEWPORT): Promise<Page> {
  const page = await openView(browser, url, viewport);
  await expect(page.getByTestId('current-card')).toBeVisible();
  return page;
}

test('kiosk without a scanner: the footer opens the booking code, typed by touch; a wrong code is said under the field', async ({
  browser,
}) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  try {
    await kioskHome(kiosk);
    // The demo kiosk has no scanner configured (its technician view says so): no "scan" wording
    // (but the store's QR, which a phone scans, in the header).
    const footer = kiosk.getByTestId('scan-hint');
    await expect(footer).toHaveText(t('EN', 'kiosk.appointmentTap'));
    await expect(kiosk.locator('.kiosk-main, .kiosk-footer').getByText(/scan/i)).toHaveCount(0);
    await footer.click();
    await expect(
      kiosk.getByRole('heading', { name: t('EN', 'kiosk.appointmentTitle') }),
    ).toBeVisible();
    await expect(kiosk.getByText(t('EN', 'kiosk.appointmentTypeOnly'))).toBeVisible();
    await expect(kiosk.getByText(t('EN', 'kiosk.appointmentScan'))).toHaveCount(0);

    // A wrong code, typed on the on-screen keyboard: the error is right under the field.
    await press(kiosk, 'NOPE-1');
    const field = kiosk.getByLabel(t('EN', 'kiosk.bookingCode'));
    await expect(field).toHaveValue('NOPE-1');
    await kiosk.getByTestId('check-in').click();
    const feedback = kiosk.getByTestId('appointment-feedback');
    await expect(feedback).toHaveText(t('EN', 'kiosk.codeNotFound'));
    await expect(field).toHaveAttribute('aria-invalid', 'true');
    const fieldBox = await field.boundingBox();
    const feedbackBox = await feedback.boundingBox();
    expect(fieldBox !== null && feedbackBox !== null).toBe(true);
    if (fieldBox !== null && feedbackBox !== null) {
      expect(feedbackBox.y).toBeGreaterThanOrEqual(fieldBox.y + fieldBox.height - 1);
      expect(feedbackBox.y - (fieldBox.y + fieldBox.height)).toBeLessThan(60);
    }
    await saveScreenshot(kiosk, 'kiosk-appointment-wrong-code');
    await expectAccessible(kiosk, 'kiosk appointment code');

    // The right code, typed by touch: checked in.
    const externalId = `T${Date.now()}`;
    await bookAppointment(state, externalId, 'Grace Hopper');
    await kiosk.getByRole('button', { name: t('EN', 'keyboard.clear') }).click();
    await expect(feedback).toHaveText('');
    await press(kiosk, `APPT-${externalId}`);
    await kiosk.getByTestId('check-in').click();
    await expect(kiosk.getByTestId('checked-in-ticket')).toHaveText(/^D\d+$/);
    mine.push((await kiosk.getByTestId('checked-in-ticket').textContent()) ?? '');
  } finally {
    await kiosk.context().close();
  }
});

test('kiosk with a scanner: it says to scan, and a tap on the footer still opens the code', async ({
  browser,
}) => {
  const context = await browser.newContext({ viewport: KIOSK_VIEWPORT });
  const page = await context.newPage();
  // The demo kiosk has no scanner: the runtime's answers are passed through with one configured,
  // as a kiosk with a serial scanner reports it.
  await page.routeWebSocket(/\/bridge/, (ws) => {
    const server = ws.connectToServer();
    const withScanner = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(withScanner);
      if (value === null || typeof value !== 'object') return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = withScanner(v);
      if ('health' in out && typeof out.health === 'object' && out.health !== null)
        out.health = { ...out.health, scanner: { configured: true, ok: true, message: null } };
      return out;
    };
    server.onMessage((message) => {
      if (typeof message !== 'string') return ws.send(message);
      ws.send(JSON.stringify(withScanner(JSON.parse(message))));
    });
  });
  try {
    await page.goto(state.kiosk);
    await kioskHome(page);
    const footer = page.getByTestId('scan-hint');
    await expect(footer).toContainText(t('EN', 'kiosk.scanPromptTap'));
    await footer.click();
    await expect(page.getByText(t('EN', 'kiosk.appointmentScan'))).toBeVisible();
    await expect(page.getByLabel(t('EN', 'kiosk.appointmentCode'))).toBeVisible();
    await expect(page.locator('.keyboard')).toBeVisible();
  } finally {
    await context.close();
  }
});

test('the first customer of a service is told "You’re next", never "0 min"', async ({
  browser,
}) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  try {
    await kioskHome(kiosk);
    // Nobody waits for the priority service in the demo store.
    await pickService(kiosk, ['Priority (reduced mobility)']);
    await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
    await kiosk.getByTestId('get-ticket').click();
    await expect(kiosk.getByTestId('ticket-number')).toHaveText(/^P\d+$/);
    mine.push((await kiosk.getByTestId('ticket-number').textContent()) ?? '');
    await expect(kiosk.getByTestId('people-before')).toHaveText('0');
    await expect(kiosk.getByTestId('wait-minutes')).toHaveText(t('EN', 'kiosk.youreNext'));
    await expect(kiosk.getByTestId('wait-minutes')).not.toHaveText(/\b0 min/);
    await saveScreenshot(kiosk, 'kiosk-first-customer');
  } finally {
    await kiosk.context().close();
  }
});

test('the document has the language and direction shown, one digit style, an icon, a named space key', async ({
  browser,
}) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  try {
    await kioskHome(kiosk);
    const html = kiosk.locator('html');
    await expect(html).toHaveAttribute('lang', 'en-GB');
    await expect(html).toHaveAttribute('dir', 'ltr');
    for (const [name, lang, dir] of [
      ['Français', 'fr-FR', 'ltr'],
      ['Svenska', 'sv-SE', 'ltr'],
      ['العربية', 'ar', 'rtl'],
    ] as const) {
      await kiosk.getByRole('button', { name }).click();
      await expect(html).toHaveAttribute('lang', lang);
      await expect(html).toHaveAttribute('dir', dir);
    }
    // Arabic: the name keyboard and every text use the same (Latin) digits as the tickets.
    await kiosk.getByRole('button', { name: 'المبيعات', exact: true }).click();
    await kiosk.getByRole('button', { name: 'هاتف جديد', exact: true }).click();
    await kiosk.getByRole('radio', { name: t('AR', 'kiosk.byName') }).click();
    await expect(kiosk.locator('.keyboard').getByRole('button', { name: '1' })).toBeVisible();
    const space = kiosk.getByRole('button', { name: t('AR', 'keyboard.space'), exact: true });
    await expect(space).toBeVisible();
    await expect(space).toHaveText(t('AR', 'keyboard.space'));
    expect(await kiosk.locator('body').innerText()).not.toMatch(/[\u0660-\u0669\u06f0-\u06f9]/);
    await kiosk.getByRole('radio', { name: t('AR', 'kiosk.byPhone') }).click();
    expect(await kiosk.locator('body').innerText()).not.toMatch(/[\u0660-\u0669\u06f0-\u06f9]/);
    await saveScreenshot(kiosk, 'ar-kiosk-digits');

    // A favicon and an app icon, served with the UI.
    const icons = await kiosk.evaluate(async () => {
      const links = [...document.querySelectorAll<HTMLLinkElement>('link[rel~="icon"]')];
      return Promise.all(
        links.map(async (l) => {
          const res = await fetch(l.href);
          return { ok: res.ok, type: res.headers.get('content-type') ?? '' };
        }),
      );
    });
    expect(icons.length).toBeGreaterThan(0);
    for (const icon of icons) {
      expect(icon.ok).toBe(true);
      expect(icon.type).toMatch(/^image\//);
    }
  } finally {
    await kiosk.context().close();
  }
});

test('the kiosk says what the screen will show of a name, and the screen shows just that', async ({
  browser,
}) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  const screen = await openView(browser, state.screen, WIDE_VIEWPORT);
  try {
    await kioskHome(kiosk);
    await pickService(kiosk, ['Sales', 'New phone']);
    await kiosk.getByRole('radio', { name: t('EN', 'kiosk.byName') }).click();
    const preview = kiosk.getByTestId('screen-preview');
    await expect(preview).toHaveText(t('EN', 'kiosk.screenShowsMasked'));
    await kiosk.locator('#contact-name').fill('Ada Lovelace');
    await expect(preview).toContainText('Ada L.');
    await expect(preview).not.toContainText('Lovelace');
    await saveScreenshot(kiosk, 'kiosk-name-preview');
    await kiosk.getByTestId('get-ticket').click();
    const ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';
    expect(ticket).toMatch(/^A\d+$/);
    mine.push(ticket);

    const id = await knownAt(state.desk1, ticket);
    await withBridge(state.desk1, (api) => api.callCustomer({ customerId: id }));
    const card = screen.locator(`.now-card[data-ticket="${ticket}"]`);
    await expect(card).toBeVisible();
    await expect(card.locator('.now-name')).toHaveText('Ada L.');
    expect(await screen.locator('body').innerText()).not.toContain('Lovelace');
  } finally {
    await kiosk.context().close();
    await screen.context().close();
  }
});

test('desk: call next then Done, one press each, when the store finishes from called', async ({
  browser,
}) => {
  const ticket = await registerWalkIn(state.hub, hubApiAccount(), DEMO_SERVICES.newPhone);
  mine.push(ticket);
  const page = await desk(browser, state.desk1);
  try {
    const id = await knownAt(state.desk1, ticket);
    await withBridge(state.desk1, (api) => api.callCustomer({ customerId: id }));
    const card = page.getByTestId('current-card');
    await expect(card).toHaveAttribute('data-ticket', ticket);
    const done = page.locator('[data-action="finish"]');
    await expect(done).toBeEnabled();
    await expect(done).toHaveClass(/btn-primary/);
    await done.click();
    await expect(card).not.toHaveAttribute('data-ticket', ticket);
    await expect(page.getByTestId('desk-error')).toHaveCount(0);
    await expect(page.locator('[data-action="callNext"]')).toHaveClass(/btn-primary/);
  } finally {
    await page.context().close();
  }
});

test('the desk fits 1280×720 and up without scrolling and fills a 4K screen', async ({
  browser,
}) => {
  for (const viewport of [
    { width: 1280, height: 720 },
    { width: 1366, height: 768 },
    { width: 1920, height: 1080 },
    { width: 3840, height: 2160 },
  ]) {
    const page = await desk(browser, state.desk1, viewport);
    try {
      const label = `${viewport.width}x${viewport.height}`;
      // The whole page is in the window: nothing scrolls, the Pause/Close row is visible.
      const overflow = await page.evaluate(() => {
        const el = document.scrollingElement ?? document.documentElement;
        return { v: el.scrollHeight - el.clientHeight, h: el.scrollWidth - el.clientWidth };
      });
      expect(overflow, label).toEqual({ v: 0, h: 0 });
      for (const name of [t('EN', 'desk.pause'), t('EN', 'desk.close')]) {
        const button = page
          .locator('section.desk-status')
          .getByRole('button', { name, exact: true });
        await expect(button, label).toBeInViewport({ ratio: 1 });
      }
      await expect(page.locator('[data-action="transfer"]'), label).toBeInViewport({ ratio: 1 });
      // Scaled, not stretched: the main button grows with the screen.
      const callNext = await page.locator('[data-action="callNext"]').boundingBox();
      expect((callNext?.height ?? 0) / viewport.height, label).toBeGreaterThan(0.06);
      if (viewport.width !== 1366) await saveScreenshot(page, `desk-${label}`);
    } finally {
      await page.context().close();
    }
  }
});

test('a transfer to a desk says the customer waits in its list, and that desk sees it arrive', async ({
  browser,
}) => {
  const ticket = await registerWalkIn(state.hub, hubApiAccount(), DEMO_SERVICES.accessories);
  mine.push(ticket);
  const desk1 = await desk(browser, state.desk1);
  const desk2 = await desk(browser, state.desk2);
  try {
    const id = await knownAt(state.desk1, ticket);
    await withBridge(state.desk1, (api) => api.callCustomer({ customerId: id }));
    await expect(desk1.getByTestId('current-card')).toHaveAttribute('data-ticket', ticket);
    await desk1.locator('[data-action="transfer"]').click();
    const dialog = desk1.getByRole('dialog', { name: t('EN', 'desk.transferTitle', { ticket }) });
    await expect(dialog.getByText(t('EN', 'desk.transferDeskHint'))).toBeVisible();
    await expect(dialog.getByText(t('EN', 'desk.transferServiceHint'))).toBeVisible();
    await dialog.getByRole('button', { name: 'Desk 2', exact: true }).click();
    await expect(
      desk1
        .getByTestId('desk-notice')
        .filter({ hasText: t('EN', 'desk.transferredToDesk', { ticket, desk: 'Desk 2' }) }),
    ).toBeVisible();
    const row = desk2.locator(`.queue-list [data-ticket="${ticket}"]`);
    await expect(row).toHaveAttribute('data-transferred', 'true');
    await expect(row).toContainText(t('EN', 'desk.transferredBadge'));
    await expect(
      desk2
        .getByTestId('desk-notice')
        .filter({ hasText: t('EN', 'desk.transferArrived', { ticket }) }),
    ).toBeVisible();
    await saveScreenshot(desk2, 'desk-transfer-arrived');
  } finally {
    for (const page of [desk1, desk2]) await page.context().close();
  }
});

test('the screen: a no-show leaves "Now calling"', async ({ browser }) => {
  const ticket = await registerWalkIn(state.hub, hubApiAccount(), DEMO_SERVICES.newPhone);
  mine.push(ticket);
  const screen = await openView(browser, state.screen, WIDE_VIEWPORT);
  try {
    const id = await knownAt(state.desk1, ticket);
    await withBridge(state.desk1, (api) => api.callCustomer({ customerId: id }));
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', ticket);
    await withBridge(state.desk1, (api) => api.noShow({ customerId: id }));
    await expect(screen.locator(`.now-card[data-ticket="${ticket}"]`)).toHaveCount(0);
    // Still in the history of calls, just not announced as being called.
    await expect(screen.locator(`.last-calls [data-ticket="${ticket}"]`)).toBeVisible();
  } finally {
    await screen.context().close();
  }
});

test('the screen: two desks calling within a second, each gets the big card and its announcement, in order, the list following', async ({
  browser,
}) => {
  const account = hubApiAccount();
  const one = await registerWalkIn(state.hub, account, DEMO_SERVICES.newPhone);
  const two = await registerWalkIn(state.hub, account, DEMO_SERVICES.repair);
  mine.push(one, two);
  const screen = await openView(browser, state.screen, WIDE_VIEWPORT);
  try {
    await expect(screen.getByTestId('now-calling')).toBeVisible();
    const [id1, id2] = [await knownAt(state.desk1, one), await knownAt(state.desk2, two)];
    const before = (await announcements(screen)).length;
    // Every change of the big card or the list, as the page renders it.
    await screen.evaluate(() => {
      const seen: { banner: string | null; list: string[] }[] = [];
      const record = () => {
        const banner = document.querySelector('.now-card')?.getAttribute('data-ticket') ?? null;
        const list = [...document.querySelectorAll('.last-calls [data-ticket]')].map(
          (r) => r.getAttribute('data-ticket') ?? '',
        );
        const last = seen.at(-1);
        if (last?.banner !== banner || last.list.join() !== list.join())
          seen.push({ banner, list });
      };
      record();
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
      });
      (globalThis as { __screenFrames?: unknown }).__screenFrames = seen;
    });
    await Promise.all([
      withBridge(state.desk1, (api) => api.callCustomer({ customerId: id1 })),
      withBridge(state.desk2, (api) => api.callCustomer({ customerId: id2 })),
    ]);
    await expect
      .poll(
        async () =>
          (await announcements(screen))
            .slice(before)
            .map((a) => a.ticket)
            .sort(),
        {
          timeout: 20_000,
        },
      )
      .toEqual([one, two].sort());
    const order = (await announcements(screen)).slice(before).map((a) => a.ticket);
    const second = order[1] ?? '';
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', second);
    await expect(screen.locator(`.last-calls [data-ticket="${order[0]}"]`)).toBeVisible();
    await saveScreenshot(screen, 'screen-two-calls');
    await expect
      .poll(
        async () => (await announcements(screen)).slice(before).every((a) => a.status === 'done'),
        { timeout: 30_000 },
      )
      .toBe(true);

    const frames = await screen.evaluate(
      () =>
        (globalThis as { __screenFrames?: { banner: string | null; list: string[] }[] })
          .__screenFrames ?? [],
    );
    // The big card showed each call, in the order announced.
    const banners = frames.map((f) => f.banner).filter((b) => b === one || b === two);
    expect(banners.filter((b, i) => b !== banners[i - 1])).toEqual(order);
    // The list never showed a call before the big card had: headline and list move together.
    const onCard = new Set<string>();
    for (const frame of frames) {
      if (frame.banner !== null) onCard.add(frame.banner);
      for (const ticket of [one, two])
        if (frame.list.includes(ticket)) expect(onCard.has(ticket), ticket).toBe(true);
    }
  } finally {
    await screen.context().close();
  }
});

test('technician view: last sync in the store’s time zone, named; the role in people’s words', async ({
  browser,
}) => {
  // A browser far from the store: the store's clock must win.
  const context = await browser.newContext({
    viewport: KIOSK_VIEWPORT,
    timezoneId: 'America/New_York',
  });
  const page = await context.newPage();
  try {
    await page.goto(`${state.kiosk}#technician`);
    await expect(page.getByTestId('tech-role')).toHaveText(t('EN', 'tech.roleMachine'));
    const lastSync = page.getByTestId('tech-last-sync');
    await expect(lastSync).toContainText('(Europe/Paris)');
    const text = (await lastSync.textContent()) ?? '';
    const shown = /(\d{2}):(\d{2}):\d{2}/.exec(text);
    expect(shown, text).not.toBeNull();
    const parisNow = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .format(new Date())
      .split(':')
      .map(Number);
    const minutes = (h: number, m: number) => h * 60 + m;
    const diff = Math.abs(
      minutes(Number(shown?.[1]), Number(shown?.[2])) - minutes(parisNow[0] ?? 0, parisNow[1] ?? 0),
    );
    // The last sync is recent: within a few minutes of Paris time (New York is hours away).
    expect(Math.min(diff, 1440 - diff)).toBeLessThan(10);
    await saveScreenshot(page, 'technician-store-zone');
  } finally {
    await context.close();
  }
});
