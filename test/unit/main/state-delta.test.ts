// State events send what changed: folding each delta into the state a UI holds must give exactly
// the full state the runtime would have sent (same lists, same order), whatever the changes.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApplianceState } from '../../../shared/api/appliance-api.js';
import { applyStateDelta } from '../../../shared/api/state-delta.js';
import type { Change } from '../../../shared/protocol/sync.js';
import { hubCustomer, openSeam, snapshot, type Seam } from './runtime-seam.js';

const seams: Seam[] = [];
afterEach(() => seams.splice(0).forEach((s) => s.close()));

const base: Omit<ApplianceState, 'store'> = {
  phase: 'ready',
  message: null,
  identity: {
    macs: [],
    hostname: 'h',
    hubUrl: 'http://hub',
    appVersion: '0',
    deviceId: null,
    deviceName: null,
    role: null,
    storeId: null,
    storeName: null,
  },
  sync: { connected: true, position: null, outbox: 0, lastSyncAt: null },
  health: { printer: null, pager: null, scanner: null },
  healthReported: false,
  fleet: [],
};

type Op = { kind: 'upsert'; id: number; n: number } | { kind: 'remove'; id: number };
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('upsert' as const), id: fc.nat(12), n: fc.nat(50) }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.nat(12) }),
);

describe('state deltas', () => {
  it('folded one after another, equal the full state at every step', () => {
    fc.assert(
      fc.property(fc.array(fc.array(op, { maxLength: 6 }), { maxLength: 8 }), (batches) => {
        const seam = openSeam(() => {
          throw new Error('unused');
        });
        seams.push(seam);
        const { db } = seam;
        expect(db.takeStoreDelta()).toBe('reset');
        let held: ApplianceState = { ...base, store: db.snapshot() };
        let seq = snapshot.position.seq;
        for (const batch of batches) {
          const changes: Change[] = batch.map((o) => {
            seq += 1;
            const common = {
              storeId: 'store-1',
              epoch: 'e1',
              seq,
              at: '2025-03-10T09:00:00.000Z',
              origin: 'test',
              commandId: null,
            };
            return o.kind === 'upsert'
              ? {
                  ...common,
                  event: 'registered',
                  entity: { kind: 'customer', customer: hubCustomer(`c${o.id}`, o.n + 1) },
                }
              : {
                  ...common,
                  event: 'customer_removed',
                  entity: { kind: 'customer_removed', id: `c${o.id}` },
                };
          });
          db.applyChanges(changes);
          const delta = db.takeStoreDelta();
          if (delta === 'reset') throw new Error('a delta was expected');
          const folded = applyStateDelta(held, { ...base, store: delta });
          expect(folded).toEqual({ ...base, store: db.snapshot() });
          held = folded as ApplianceState;
        }
      }),
      { seed: 15, numRuns: 40 },
    );
  });

  it('a new snapshot cannot be told as a delta', () => {
    const seam = openSeam(() => {
      throw new Error('unused');
    });
    seams.push(seam);
    seam.db.takeStoreDelta();
    seam.db.applySnapshot({ ...snapshot, position: { epoch: 'e2', seq: 1 } });
    expect(seam.db.takeStoreDelta()).toBe('reset');
    expect(seam.db.takeStoreDelta()).not.toBe('reset');
  });
});
