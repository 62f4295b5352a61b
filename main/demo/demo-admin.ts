// The demo's console login: an admin made with the hub's own CLI (`lineup-hub user create`, as on
// a real hub) with a random password kept beside the demo's hub data, so every `npm start` prints
// the same login (idempotent: made once, reused after).
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_ADMIN_EMAIL = 'admin@demo.lineup.local';

export interface DemoLogin {
  email: string;
  password: string;
}

/** Makes (once) the demo admin on the hub data dir and answers its login. */
export function ensureDemoAdmin(repoRoot: string, hubData: string): DemoLogin {
  const file = join(hubData, 'demo-admin.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoLogin>;
    if (typeof saved.email === 'string' && typeof saved.password === 'string') {
      return { email: saved.email, password: saved.password };
    }
  }
  const login = { email: DEMO_ADMIN_EMAIL, password: randomBytes(12).toString('base64url') };
  const hubCli = (args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'bin', 'lineup-hub.js'), ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      input: `${login.password}\n`,
    });
  const made = hubCli([
    'user',
    'create',
    '--data',
    hubData,
    '--email',
    login.email,
    '--name',
    'Demo admin',
    '--role',
    'admin',
  ]);
  // Already there (its password file was lost): give it the new password.
  if (made.status !== 0) {
    const reset = hubCli(['user', 'passwd', '--data', hubData, '--email', login.email]);
    if (reset.status !== 0) {
      throw new Error(`making the demo admin failed: ${made.stderr.trim()} ${reset.stderr.trim()}`);
    }
  }
  writeFileSync(file, JSON.stringify(login, null, 2), { mode: 0o600 });
  return login;
}
