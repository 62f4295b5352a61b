// Runtimes and the once-only credential, with a real hub and real runtime processes: a second box
// with the same MAC and hostname gets the technician view with the reset instruction and never
// takes the credential from the real device; `lineup-hub device reset` lets a replacement claim
// by itself; the old box, plugged back in, is refused and says so, without rotating anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO,
  hubCli,
  isConnected,
  startDemoStore,
  waitFor,
  type BridgeClient,
  type DemoStore,
} from './harness.js';

let store: DemoStore;

beforeAll(async () => {
  store = await startDemoStore('hub-claim');
});

afterAll(async () => {
  await store?.close();
});

/** A ticket the hub itself acknowledged: the kiosk's authenticated link works. */
async function registersOnline(kiosk: BridgeClient, name: string): Promise<void> {
  const ticket = await kiosk.api.register({
    serviceId: 'demo-new-phone',
    lang: 'EN',
    contactMode: 'name',
    contact: { name },
  });
  expect(ticket.offline).toBe(false);
}

const technicianMessage = (b: BridgeClient): string | null => {
  const state = b.state();
  return state?.phase === 'unprovisioned' && (state.message ?? '').includes('device reset')
    ? (state.message ?? '')
    : null;
};

describe('a credential is claimed once', () => {
  it('a second box is told to reset, the real one stays; after a reset the replacement claims and the old box is refused', async () => {
    const oldDir = store.tempDir('kiosk-old');
    const real = await store.runtime(DEMO.kiosk, { dir: oldDir });
    expect(real.proc.role).toBe('machine');
    await waitFor('the real kiosk connected', () => isConnected(real.bridge));

    // A second box with the same MAC and hostname (or anyone who sniffed them).
    const other = await store.runtime(DEMO.kiosk);
    expect(other.proc.role).toBe('unprovisioned');
    const message = await waitFor('the reset instruction', () => technicianMessage(other.bridge));
    expect(message).toContain('lineup-hub device reset --id demo-kiosk');
    expect(message).toContain(DEMO.kiosk.mac);
    expect(other.bridge.state()?.identity.role).toBeNull();
    // The second box keeps polling (every 200 ms); the real kiosk keeps its link and credential.
    expect(isConnected(real.bridge)).toBe(true);
    await registersOnline(real.bridge, 'Still Online');

    // The installer replaces the box: the old one is unplugged, the device reset on the hub.
    await real.proc.stop();
    real.bridge.close();
    const out = hubCli(['device', 'reset', '--data', store.hubDir, '--id', 'demo-kiosk']);
    expect(out).toMatch(/its credential is revoked/);
    await waitFor('the replacement claimed by itself', () =>
      isConnected(other.bridge) && other.bridge.state()?.identity.role === 'machine' ? true : null,
    );
    expect(other.bridge.state()?.message).toBeNull();
    await registersOnline(other.bridge, 'Replacement Box');

    // The old box is plugged back in: it boots into its saved role, is refused, and says what to do.
    const back = await store.runtime(DEMO.kiosk, { dir: oldDir });
    const refused = await waitFor('the old box refused', () => technicianMessage(back.bridge));
    // Whether it first asks /provision or first tries its old credential, it says what to do.
    expect(refused).toContain('lineup-hub device reset --id demo-kiosk');
    // It did not take the credential from the replacement.
    expect(isConnected(other.bridge)).toBe(true);
    await registersOnline(other.bridge, 'After The Old Box');
    expect(back.bridge.state()?.phase).toBe('unprovisioned');
  });

  it('a running device that is reset claims its new credential by itself and stays in its role', async () => {
    await store.stopRuntimes();
    hubCli(['device', 'reset', '--data', store.hubDir, '--id', 'demo-desk-1']);
    const desk = await store.runtime(DEMO.desk1);
    await waitFor('the desk connected', () => isConnected(desk.bridge));
    hubCli(['device', 'reset', '--data', store.hubDir, '--id', 'demo-desk-1']);
    // The hub closes its link (the old token is revoked); it asks again and claims anew.
    await waitFor('a new credential claimed', () =>
      desk.proc.output().includes('claimed a new credential'),
    );
    // Connected with the new credential: a connect logged after the claim, then shown on the
    // bridge (the bridge may still show the old link for a moment before the hub closes it).
    await waitFor('reconnected with the new credential', () => {
      const out = desk.proc.output();
      return out.includes('sync: connected', out.indexOf('claimed a new credential'));
    });
    await waitFor('connected again', () => isConnected(desk.bridge));
    expect(desk.bridge.state()?.identity).toMatchObject({ deviceId: 'demo-desk-1', role: 'desk' });
    // Its link works: it calls one of the tickets the first test registered.
    const called = await desk.bridge.api.callNext();
    expect(called.customer?.state).toBe('called');
  });
});
