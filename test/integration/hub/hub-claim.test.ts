// A device's sync credential is handed out once: knowing (or sniffing) a device's MAC and hostname
// must neither reveal its token nor kick the real device off. `lineup-hub device reset` revokes
// it and lets the device (or a replacement box) claim a new one. Real hub process, real HTTP and
// socket.io clients, the real CLI on the hub's data dir while it serves.
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { DeviceCredential, ProvisionResponse } from '../../../shared/protocol/sync.js';
import { addDevice } from '../../support/processes.js';
import { ask, connectDevice, DEMO, provisionDevice, runCli } from './harness.js';
import { attempt, useDemoHub } from './demo-hub.js';

/** POST /provision as the raw text the caller receives, and its parsed answer. */
async function provisionRaw(
  url: string,
  body: unknown,
): Promise<{ text: string; answer: ProvisionResponse }> {
  const res = await fetch(`${url}/provision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status).toBe(200);
  return { text, answer: JSON.parse(text) as ProvisionResponse };
}

function claimed(answer: ProvisionResponse): DeviceCredential {
  if (answer.status !== 'provisioned') throw new Error(`expected a claim, got ${answer.status}`);
  return answer.credential;
}

/** The socket still answers a pull on the authenticated channel. */
async function stillSyncing(socket: Socket): Promise<void> {
  expect(socket.connected).toBe(true);
  // Any position will do: an unknown epoch is answered (with `reset`), as to any live device.
  const pulled = await ask<{ ok: boolean }>(socket, 'pull', {
    since: { epoch: 'any', seq: 0 },
    limit: 1,
  });
  expect(pulled.ok).toBe(true);
}

describe('device credentials are claimed once', () => {
  const demo = useDemoHub();

  it('refuses a second claim with a clear message and without revealing or rotating the token', async () => {
    const first = await provisionRaw(demo.hub.url, {
      macs: [DEMO.kiosk.mac],
      hostname: 'lineup-kiosk-1',
    });
    const credential = claimed(first.answer);
    expect(credential.deviceId).toBe('demo-kiosk');

    const second = await provisionRaw(demo.hub.url, {
      macs: ['02-00-00-00-00-01'],
      hostname: 'LINEUP-KIOSK-1',
    });
    expect(second.answer).toEqual({
      status: 'claimed',
      deviceId: 'demo-kiosk',
      message: expect.stringContaining('lineup-hub device reset --id demo-kiosk'),
    });
    expect(second.text).not.toContain(credential.token);
    expect(second.text).not.toContain('"credential"');
    // A made-up credential in the request changes nothing either.
    const guessed = await provisionRaw(demo.hub.url, {
      macs: [DEMO.kiosk.mac],
      hostname: DEMO.kiosk.hostname,
      credential: { deviceId: 'demo-kiosk', token: 'g'.repeat(32) },
    });
    expect(guessed.answer.status).toBe('claimed');
    expect(guessed.text).not.toContain(credential.token);
    // The token handed out first still works: nothing was rotated.
    expect(await attempt(demo.hub.url, credential)).toBe('connected');
  });

  it('keeps the real device connected while someone else calls /provision with its MAC', async () => {
    const credential = claimed(
      await provisionDevice(demo.hub.url, DEMO.desk1.mac, DEMO.desk1.hostname),
    );
    const desk = await connectDevice(demo.hub.url, credential);
    demo.sockets.push(desk);
    let dropped = false;
    desk.on('disconnect', () => (dropped = true));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        provisionDevice(demo.hub.url, DEMO.desk1.mac, DEMO.desk1.hostname),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill('claimed'));
    await stillSyncing(desk);
    expect(dropped).toBe(false);
    expect(await attempt(demo.hub.url, credential)).toBe('connected');
  });

  it('gives a device holding its credential its current record, with that same credential', async () => {
    const credential = claimed(
      await provisionDevice(demo.hub.url, DEMO.screen.mac, DEMO.screen.hostname),
    );
    const { answer } = await provisionRaw(demo.hub.url, {
      macs: [DEMO.screen.mac],
      hostname: DEMO.screen.hostname,
      credential,
    });
    expect(answer).toMatchObject({
      status: 'provisioned',
      device: { id: 'demo-screen', role: 'screen' },
      credential,
    });
    // Another device's valid credential is no key to this one.
    const other = await provisionRaw(demo.hub.url, {
      macs: [DEMO.kiosk.mac],
      hostname: DEMO.kiosk.hostname,
      credential,
    });
    expect(other.answer.status).toBe('claimed');
  });

  it('lets exactly one of many simultaneous first claims win', async () => {
    const added = addDevice(demo.dir, {
      mac: '02:00:00:00:0c:01',
      hostname: 'race-kiosk',
      role: 'machine',
      id: 'race-kiosk',
    });
    expect(JSON.parse(added)).toMatchObject({ claim: 'open' });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        provisionDevice(demo.hub.url, '02:00:00:00:0c:01', 'race-kiosk'),
      ),
    );
    const winners = answers.filter((a) => a.status === 'provisioned');
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'claimed')).toHaveLength(7);
    expect(await attempt(demo.hub.url, claimed(winners[0] as ProvisionResponse))).toBe('connected');
    const listed = JSON.parse(runCli(['device', 'list', '--data', demo.dir]).stdout) as {
      id: string;
      claim: string;
    }[];
    expect(listed.find((d) => d.id === 'race-kiosk')?.claim).toBe('claimed');
    expect(listed.find((d) => d.id === 'demo-desk-2')?.claim).toBe('claimable');
  });

  it('re-adding a claimed device (new role) keeps its credential and its connection', async () => {
    const credential = claimed(
      await provisionDevice(demo.hub.url, DEMO.desk2.mac, DEMO.desk2.hostname),
    );
    const desk2 = await connectDevice(demo.hub.url, credential);
    demo.sockets.push(desk2);
    const updated = new Promise<void>((res) =>
      desk2.on(
        'change',
        (c: { entity: { kind: string; device?: { id: string; name: string } } }) => {
          if (c.entity.device?.id === 'demo-desk-2' && c.entity.device.name === 'Desk two') res();
        },
      ),
    );
    const added = addDevice(demo.dir, { ...DEMO.desk2, role: 'desk', name: 'Desk two' });
    expect(JSON.parse(added)).toMatchObject({ device: { id: 'demo-desk-2' }, claim: 'claimed' });
    expect(added).not.toContain(credential.token);
    await updated;
    await stillSyncing(desk2);
    expect((await provisionDevice(demo.hub.url, DEMO.desk2.mac, DEMO.desk2.hostname)).status).toBe(
      'claimed',
    );
  });

  it('device reset drops the live socket, refuses the old token and lets the box claim again', async () => {
    const who = { mac: '02:00:00:00:0c:02', hostname: 'reset-desk' };
    const cli = (...args: string[]) =>
      runCli([...args.slice(0, 2), '--data', demo.dir, ...args.slice(2)]);
    expect(
      cli('device', 'add', '--store', 'demo-store', '--mac', who.mac, '--hostname', who.hostname)
        .status,
    ).not.toBe(0); // --role is required
    addDevice(demo.dir, { ...who, role: 'desk', id: 'reset-desk' });
    const first = claimed(await provisionDevice(demo.hub.url, who.mac, who.hostname));
    const live = await connectDevice(demo.hub.url, first);
    demo.sockets.push(live);
    const closedBy = new Promise<string>((res) => live.once('disconnect', (reason) => res(reason)));

    const reset = cli('device', 'reset', '--id', 'reset-desk');
    expect(reset.status).toBe(0);
    expect(reset.stdout).toMatch(/^Device reset-desk \(reset-desk\): its credential is revoked/);
    expect(await closedBy).toBe('io server disconnect');
    expect(await attempt(demo.hub.url, first)).toBe('revoked');

    // The box (or a replacement with the same MAC and hostname) claims a new credential, once.
    const second = claimed(await provisionDevice(demo.hub.url, who.mac, who.hostname));
    expect(second.deviceId).toBe('reset-desk');
    expect(second.token).not.toBe(first.token);
    expect(await attempt(demo.hub.url, second)).toBe('connected');
    expect(await attempt(demo.hub.url, first)).toBe('bad_credential');
    expect((await provisionDevice(demo.hub.url, who.mac, who.hostname)).status).toBe('claimed');

    // An unknown id among several: one line, a non-zero exit, and nothing reset.
    const bad = cli('device', 'reset', '--id', 'reset-desk', '--id', 'no-such-device');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toBe('lineup-hub: Device no-such-device does not exist.\n');
    expect(await attempt(demo.hub.url, second)).toBe('connected');
    expect(cli('device', 'reset').stderr).toMatch(/^lineup-hub: --id is required\n$/);
  });
});
