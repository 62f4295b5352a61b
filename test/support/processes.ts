// Real processes for the integration and e2e tests: temp dirs, the repo's bins run once (CLI) or
// started until they print that they are ready, the hub on a free port, and polling for a state.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hubDbArgs } from './hub-engine.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A fresh folder under the OS temp dir, `lineup-<prefix>-XXXXXX`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `lineup-${prefix}-`));
}

export function removeDirs(dirs: readonly string[]): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}

export interface BinResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/<bin>` to completion, whatever its exit status. */
export function runBin(bin: string, args: string[], timeoutMs?: number): BinResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', bin), ...hubDbArgs(args)], {
    cwd: ROOT,
    encoding: 'utf8',
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the hub's CLI on a data dir and returns what it printed; throws when it fails. Works while
 * a hub serves that data dir: it picks up the change.
 */
export function hubCli(args: string[]): string {
  const r = runBin('lineup-hub.js', args);
  if (r.status !== 0)
    throw new Error(`lineup-hub ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface DeviceFields {
  mac: string;
  hostname: string;
  role: 'machine' | 'desk' | 'screen';
  /** Default: the demo store. */
  store?: string;
  name?: string;
  id?: string;
  /** The only services a desk calls (`--services a,b`). */
  services?: string;
}

/** Adds (or re-provisions) a device with `lineup-hub device add`; returns what it printed. */
export function addDevice(hubData: string, device: DeviceFields): string {
  const optional = (flag: string, value: string | undefined) =>
    value === undefined ? [] : [flag, value];
  return hubCli([
    'device',
    'add',
    '--data',
    hubData,
    '--store',
    device.store ?? 'demo-store',
    '--mac',
    device.mac,
    '--hostname',
    device.hostname,
    '--role',
    device.role,
    ...optional('--name', device.name),
    ...optional('--id', device.id),
    ...optional('--services', device.services),
  ]);
}

/** Changes a service with `lineup-hub service update`, e.g. `{ notify: true }`. */
export function updateService(hubData: string, id: string, fields: Record<string, unknown>): void {
  hubCli(['service', 'update', '--data', hubData, '--id', id, '--set', JSON.stringify(fields)]);
}

/** The demo store (organization, store, services, four devices) in a hub data dir. */
export function seedDemo(dataDir: string): void {
  const r = runBin('lineup-hub.js', ['seed', 'demo', '--data', dataDir]);
  if (r.status !== 0) throw new Error(`seed demo failed: ${r.stderr}`);
}

/** The seeded demo devices, as their runtimes identify themselves to the hub. */
export const DEMO = {
  kiosk: { mac: '02:00:00:00:00:01', hostname: 'lineup-kiosk-1' },
  desk1: { mac: '02:00:00:00:00:02', hostname: 'lineup-desk-1' },
  desk2: { mac: '02:00:00:00:00:03', hostname: 'lineup-desk-2' },
  screen: { mac: '02:00:00:00:00:04', hostname: 'lineup-screen-1' },
} as const;

export interface Proc {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far, stdout and stderr. */
  output: () => string;
  /** Its exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, SIGKILL if still there after 5 s; resolves once it is gone. */
  stop(): Promise<void>;
  /** SIGKILL: it dies without any chance to flush. */
  kill9(): Promise<void>;
}

/**
 * Starts `bin/<bin>` and resolves when its stdout matches `ready` (the first group is its URL);
 * rejects with its output if it exits or takes longer than `timeoutMs` (it is killed then).
 */
export function startProcess(
  bin: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 30_000,
): Promise<Proc & { match: RegExpMatchArray }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', bin), ...hubDbArgs(args)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: '1' },
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  let out = '';
  let stdout = '';
  const proc = {
    child,
    output: () => out,
    exited,
    async stop() {
      if (!gone()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
  };
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${bin} not ready in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      stdout += chunk.toString();
      const match = stdout.match(ready);
      if (match !== null) {
        clearTimeout(timer);
        ok({ ...proc, url: match[1] ?? '', match });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${bin} exited (${code}) before ready:\n${out}`));
    });
  });
}

/**
 * The hub (`lineup-hub serve`) on a data dir, on 127.0.0.1 and a free port unless one is given;
 * `extra`: more `serve` options.
 */
export function startHub(dataDir: string, port = 0, extra: readonly string[] = []): Promise<Proc> {
  return startProcess(
    'lineup-hub.js',
    ['serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1', ...extra],
    /^Lineup hub listening on (http:\/\/\S+)$/m,
  );
}

/** Polls `probe` every 50 ms until it gives a value (not null/undefined/false) or time runs out. */
export async function waitFor<T>(
  what: string,
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 30_000, // a wait, not a timing assertion: room for a loaded CI machine
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
