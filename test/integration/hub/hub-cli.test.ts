import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_ENGINE } from '../../support/hub-engine.js';
import { addDevice } from '../../support/processes.js';
import { removeDir, runCli, startHubProcess, tempDataDir } from './harness.js';

describe('lineup-hub command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDataDir();
  });
  afterAll(() => removeDir(dir));

  // Usage errors, refused before any storage is opened: the same run on either engine.
  it
    .skipIf(HUB_ENGINE === 'postgres')
    .each([
      [[] as string[]],
      [['bogus']],
      [['serve']],
      [['serve', '--data', '/tmp/x', '--port', 'eighty']],
      [['serve', '--data', '/tmp/x', '--nope']],
      [['serve', '--data', '/tmp/x', '--trust-proxy', 'the-load-balancer']],
      [['serve', '--data', '/tmp/x', '--trust-proxy', '10.0.0.5,10.1.0.0/99']],
      [['seed', 'everything', '--data', '/tmp/x']],
      [['apikey', 'create', '--data', '/tmp/x']],
      [['apikey', 'create', '--data', '/tmp/x', '--name', 'n', '--access', '{not json']],
      [['device', 'add', '--data', '/tmp/x', '--role', 'toaster']],
      [['device', 'explode']],
    ])('refuses %j with one line and a non-zero exit', (args) => {
    const r = runCli(args);
    expect(r.status).not.toBe(0);
    expect(r.stdout === '' || r.stdout.startsWith('usage:')).toBe(true);
    if (args.length > 0) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^lineup-hub: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('seeds the demo store once, whatever the number of runs', () => {
    const first = runCli(['seed', 'demo', '--data', dir]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Seeded the demo store/);
    const second = runCli(['seed', 'demo', '--data', dir]);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/nothing to do/);
    const devices = JSON.parse(runCli(['device', 'list', '--data', dir]).stdout) as {
      id: string;
      mac: string;
      hostname: string;
      role: string;
    }[];
    expect(devices.map((d) => [d.id, d.mac, d.hostname, d.role])).toEqual([
      ['demo-desk-1', '02:00:00:00:00:02', 'lineup-desk-1', 'desk'],
      ['demo-desk-2', '02:00:00:00:00:03', 'lineup-desk-2', 'desk'],
      ['demo-kiosk', '02:00:00:00:00:01', 'lineup-kiosk-1', 'machine'],
      ['demo-screen', '02:00:00:00:00:04', 'lineup-screen-1', 'screen'],
    ]);
  });

  it('prints only the key and secret of a new API key', () => {
    const r = runCli(['apikey', 'create', '--data', dir, '--name', 'partner']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\{"key":"[0-9a-f]{24}","secret":"[0-9a-f]{40}"\}\n$/);
  });

  it('adds, lists and removes a device, and refuses unknown stores and bad MACs', () => {
    // addDevice throws, with what the CLI printed, unless it exits 0.
    const added = addDevice(dir, {
      mac: 'ac-af-b9-37-cb-46',
      hostname: 'D2D2',
      role: 'desk',
      id: 'desk-9',
    });
    const out = JSON.parse(added) as {
      device: { id: string; mac: string };
      claim: string;
    };
    expect(out.device).toMatchObject({ id: 'desk-9', mac: 'AC:AF:B9:37:CB:46' });
    // The credential is handed out once, to the device itself (POST /provision), not here.
    expect(out.claim).toBe('open');
    expect(added).not.toMatch(/token/);
    // One line on stderr and nothing on stdout: the thrown message ends with exactly that.
    expect(() =>
      addDevice(dir, { store: 'nope', mac: '02:00:00:00:00:09', hostname: 'h', role: 'desk' }),
    ).toThrow(/ failed: lineup-hub: Store nope does not exist\.\n$/);
    expect(() => addDevice(dir, { mac: 'xyz', hostname: 'h', role: 'desk' })).toThrow(/ failed: /);
    expect(runCli(['device', 'remove', '--data', dir, '--id', 'desk-9']).status).toBe(0);
    expect(runCli(['device', 'remove', '--data', dir, '--id', 'desk-9']).stderr).toMatch(
      /does not exist/,
    );
  });

  it('serves on a free port, prints exactly its URL, and stops cleanly on SIGTERM', async () => {
    const hub = await startHubProcess(dir);
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
    expect(await hub.stop()).toBe(0);
  });
});
