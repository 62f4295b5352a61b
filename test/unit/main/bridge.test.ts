// The host bridge with a real runtime (unprovisioned: its hub is not there) on a real port.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHostServer, type HostServer } from '../../../main/bridge/host-server.js';
import { applianceHandlers, createBridge } from '../../../main/bridge/dispatch.js';
import { Appliance } from '../../../main/runtime/appliance.js';
import { createLogger } from '../../../main/common/logger.js';

let dir: string;
let appliance: Appliance;
let server: HostServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lineup-bridge-'));
  appliance = await Appliance.start({
    hubUrl: 'http://127.0.0.1:9',
    dataDir: dir,
    appVersion: 'test',
    log: createLogger({ quiet: true }),
    identity: { macs: ['02:00:00:00:00:77'], hostname: 'bridge-test' },
    pollMs: 60_000,
  });
  const bridge = createBridge(applianceHandlers(appliance), (l) => appliance.subscribe(l));
  server = await startHostServer({
    bridge,
    rendererDir: join(dir, 'no-renderer'),
    log: createLogger({ quiet: true }),
  });
});
afterAll(async () => {
  await server.close();
  await appliance.stop();
  rmSync(dir, { recursive: true, force: true });
});

function open(token: string): Promise<{ ws: WebSocket; frames: unknown[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/bridge?token=${token}`);
  const frames: unknown[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString())));
  return new Promise((ok, fail) => {
    ws.once('open', () => ok({ ws, frames }));
    ws.once('error', fail);
  });
}
const until = async (f: () => boolean) => {
  for (let i = 0; i < 200 && !f(); i += 1) await new Promise((r) => setTimeout(r, 10));
};

describe('host bridge', () => {
  it('injects the per-boot token into the page and requires it on the WebSocket', async () => {
    const html = await (await fetch(server.url)).text();
    expect(html).toContain(`<meta name="lineup-bridge" content="${server.token}">`);
    await expect(open('wrong-token')).rejects.toThrow(/403/);
  });

  it('sends the state first, validates params at the door and answers with typed errors', async () => {
    const { ws, frames } = await open(server.token);
    await until(() => frames.length > 0);
    expect(frames[0]).toMatchObject({
      event: { type: 'state', state: { phase: 'unprovisioned' } },
    });
    expect((frames[0] as { event: { state: { message: string } } }).event.state.message).toMatch(
      /Cannot reach the hub/,
    );
    ws.send(
      JSON.stringify({ id: 1, method: 'register', params: { serviceId: 'a b', lang: 'english' } }),
    );
    ws.send(JSON.stringify({ id: 2, method: 'dropTables', params: {} }));
    ws.send(JSON.stringify({ id: 3, method: 'callNext', params: {} }));
    ws.send('not json');
    await until(() => frames.length >= 5);
    const byId = (id: number) => frames.find((f) => (f as { id?: number }).id === id);
    expect(byId(1)).toMatchObject({ error: { code: 'invalid' } });
    expect(byId(2)).toMatchObject({
      error: { code: 'invalid', message: 'Unknown method "dropTables".' },
    });
    expect(byId(3)).toMatchObject({ error: { code: 'not_ready' } });
    expect(byId(-1)).toMatchObject({ error: { code: 'invalid' } });
    ws.close();
  });

  it('refuses another Host header (DNS rebinding)', async () => {
    const status = await new Promise<number | undefined>((ok, fail) => {
      request(
        { host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          ok(res.statusCode);
        },
      )
        .on('error', fail)
        .end();
    });
    expect(status).toBe(421);
  });
});
