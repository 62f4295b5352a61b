// Real processes for runtime tests: a hub (`bin/lineup-hub.js`) and runtimes (`bin/lineup.js`),
// each in its own temp folder on a free port, and a bridge client that talks to a runtime the
// way the UI does (the token from index.html, the WebSocket, the shared client).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type {
  ApplianceApi,
  ApplianceEvent,
  ApplianceState,
} from '../../../shared/api/appliance-api.js';
import { createApplianceClient } from '../../../shared/api/client.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lineup-${prefix}-`));
}

export interface Proc {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((ok) => child.once('exit', () => ok()));
}

/** Starts a bin and resolves when a line matches `ready`; rejects with its output otherwise. */
export function startProcess(
  bin: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<Proc & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', bin), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  let out = '';
  const proc = {
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await waitExit(child);
      clearTimeout(timer);
    },
    async kill9() {
      child.kill('SIGKILL');
      await waitExit(child);
    },
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${bin} not ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match !== null) {
        clearTimeout(timer);
        ok({ ...proc, url: match[1] ?? '', match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${bin} exited (${code}) before ready:\n${out}`));
    });
  });
}

export function seedDemo(dataDir: string): void {
  const r = spawnSync(
    process.execPath,
    [join(ROOT, 'bin', 'lineup-hub.js'), 'seed', 'demo', '--data', dataDir],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`seed demo failed: ${r.stderr}`);
}

export function hubCli(args: string[]): string {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'lineup-hub.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    throw new Error(`lineup-hub ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export async function startHub(dataDir: string, port = 0): Promise<Proc> {
  return startProcess(
    'lineup-hub.js',
    ['serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1'],
    /Lineup hub listening on (http:\/\/\S+)/,
  );
}

export const DEMO = {
  kiosk: { mac: '02:00:00:00:00:01', hostname: 'lineup-kiosk-1' },
  desk1: { mac: '02:00:00:00:00:02', hostname: 'lineup-desk-1' },
  desk2: { mac: '02:00:00:00:00:03', hostname: 'lineup-desk-2' },
  screen: { mac: '02:00:00:00:00:04', hostname: 'lineup-screen-1' },
} as const;

export async function startRuntime(
  hub: string,
  dataDir: string,
  who: { mac: string; hostname: string },
  extra: string[] = [],
): Promise<Proc & { role: string }> {
  const proc = await startProcess(
    'lineup.js',
    [
      '--hub',
      hub,
      '--data',
      dataDir,
      '--mac',
      who.mac,
      '--hostname',
      who.hostname,
      '--headless',
      '--poll-ms',
      '200',
      '--refresh-ms',
      '1000',
      '--reconnect-max-ms',
      '500',
      ...extra,
    ],
    /Lineup (\S+) ready at (http:\/\/\S+)/,
  );
  return { ...proc, role: proc.match[1] ?? '', url: proc.match[2] ?? '' };
}

export interface BridgeClient {
  api: ApplianceApi;
  events: ApplianceEvent[];
  state(): ApplianceState | null;
  close(): void;
}

export async function bridgeToken(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const token = html.match(/<meta name="lineup-bridge" content="([^"]+)">/)?.[1];
  if (token === undefined) throw new Error('no bridge token in index.html');
  return token;
}

/** Connects to a runtime as its UI does: token from the page, then the WebSocket bridge. */
export async function connectBridge(url: string): Promise<BridgeClient> {
  const token = await bridgeToken(url);
  const ws = new WebSocket(`${url.replace('http', 'ws')}bridge?token=${encodeURIComponent(token)}`);
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  let next = 1;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
  const listeners = new Set<(event: unknown) => void>();
  const events: ApplianceEvent[] = [];
  let last: ApplianceState | null = null;
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as {
      id?: number;
      result?: unknown;
      error?: unknown;
      event?: unknown;
    };
    if (frame.event !== undefined) {
      for (const l of listeners) l(frame.event);
      return;
    }
    const p = frame.id === undefined ? undefined : pending.get(frame.id);
    if (p === undefined) return;
    pending.delete(frame.id as number);
    if (frame.error !== undefined) p.fail(frame.error);
    else p.ok(frame.result);
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.fail({ code: 'internal', message: 'bridge closed' });
    pending.clear();
  });
  const api = createApplianceClient({
    invoke(method, params) {
      const id = next++;
      return new Promise((ok, fail) => {
        if (ws.readyState !== ws.OPEN) {
          fail({ code: 'internal', message: 'bridge closed' });
          return;
        }
        pending.set(id, { ok, fail });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  api.subscribe((event) => {
    events.push(event);
    if (event.type === 'state') last = event.state;
  });
  return { api, events, state: () => last, close: () => ws.close() };
}

export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await probe();
      if (value !== null && value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function cleanup(dirs: string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

/** An API key on a hub's data dir, made with its CLI (`lineup-hub apikey create`). */
export function hubApiKey(hubData: string): { key: string; secret: string } {
  const out = hubCli(['apikey', 'create', '--data', hubData, '--name', 'runtime-tests']);
  const last = out.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(last) as { key?: unknown; secret?: unknown };
  if (typeof parsed.key !== 'string' || typeof parsed.secret !== 'string')
    throw new Error(`apikey create printed no key: ${out}`);
  return { key: parsed.key, secret: parsed.secret };
}

/** Books an appointment through the hub's FileVirtuelle API, as a booking site would. */
export async function bookAppointment(
  hub: string,
  account: { key: string; secret: string },
  externalId: string,
  name: string,
): Promise<void> {
  const path = '/api/public/v2/register';
  const timestamp = String(Date.now());
  const signature = createHmac('sha1', account.secret)
    .update(`POST${path}${timestamp}`)
    .digest('hex');
  const res = await fetch(new URL(path, hub), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `${account.key}:${signature}`,
      'x-fv-timestamp': timestamp,
    },
    body: JSON.stringify({
      suborganization: 'demo-store',
      machine: 'demo-kiosk',
      prequalification: 'demo-appointment',
      prequalifications_path: ['demo-support', 'demo-appointment'],
      lang: 'EN',
      name,
      meeting: true,
      mtimestamp: new Date(Date.now() + 5 * 60_000).toISOString(),
      external_meeting_id: externalId,
    }),
  });
  if (res.status >= 300) throw new Error(`booking refused (${res.status}): ${await res.text()}`);
}
