// Bundles the Electron shell: main.cjs (the runtime in Electron's main process) and preload.cjs
// (sandboxed preloads cannot load modules). Native modules stay external; electron-builder
// rebuilds them for Electron's ABI when packaging.
import { build } from 'esbuild';
import { join } from 'node:path';
import { REPO_ROOT } from '../launch/displays.js';

const common = {
  bundle: true,
  platform: 'node' as const,
  format: 'cjs' as const,
  target: 'node22',
  sourcemap: true,
  logLevel: 'info' as const,
  // import.meta.url is used to find the repo root; give CommonJS an equivalent.
  define: { 'import.meta.url': '__lineupImportMetaUrl' },
  banner: {
    js: "const __lineupImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  },
};

export async function main(): Promise<void> {
  const out = join(REPO_ROOT, 'dist', 'electron');
  await build({
    ...common,
    entryPoints: [join(REPO_ROOT, 'main', 'electron', 'main.ts')],
    outfile: join(out, 'main.cjs'),
    external: [
      'electron',
      'better-sqlite3',
      'serialport',
      '@serialport/*',
      'usb',
      '@napi-rs/canvas',
      'bufferutil',
      'utf-8-validate',
    ],
  });
  await build({
    ...common,
    entryPoints: [join(REPO_ROOT, 'main', 'electron', 'preload.ts')],
    outfile: join(out, 'preload.cjs'),
    external: ['electron'],
  });
}

await main();
