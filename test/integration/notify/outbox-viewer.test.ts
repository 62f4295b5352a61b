// The demo's outbox viewer receives what the real hub sends a customer and a partner.
import { afterAll, describe, expect, it } from 'vitest';
import { openTestHubRepo } from '../../support/hub-engine.js';
import {
  startOutboxViewer,
  useOutboxViewer,
  type OutboxViewer,
} from '../../../cloud/notify/outbox-viewer.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { fastDelivery, seedStoreWithTexts } from './setup.js';

describe('demo outbox viewer', () => {
  const dir = tempDataDir();
  let viewer: OutboxViewer | null = null;
  let hub: HubProcess | null = null;
  afterAll(async () => {
    await hub?.stop();
    await viewer?.close();
    removeDir(dir);
  });

  it('shows the SMS, the email and the signed webhook of a new ticket', async () => {
    await seedStoreWithTexts(dir);
    viewer = await startOutboxViewer();
    const repo = await openTestHubRepo(dir);
    await useOutboxViewer(repo, viewer, 'demo-org');
    await repo.close();
    fastDelivery(dir);
    hub = await startHubProcess(dir);
    const kiosk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.kiosk));
    const r = await send(kiosk, {
      type: 'register',
      payload: {
        serviceId: 'demo-accessories',
        lang: 'EN',
        contactMode: 'phone',
        contact: { phone: '0612345678', email: 'demo@example.test' },
      },
    });
    kiosk.disconnect();
    if (!r.ok || r.customer === null) throw new Error('not registered');
    const sub = await fetch(`${hub.url}/lineberty/v2/tickets/${r.customer.id}/subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pushId: 'DEMO_PUSH' }),
    });
    expect(sub.status).toBe(200);
    const v = viewer;
    await expect
      .poll(() => v.messages.map((m) => m.channel).sort(), { timeout: 15_000 })
      .toEqual(['email', 'sms', 'webhook']);
    expect(v.messages.find((m) => m.channel === 'webhook')?.verified).toBe(true);
    expect(v.messages.find((m) => m.channel === 'sms')?.to).toBe('+33612345678');
    const html = await (await fetch(v.url)).text();
    expect(html).toContain(`Welcome, your number is ${r.customer.ticket}!`);
  });
});
