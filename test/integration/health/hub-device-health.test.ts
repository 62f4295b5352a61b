// Device health and print state over the real hub process (issue 16): a machine's report is
// acknowledged, kept durably (across a hub restart), told to the store's room only when it
// changes, and part of every pull; a ticket's print state is set by the machine that issued it
// and a desk's reprint request reaches that machine as a change.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeviceHealthEntrySchema,
  HealthAckSchema,
  PullResponseSchema,
  type Change,
  type DeviceCredential,
  type DeviceHealthEntry,
} from '../../../shared/protocol/sync.js';
import { PAPER_OUT, READY } from '../../support/health-reports.js';
import { seedDemo } from '../../support/processes.js';
import {
  DEMO,
  ask,
  connectDevice,
  credentialFor,
  removeDir,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';

async function pullHealth(socket: Socket): Promise<DeviceHealthEntry[]> {
  const answer = PullResponseSchema.parse(
    await ask(socket, 'pull', { since: { epoch: 'none', seq: 0 }, limit: 1 }),
  );
  if (!answer.ok) throw new Error(answer.refusal.message);
  return answer.health;
}

describe('device health at the hub', () => {
  let dir: string;
  let hub: HubProcess;
  const sockets: Socket[] = [];
  let kiosk: Socket;
  let desk: Socket;
  let screen: Socket;

  let kioskCred: DeviceCredential;
  let deskCred: DeviceCredential;
  const connectAll = async () => {
    kiosk = await connectDevice(hub.url, kioskCred);
    desk = await connectDevice(hub.url, deskCred);
    sockets.push(kiosk, desk);
  };

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    hub = await startHubProcess(dir);
    kioskCred = await credentialFor(hub.url, DEMO.kiosk);
    deskCred = await credentialFor(hub.url, DEMO.desk1);
    await connectAll();
    screen = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.screen));
    sockets.push(screen);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await hub.stop();
    removeDir(dir);
  });

  it('acknowledges a report, tells the store once per change, and keeps it in every pull', async () => {
    const told: DeviceHealthEntry[] = [];
    desk.on('device_health', (raw: unknown) => told.push(DeviceHealthEntrySchema.parse(raw)));

    const ack = HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    expect(ack).toMatchObject({
      ok: true,
      entry: { deviceId: 'demo-kiosk', storeId: 'demo-store', health: PAPER_OUT },
    });
    await expect.poll(() => told.length).toBe(1);
    expect(told[0]?.health.printer).toBe('paper_out');

    // A heartbeat that says the same is acknowledged, and not told again.
    const again = HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    expect(again.ok && again.entry.changedAt).toBe(ack.ok && ack.entry.changedAt);
    HealthAckSchema.parse(await ask(kiosk, 'health', READY));
    await expect.poll(() => told.map((e) => e.health.printer)).toEqual(['paper_out', 'ready']);

    // A malformed report is refused, and changes nothing.
    expect(HealthAckSchema.parse(await ask(kiosk, 'health', { printer: 'on_fire' }))).toMatchObject(
      { ok: false, refusal: { code: 'invalid' } },
    );
    expect((await pullHealth(screen)).map((e) => e.health.printer)).toEqual(['ready']);
  });

  it('keeps the last report across a hub restart', async () => {
    HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    for (const s of sockets.splice(0)) s.disconnect();
    expect(await hub.stop()).toBe(0);
    hub = await startHubProcess(dir);
    await connectAll();
    const health = await pullHealth(desk);
    expect(health).toEqual([
      expect.objectContaining({ deviceId: 'demo-kiosk', health: PAPER_OUT }),
    ]);
    HealthAckSchema.parse(await ask(kiosk, 'health', READY));
  });

  it("marks a ticket not printed from its machine only, and relays a desk's reprint to it", async () => {
    const issued = await send(kiosk, {
      type: 'register',
      payload: { serviceId: 'demo-new-phone', lang: 'EN', contactMode: 'anonymous' },
    });
    if (!issued.ok || issued.customer === null) throw new Error('not registered');
    const customerId = issued.customer.id;
    expect(issued.customer.printState).toBe('printed');

    const notPrinted = await send(kiosk, {
      type: 'print_result',
      payload: { customerId, printed: false, reason: 'Out of paper.' },
    });
    expect(notPrinted).toMatchObject({
      ok: true,
      customer: { printState: 'not_printed', printProblem: 'Out of paper.' },
    });
    // Only the machine that issued it says what is on paper.
    expect(
      await send(desk, { type: 'print_result', payload: { customerId, printed: true } }),
    ).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });

    const heard: Change[] = [];
    kiosk.on('change', (c: Change) => heard.push(c));
    expect(await send(desk, { type: 'reprint', payload: { customerId } })).toMatchObject({
      ok: true,
      customer: { printState: 'reprint' },
    });
    await expect
      .poll(() =>
        heard.some(
          (c) => c.entity.kind === 'customer' && c.entity.customer.printState === 'reprint',
        ),
      )
      .toBe(true);
    expect(
      await send(kiosk, { type: 'print_result', payload: { customerId, printed: true } }),
    ).toMatchObject({ ok: true, customer: { printState: 'printed', printProblem: null } });
  });
});
