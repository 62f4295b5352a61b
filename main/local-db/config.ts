// The device's last good configuration (hub, record, credential): the next boot starts in the
// last known role before the hub answers.
import { z } from 'zod';
import { DeviceSchema } from '../../shared/domain/entities.js';
import { DeviceCredentialSchema } from '../../shared/protocol/sync.js';
import { statements, type Db } from './database.js';
import { readBody } from './set-aside.js';

export const ProvisionedConfigSchema = z.object({
  hubUrl: z.string().min(1),
  device: DeviceSchema,
  credential: DeviceCredentialSchema,
  savedAt: z.string(),
});
export type ProvisionedConfig = z.infer<typeof ProvisionedConfigSchema>;

export interface LoadedConfig {
  config: ProvisionedConfig | null;
  problem: string | null;
}

export class ConfigTable {
  private readonly sql: ReturnType<typeof statements>;
  constructor(private readonly db: Db) {
    this.sql = statements(db);
  }

  /** The last good config, or why it could not be read (a damaged row never stops the boot). */
  load(): LoadedConfig {
    const row = this.sql(`SELECT value FROM config WHERE key = 'provisioned'`).get() as
      { value: string } | undefined;
    if (row === undefined) return { config: null, problem: null };
    const read = readBody(row.value, ProvisionedConfigSchema);
    if (read.ok) return { config: read.value, problem: null };
    return {
      config: null,
      problem: `The saved device configuration is unreadable (${read.reason}); waiting for the hub.`,
    };
  }

  save(config: ProvisionedConfig): void {
    this.sql(`INSERT OR REPLACE INTO config (key, value) VALUES ('provisioned', ?)`).run(
      JSON.stringify(config),
    );
  }

  clear(): void {
    this.sql(`DELETE FROM config WHERE key = 'provisioned'`).run();
  }

  /** A yes/no setting of this device's database (not of the shop). */
  flag(key: string): boolean {
    return this.sql('SELECT 1 FROM config WHERE key = ?').get(key) !== undefined;
  }
  setFlag(key: string, on: boolean): void {
    if (on) this.sql(`INSERT OR REPLACE INTO config (key, value) VALUES (?, '1')`).run(key);
    else this.sql('DELETE FROM config WHERE key = ?').run(key);
  }
}
