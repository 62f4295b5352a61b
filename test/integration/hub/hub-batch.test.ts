// A group-commit batch on either engine: a command that fails half-way, after it wrote, is
// undone alone (its savepoint), answered `internal`, and leaves its id free for a retry; the
// commands around it commit, and the log holds exactly theirs.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addDevice, seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine, type Actor } from '../../../cloud/engine/hub-engine.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { CommandEnvelopeSchema, type CommandResult } from '../../../shared/protocol/sync.js';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { removeDir, tempDataDir } from './harness.js';

const kiosk: Actor = { deviceId: 'demo-kiosk', origin: 'demo-kiosk' };
const register = (name: string, serviceId = 'demo-new-phone') =>
  CommandEnvelopeSchema.parse({
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    type: 'register',
    payload: { serviceId, lang: 'EN', contactMode: 'name', contact: { name } },
  });
const outcome = (r: CommandResult) => (r.ok ? (r.customer?.contact.name ?? 'ok') : r.refusal.code);

describe('a batch of device commands', () => {
  it.each([
    ['first', ['Breaks', 'Ada', 'Grace']],
    ['in the middle', ['Ada', 'Breaks', 'Grace']],
    ['last', ['Ada', 'Grace', 'Breaks']],
  ])(
    'undoes a command that breaks after writing (%s), alone, and lets its retry through',
    async (_where, order) => {
      const dir = tempDataDir();
      const repo = await openTestHubRepo(dir);
      try {
        const engine = new HubEngine(repo);
        await seedStore(engine);
        let broken = true;
        // Runs in the transaction after each append: throwing here comes after the writes.
        engine.onAppend(async (change) => {
          if (
            broken &&
            change.entity.kind === 'customer' &&
            change.entity.customer.contact.name === 'Breaks'
          ) {
            throw new Error('the disk hiccuped');
          }
        });
        const { seq: before } = (await repo.head(demoStore.store.id))!;
        const breaks = register('Breaks');
        const results = await engine.applyCommands(
          order.map((name) => ({
            actor: kiosk,
            envelope: name === 'Breaks' ? breaks : register(name),
          })),
        );
        expect(results.map(outcome)).toEqual(order.map((n) => (n === 'Breaks' ? 'internal' : n)));

        const log = await repo.changesSince(
          demoStore.store.id,
          (await repo.head(demoStore.store.id))!.epoch,
          before,
          100,
        );
        const names = (changes: typeof log) =>
          changes.flatMap((c) =>
            c.entity.kind === 'customer' ? [c.entity.customer.contact.name] : [],
          );
        expect(names(log)).toEqual(['Ada', 'Grace']);
        expect(log.map((c) => c.seq)).toEqual([before + 1, before + 2]);
        expect(
          (await repo.customers(demoStore.store.id)).map((c) => c.contact.name).sort(),
        ).toEqual(['Ada', 'Grace']);

        // Nothing was recorded under its id: the device's resend is applied now.
        broken = false;
        const [retried] = await engine.applyCommands([{ actor: kiosk, envelope: breaks }]);
        expect(retried && outcome(retried)).toBe('Breaks');
      } finally {
        await repo.close();
        removeDir(dir);
      }
    },
  );

  it("applies a device's command in the store it was moved to, though the batch locked the old one", async () => {
    // The engine locks the store it last saw the device in (no read before the transaction);
    // a moved device's store is found in the transaction and locked there.
    const dir = tempDataDir();
    const repo = await openTestHubRepo(dir);
    try {
      const engine = new HubEngine(repo);
      await seedStore(engine);
      const other = {
        organization: demoStore.organization,
        store: { ...demoStore.store, id: 'store-moved-to', storeCode: 'MOVED-1' },
        services: demoStore.services
          .filter((s) => s.id === 'demo-new-phone')
          .map((s) => ({ ...s, id: 'moved-new-phone', storeId: 'store-moved-to', deskIds: [] })),
        devices: [],
      };
      await seedStore(engine, other);
      const [first] = await engine.applyCommands([{ actor: kiosk, envelope: register('Before') }]);
      expect(first && outcome(first)).toBe('Before');
      const device = demoStore.devices.find((d) => d.id === kiosk.deviceId)!;
      await addDevice(engine, {
        id: device.id,
        storeId: 'store-moved-to',
        mac: device.mac,
        hostname: device.hostname,
        role: device.role,
      });
      const moved = register('After the move', 'moved-new-phone');
      const [after] = await engine.applyCommands([{ actor: kiosk, envelope: moved }]);
      expect(after && outcome(after)).toBe('After the move');
      const names = async (storeId: string) =>
        (await repo.customers(storeId)).map((c) => c.contact.name);
      expect(await names('store-moved-to')).toEqual(['After the move']);
      expect(await names(demoStore.store.id)).toEqual(['Before']);
      // Its resend is answered from the store it was applied in.
      const [again] = await engine.applyCommands([{ actor: kiosk, envelope: moved }]);
      expect(again).toEqual(after);
      expect(await names('store-moved-to')).toEqual(['After the move']);
    } finally {
      await repo.close();
      removeDir(dir);
    }
  });
});
