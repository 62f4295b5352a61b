// The device's sync link against the hub's own server code in this process, so the test can hold
// back the hub's first answers: a device must not call itself connected (staff and the technician
// view trust that word) before it has actually caught up with the hub.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seedStore } from '../../../cloud/engine/admin.js';
import { startHub, type RunningHub } from '../../../cloud/server.js';
import { createLogger } from '../../../main/common/logger.js';
import { openDatabase } from '../../../main/local-db/database.js';
import { LocalDb } from '../../../main/local-db/local-db.js';
import { SyncClient } from '../../../main/sync/sync-client.js';
import { SyncEvents, SYNC_NAMESPACE } from '../../../shared/protocol/sync.js';
import { credentialFor } from '../hub/harness.js';
import { DEMO, removeDirs, tempDir, waitFor } from '../../support/processes.js';

let hub: RunningHub | undefined;
let client: SyncClient | undefined;
const dirs: string[] = [];

afterEach(async () => {
  client?.stop();
  await hub?.close();
  removeDirs(dirs.splice(0));
});

describe('sync catch-up', () => {
  it('is not connected until a pull has answered, even when the first ones time out', async () => {
    const hubDir = tempDir('catch-up-hub');
    const deviceDir = tempDir('catch-up-device');
    dirs.push(hubDir, deviceDir);
    hub = await startHub({ dataDir: hubDir });
    seedStore(hub.engine);
    const credential = await credentialFor(hub.url, DEMO.kiosk);

    // The hub answers the device's first two snapshot/pull requests only after the device has
    // stopped waiting for them.
    let held = 0;
    hub.sync.io.of(SYNC_NAMESPACE).on('connection', (socket) => {
      socket.use(([event], next) => {
        const slow = (event === SyncEvents.snapshot || event === SyncEvents.pull) && held < 2;
        if (!slow) return next();
        held += 1;
        setTimeout(next, 600);
      });
    });

    const db = new LocalDb(openDatabase(join(deviceDir, 'lineup.db')).db);
    const claims: { connected: boolean; hasReplica: boolean }[] = [];
    const sync: SyncClient = new SyncClient({
      hubUrl: hub.url,
      credential,
      db,
      log: createLogger({ quiet: true }),
      ackTimeoutMs: 200,
      reconnectDelayMaxMs: 100,
      hooks: {
        onApplied: () => undefined,
        onStatus: () =>
          claims.push({ connected: sync.connected, hasReplica: db.cursor() !== null }),
        onCredentialRefused: () => undefined,
        onOutboxRefused: () => undefined,
      },
    });
    client = sync;
    sync.start();

    await waitFor('connected', () => sync.connected);
    expect(held).toBe(2);
    expect(db.cursor()).not.toBeNull();
    // Every time the link said "connected", the replica was there.
    expect(claims.filter((c) => c.connected && !c.hasReplica)).toEqual([]);
    expect(claims.some((c) => c.connected)).toBe(true);
  });
});
