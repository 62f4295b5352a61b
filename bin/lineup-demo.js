#!/usr/bin/env node
// `npm start`: the first run of a fresh clone installs the dependencies, then the demo
// launcher builds the UI if needed and starts the whole demo store.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('Lineup: first run, installing dependencies (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--no-fund', '--no-audit'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (install.status !== 0) {
    console.error('Lineup: npm ci failed; see the messages above.');
    process.exit(1);
  }
}

const { runEntry } = await import('./run-entry.js');
await runEntry('main/demo/cli');
