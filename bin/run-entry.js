// Runs a Lineup entry point: the TypeScript source through tsx in a checkout (development,
// tests, the demo), the compiled one in dist/ in a package that ships no sources.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} entry path from the repo root without extension, e.g. `cloud/cli` */
export async function runEntry(entry) {
  const source = join(root, `${entry}.ts`);
  const built = join(root, 'dist', `${entry}.js`);
  const useBuilt = !existsSync(source) && existsSync(built);
  if (!useBuilt) {
    const { register } = await import('tsx/esm/api');
    register();
  }
  const mod = await import(pathToFileURL(useBuilt ? built : source).href);
  await mod.main(process.argv.slice(2));
}
