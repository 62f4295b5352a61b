// The host bridge's WebSocket takes only its own page (Origin http://127.0.0.1:PORT or
// http://localhost:PORT) or a client without an Origin (not a browser page; it still needs the
// token): a page on another site cannot drive the appliance, even with the token.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHostServer, type HostServer } from '../../../main/bridge/host-server.js';

type HostOptions = Parameters<typeof startHostServer>[0];

let dir: string;
let server: HostServer;
const warnings: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineup-bridge-origin-'));
  const bridge: HostOptions['bridge'] = {
    dispatch: async (method) => ({ echoed: method }),
    subscribe: () => () => undefined,
  };
  const log: HostOptions['log'] = {
    info: () => undefined,
    warn: (m) => warnings.push(m),
    error: () => undefined,
  };
  server = await startHostServer({ bridge, rendererDir: join(dir, 'none'), log });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens the bridge with the right token, as `origin` (none when undefined); 'open' or the error. */
function attempt(origin: string | undefined, host = `127.0.0.1:${server.port}`): Promise<string> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${server.token}`, {
    headers: { host, ...(origin === undefined ? {} : { origin }) },
  });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('error', (e) => resolve(e.message));
  });
}

describe('host bridge Origin check', () => {
  it('accepts its own page, on either loopback name', async () => {
    expect(await attempt(`http://127.0.0.1:${server.port}`)).toBe('open');
    expect(await attempt(`http://localhost:${server.port}`, `localhost:${server.port}`)).toBe(
      'open',
    );
  });

  it('accepts a client without an Origin that has the token', async () => {
    expect(await attempt(undefined)).toBe('open');
  });

  it('refuses a page from anywhere else, even with the token', async () => {
    const port = server.port;
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `http://127.0.0.1:${port}.evil.example`,
      'http://127.0.0.1',
      'null',
    ]) {
      warnings.length = 0;
      expect(await attempt(origin), origin).toMatch(/403/);
      expect(warnings.join('\n')).toMatch(/origin/i);
    }
  });
});
