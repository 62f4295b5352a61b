// Issue 15 end to end on the demo store: a partner calls a customer with a signed FileVirtuelle
// `PUT /customer {_id, called: true, desk}`, and the wall screen announces it once, like a
// desk's call; a later field edit is not announced again.
import { expect, test, type Page } from '@playwright/test';
import { z } from 'zod';
import { fvCall } from '../support/fv-api.js';
import {
  WIDE_VIEWPORT,
  announcements,
  demoState,
  dismissTickets,
  hubApiAccount,
  openView,
  type DemoState,
} from './support.js';

let state: DemoState;
let screen: Page;
const issued: string[] = [];

test.beforeAll(async ({ browser }) => {
  state = demoState();
  screen = await openView(browser, state.screen, WIDE_VIEWPORT);
});

test.afterAll(async () => {
  await dismissTickets(state, issued);
  await screen.context().close();
});

test("a partner's REST PUT called: true is announced on the screen once", async () => {
  await expect(screen.getByTestId('now-calling')).toBeVisible();
  const account = hubApiAccount();
  const registered = await fvCall(state.hub, account, 'POST', '/register', {
    suborganization: 'demo-store',
    machine: 'demo-kiosk',
    prequalification: 'demo-new-phone',
    prequalifications_path: ['demo-sales', 'demo-new-phone'],
    lang: 'EN',
    name: 'Called By Partner',
  });
  expect(registered.status).toBe(200);
  const { _id: id, ticket } = z
    .object({ entity: z.object({ _id: z.string(), ticket: z.string() }).loose() })
    .loose()
    .parse(registered.body).entity;
  issued.push(ticket);
  const before = (await announcements(screen)).length;

  const put = await fvCall(state.hub, account, 'PUT', '/customer', {
    _id: id,
    called: true,
    desk: 'demo-desk-1',
  });
  expect(put).toMatchObject({
    status: 200,
    body: { success: { _id: id, called: true, desk: 'demo-desk-1' } },
  });
  const ofTicket = async () =>
    (await announcements(screen)).slice(before).filter((a) => a.ticket === ticket);
  await expect.poll(async () => (await ofTicket()).length, { timeout: 20_000 }).toBe(1);
  await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', ticket);

  // A later edit of a field is a plain update: nothing more is announced.
  const rename = await fvCall(state.hub, account, 'PUT', '/customer', { _id: id, name: 'Renamed' });
  expect(rename.status).toBe(200);
  await expect
    .poll(async () => (await ofTicket()).every((a) => a.status === 'done'), { timeout: 30_000 })
    .toBe(true);
  expect(await ofTicket()).toHaveLength(1);
});
