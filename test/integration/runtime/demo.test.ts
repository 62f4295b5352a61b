// The demo launcher (`npm start`) as a user runs it: the whole store comes up, the kiosk has the
// simulated pager transmitter (socat pty), and a pager customer's call reaches the pager log.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { socatAvailable } from '../../../main/demo/cli.js';
import { cleanup, connectBridge, ROOT, tempDir, waitFor, type BridgeClient } from './harness.js';

const dirs: string[] = [];
const clients: BridgeClient[] = [];
let demo: ChildProcess | null = null;

afterAll(async () => {
  for (const c of clients) c.close();
  if (demo !== null && demo.exitCode === null && demo.signalCode === null) {
    const exited = new Promise((r) => demo?.once('exit', r));
    demo.kill('SIGINT');
    await exited;
  }
  cleanup(dirs);
});

interface DemoState {
  kiosk: string;
  desk1: string;
  pager: { device: string; url: string; log: string } | null;
}

describe('demo launcher', () => {
  it('gives the kiosk a pager transmitter and logs the pages it sends', async () => {
    const dir = tempDir('demo');
    dirs.push(dir);
    const stateFile = join(dir, 'state.json');
    let out = '';
    demo = spawn(
      process.execPath,
      [join(ROOT, 'bin', 'lineup-demo.js'), '--data', join(dir, 'data'), '--no-open'].concat([
        '--state-file',
        stateFile,
      ]),
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } },
    );
    demo.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    demo.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('the demo state file', () => existsSync(stateFile), 180_000).catch(() => {
      throw new Error(`the demo did not start:\n${out}`);
    });
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as DemoState;
    if (!socatAvailable()) {
      expect(state.pager).toBeNull();
      expect(out).toMatch(/^Pager: socat is not installed/m);
      return;
    }
    expect(state.pager?.url).toMatch(/^serial:\/dev\/\S+\?baud=1200&protocol=jtech$/);
    // The summary is printed beside the state file: wait for it to come through the pipe.
    await waitFor('the pager line in the summary', () =>
      out.includes(`Pager (log)      ${state.pager?.log}`),
    );

    const kiosk = await connectBridge(state.kiosk);
    const desk = await connectBridge(state.desk1);
    clients.push(kiosk, desk);
    await waitFor(
      'kiosk and desk connected, pager ready',
      () =>
        kiosk.state()?.sync.connected === true &&
        desk.state()?.sync.connected === true &&
        kiosk.state()?.health.pager?.ok === true,
      // Six processes have just started through tsx on two cores, beside the other tests.
      120_000,
    );
    const ticket = await kiosk.api.register({
      serviceId: 'demo-new-phone',
      lang: 'EN',
      contactMode: 'pager',
      pager: 42,
    });
    expect(ticket.customer.ticket).toBe('A1');
    const called = await desk.api.callNext();
    expect(called.customer?.id).toBe(ticket.customer.id);
    const log = state.pager?.log ?? '';
    const line = await waitFor('the call in the pager log', () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .find((l) => l.includes('pager 42:'))
        : null,
    );
    expect(line).toMatch(/pager 42: A1 Desk 1$/);
  }, 360_000); // builds the UI on a fresh clone, then starts the whole store
});
