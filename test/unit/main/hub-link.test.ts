// The hub link's own decisions through a real HTTP /provision answered by a script: which phase
// and message follow each answer, what is saved, and when the device gives its role up.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProvisionRequest, ProvisionResponse } from '../../../shared/protocol/sync.js';
import { HubLink } from '../../../main/runtime/hub-link.js';
import { machine, NOW, openSeam, type Seam } from './runtime-seam.js';

const credential = { deviceId: machine.id, token: 't'.repeat(32) };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A /provision endpoint answering what `answer` says now. */
async function provisionServer(
  answer: (request: ProvisionRequest) => ProvisionResponse,
): Promise<string> {
  const server: Server = createServer((req, res) => {
    // Only /provision is scripted: the sync link the device opens once provisioned finds nothing.
    if (req.method !== 'POST' || req.url !== '/provision') {
      res.statusCode = 404;
      res.end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(JSON.parse(body) as ProvisionRequest)));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  cleanups.push(() => new Promise<void>((ok) => server.close(() => ok())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function linkTo(hubUrl: string): { link: HubLink; seam: Seam } {
  const seam = openSeam(() => {
    throw new Error('unused');
  });
  const link = new HubLink({ ...seam.ctx.options, hubUrl, pollMs: 60_000 }, seam.db, () => NOW, {
    onApplied: () => undefined,
    onConnected: () => undefined,
    onOutboxRefused: () => undefined,
    scheduleState: () => undefined,
  });
  cleanups.push(() => seam.close());
  cleanups.push(() => link.stop());
  return { link, seam };
}

describe('hub link', () => {
  it('an unknown device waits, then takes the role the hub gives and saves it', async () => {
    let answer: ProvisionResponse = { status: 'unknown', message: 'Not registered.' };
    const { link, seam } = linkTo(await provisionServer(() => answer));
    link.awaitFirstAnswer();
    await link.provisionNow();
    expect(link.phase).toBe('unprovisioned');
    expect(link.message).toContain('Not registered.');
    expect(seam.db.loadConfig().config).toBeNull();
    answer = { status: 'provisioned', device: machine, credential };
    await link.provisionNow();
    expect(link.phase).toBe('ready');
    expect(link.device()?.role).toBe('machine');
    expect(seam.db.loadConfig().config?.credential).toEqual(credential);
  });

  it('a device whose credential is no longer accepted gives its role up and says why', async () => {
    let answer: ProvisionResponse = { status: 'provisioned', device: machine, credential };
    const { link, seam } = linkTo(await provisionServer(() => answer));
    await link.provisionNow();
    expect(link.phase).toBe('ready');
    answer = { status: 'claimed', deviceId: machine.id, message: 'Reset it on the hub.' };
    await link.provisionNow();
    expect(link.phase).toBe('unprovisioned');
    expect(link.message).toContain("The hub no longer accepts this device's credential.");
    expect(seam.db.loadConfig().config).toBeNull();
  });

  it('a provisioned device keeps working offline when the hub cannot be reached', async () => {
    const { link, seam } = linkTo('http://127.0.0.1:9');
    link.adopt(machine, credential);
    await link.provisionNow();
    expect(link.phase).toBe('ready');
    expect(link.hubProblem).toContain('Working offline with the last known configuration.');
    expect(seam.db.loadConfig().config?.device.id).toBe(machine.id);
  });

  it('a device that lost its config offers the credential kept aside, and is recognised', async () => {
    // The hub hands a credential out once: without it, this device would be "already claimed".
    const { link, seam } = linkTo(
      await provisionServer((request) =>
        request.credential?.token === credential.token
          ? { status: 'provisioned', device: machine, credential }
          : { status: 'claimed', deviceId: machine.id, message: 'Already claimed.' },
      ),
    );
    link.holdCredential(credential);
    link.awaitFirstAnswer();
    await link.provisionNow();
    expect(link.phase).toBe('ready');
    expect(seam.db.loadConfig().config?.credential).toEqual(credential);
  });
});
