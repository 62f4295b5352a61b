// Staff accounts on a hub's data dir (or the database it stands for), made with its CLI (`lineup-hub user create`, the password
// on stdin).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { hubDbArgs } from './hub-engine.js';
import { ROOT, type BinResult } from './processes.js';

/** Runs `lineup-hub` with `input` on stdin, whatever its exit status. */
export function hubCliWithInput(args: string[], input: string): BinResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'lineup-hub.js'), ...hubDbArgs(args)], {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface StaffFields {
  email: string;
  name: string;
  role: 'owner' | 'admin' | 'store_manager' | 'technician' | 'agent';
  stores?: string;
  password: string;
}

/** Creates a staff member and returns their id. */
export function createStaff(hubData: string, staff: StaffFields): string {
  const r = hubCliWithInput(
    [
      'user',
      'create',
      '--data',
      hubData,
      '--email',
      staff.email,
      '--name',
      staff.name,
      '--role',
      staff.role,
      ...(staff.stores === undefined ? [] : ['--stores', staff.stores]),
    ],
    `${staff.password}\n`,
  );
  if (r.status !== 0) throw new Error(`user create failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { id: string }).id;
}
