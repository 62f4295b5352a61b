// `lineup`: one appliance runtime. Host mode serves the UI and the bridge on 127.0.0.1; the UI is
// shown by nothing (--headless), Chromium (--browser) or Electron (--electron).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startHostServer } from './bridge/host-server.js';
import { bootRuntime, parseCli, UsageError } from './launch/boot.js';
import {
  displayAvailable,
  electronEntry,
  findChromium,
  findElectron,
  openChromium,
} from './launch/displays.js';

function fail(message: string): never {
  process.stderr.write(`lineup: ${message}\n`);
  process.exit(2);
}

export async function main(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }

  if (options.mode === 'electron') {
    // Electron runs the same runtime in its main process; this process only hands over.
    const binary = findElectron();
    const entry = electronEntry();
    if (binary === null)
      fail('the Electron binary is not installed here; use --browser or --headless (see README).');
    if (entry === null)
      fail('the Electron shell is not built; run `npm run build:electron` first.');
    const args = argv.filter((a) => a !== '--electron');
    const child = spawn(binary, [entry, '--', ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }

  let runtime;
  try {
    runtime = await bootRuntime(options);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  const { appliance, bridge, log } = runtime;
  let server;
  try {
    server = await startHostServer({
      bridge,
      rendererDir: options.rendererDir,
      port: options.port,
      log,
    });
  } catch (error) {
    await appliance.stop();
    fail(`cannot listen on 127.0.0.1:${options.port}: ${(error as Error).message}`);
  }
  let browser: ChildProcess | null = null;
  if (options.mode === 'browser') {
    if (!displayAvailable())
      log.warn('--browser: no display here ($DISPLAY/$WAYLAND_DISPLAY); serving only.');
    else if (findChromium() === null) log.warn('--browser: Chromium was not found; serving only.');
    else {
      const role = appliance.role;
      browser = openChromium(server.url, {
        kiosk: role === 'machine' || role === 'screen',
        profileDir: join(options.dataDir, 'chromium'),
      });
    }
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    browser?.kill('SIGTERM');
    await server.close();
    await appliance.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`Lineup ${appliance.role ?? 'unprovisioned'} ready at ${server.url}\n`);
}
