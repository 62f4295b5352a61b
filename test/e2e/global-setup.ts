// Builds the renderer, then starts a whole demo store with the demo launcher in a temporary
// data dir and waits for its state file; the returned function stops it and removes the dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_ENV, DemoStateSchema, STATE_ENV } from './support.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const READY_TIMEOUT_MS = 180_000;

function buildRenderer(): void {
  if (
    process.env.LINEUP_E2E_SKIP_BUILD === '1' &&
    existsSync(join(root, 'dist/renderer/index.html')) &&
    existsSync(join(root, 'dist/console/index.html'))
  )
    return;
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  // The devices' UI, then the hub console (served by the demo's hub).
  for (const config of ['renderer/vite.config.ts', 'renderer/console/vite.config.ts']) {
    const result = spawnSync(
      process.execPath,
      [vite, 'build', '--config', config, '--logLevel', 'warn'],
      { cwd: root, stdio: 'inherit' },
    );
    if (result.status !== 0)
      throw new Error('npm run build:renderer failed: the e2e tests need the renderer');
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
      return resolve();
    const pid = child.pid;
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve();
    }, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      // The launcher's own children share its process group: make sure none is left behind.
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // none left
      }
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

function readyState(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return DemoStateSchema.safeParse(JSON.parse(readFileSync(file, 'utf8'))).success;
  } catch {
    return false; // still being written
  }
}

// eslint-disable-next-line no-restricted-syntax -- Playwright loads globalSetup's default export.
export default async function globalSetup(): Promise<() => Promise<void>> {
  buildRenderer();
  const dataDir = mkdtempSync(join(tmpdir(), 'lineup-e2e-'));
  const stateFile = join(dataDir, 'demo-state.json');
  const logFile = join(dataDir, 'demo.log');
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'lineup-demo.js'),
      '--no-open',
      '--state-file',
      stateFile,
      '--data',
      join(dataDir, 'demo'),
    ],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));

  const teardown = async () => {
    await stop(child);
    writeFileSync(logFile, log);
    if (process.env.LINEUP_E2E_KEEP !== '1') rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`the demo launcher exited with ${child.exitCode}:\n${log}`);
      if (readyState(stateFile)) break;
      if (Date.now() > deadline) throw new Error(`the demo store was not ready in time:\n${log}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await teardown();
    throw error;
  }
  process.env[STATE_ENV] = stateFile;
  process.env[DATA_ENV] = join(dataDir, 'demo');
  return teardown;
}
