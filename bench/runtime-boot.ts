// Runtime figures, each beside the same run's raw socket.io round trip (an in-process echo):
// boot-to-ready of a runtime process, and call next on a desk → the call event on the screen.
// Run: node --import tsx bench/runtime-boot.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import {
  cleanup,
  connectBridge,
  DEMO,
  seedDemo,
  startHub,
  startRuntime,
  tempDir,
  waitFor,
} from '../test/integration/runtime/harness.js';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

async function rawSocketIoRtt(n: number): Promise<number[]> {
  const http = createServer();
  const server = new Server(http);
  server.on('connection', (s) => s.on('echo', (x: unknown, ack: (x: unknown) => void) => ack(x)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const client = io(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, {
    transports: ['websocket'],
  });
  await new Promise((r) => client.once('connect', () => r(null)));
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await client.emitWithAck('echo', i);
    out.push(performance.now() - t);
  }
  client.close();
  await server.close();
  return out;
}

export async function main(): Promise<void> {
  const dirs: string[] = [];
  const hubDir = tempDir('bench-hub');
  dirs.push(hubDir);
  seedDemo(hubDir);
  const hub = await startHub(hubDir);
  const procs = [hub];
  try {
    const rtt = await rawSocketIoRtt(500);
    // A provisioned screen restarting on its own data (its credential is claimed once, by the
    // first boot, which is not counted).
    const screenDir = tempDir('bench-s');
    dirs.push(screenDir);
    await (await startRuntime(hub.url, screenDir, DEMO.screen)).stop();
    const boots: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const t = performance.now();
      const p = await startRuntime(hub.url, screenDir, DEMO.screen);
      boots.push(performance.now() - t);
      await p.stop();
      if (p.role !== 'screen') throw new Error(`booted as ${p.role}, not as the screen`);
    }
    const kioskDir = tempDir('bench-k');
    const deskDir = tempDir('bench-d');
    dirs.push(kioskDir, deskDir);
    const kiosk = await startRuntime(hub.url, kioskDir, DEMO.kiosk);
    const desk = await startRuntime(hub.url, deskDir, DEMO.desk1);
    const screen = await startRuntime(hub.url, screenDir, DEMO.screen);
    procs.push(kiosk, desk, screen);
    const [k, d, s] = await Promise.all([kiosk, desk, screen].map((p) => connectBridge(p.url)));
    if (k === undefined || d === undefined || s === undefined) throw new Error('no bridge');
    await waitFor('connected', () => [k, d, s].every((b) => b.state()?.sync.connected === true));
    const latencies: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      await k.api.register({ serviceId: 'demo-new-phone', lang: 'EN', contactMode: 'anonymous' });
      // Any call reaching the screen is this one: one desk, one call at a time.
      const onScreen = s.nextEvent((e) => e.type === 'call');
      const t = performance.now();
      const { customer } = await d.api.callNext().catch((e: unknown) => {
        console.error(desk.output().slice(-1500));
        throw e;
      });
      if (customer === null) throw new Error('desk got nobody');
      const call = await onScreen;
      latencies.push(performance.now() - t);
      if (call.type !== 'call' || call.call.customerId !== customer.id)
        throw new Error(`the screen showed another call than ${customer.ticket}`);
    }
    for (const b of [k, d, s]) b.close();
    const base = pct(rtt, 50);
    console.log(`raw socket.io round trip      p50 ${ms(base)}  p99 ${ms(pct(rtt, 99))}`);
    console.log(
      `runtime reboot-to-ready (n=3) p50 ${ms(pct(boots, 50))}  max ${ms(Math.max(...boots))}  (${(pct(boots, 50) / base).toFixed(0)}× rtt)`,
    );
    console.log(
      `call next → screen (n=60)     p50 ${ms(pct(latencies, 50))}  p99 ${ms(pct(latencies, 99))}  (${(pct(latencies, 50) / base).toFixed(1)}× rtt p50)`,
    );
    console.log(
      '(call next → screen includes the desk bridge, the hub, the broadcast and the screen bridge.)',
    );
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    cleanup(dirs);
  }
}

await main();
