// The device's credential also lives in a small file beside the database (mode 0600): a
// database set aside as damaged must not take the device out of service, since the hub hands a
// credential out only once.
import { chmodSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DeviceCredentialSchema, type DeviceCredential } from '../../shared/protocol/sync.js';

export const CREDENTIAL_FILE = 'credential.json';

const CredentialFileSchema = z.object({ hubUrl: z.string(), credential: DeviceCredentialSchema });
export type SavedCredential = z.infer<typeof CredentialFileSchema>;

export function writeCredentialFile(path: string, saved: SavedCredential): void {
  const temp = `${path}.tmp`;
  writeFileSync(temp, JSON.stringify(saved), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** The credential saved for `hubUrl`, or null (none, unreadable, or for another hub). */
export function readCredentialFile(path: string, hubUrl: string): DeviceCredential | null {
  try {
    const parsed = CredentialFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success && parsed.data.hubUrl === hubUrl ? parsed.data.credential : null;
  } catch {
    return null;
  }
}

export function removeCredentialFile(path: string): void {
  rmSync(path, { force: true });
}
