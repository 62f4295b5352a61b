// Finding something to show the UI in: Chromium in kiosk/app mode, or the Electron binary. Both
// are optional on a development machine; the runtime itself never needs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A display to open windows on, and not a CI run. */
export function displayAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  if (process.platform === 'win32' || process.platform === 'darwin') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export function findChromium(): string | null {
  const candidates = [
    process.env.LINEUP_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/snap/bin/chromium',
  ];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p)) ?? null;
}

/** The Electron binary from the `electron` package, when it was actually downloaded. */
export function findElectron(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** The bundled Electron entry (built by `npm run build:electron`), or null when not built. */
export function electronEntry(): string | null {
  const entry = join(REPO_ROOT, 'dist', 'electron', 'main.cjs');
  return existsSync(entry) ? entry : null;
}

export function openChromium(
  url: string,
  options: { kiosk: boolean; profileDir: string; title?: string },
): ChildProcess | null {
  const binary = findChromium();
  if (binary === null) return null;
  const args = [
    `--user-data-dir=${options.profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-translate',
    '--disable-features=Translate',
    // Screens chime and speak without anyone touching them.
    '--autoplay-policy=no-user-gesture-required',
    options.kiosk ? '--kiosk' : '--window-size=1280,800',
    `--app=${url}`,
  ];
  const child = spawn(binary, args, { stdio: 'ignore', detached: false });
  child.on('error', () => {});
  return child;
}
