// A desk's call records who was signed in at it (the agent API's tickets and Ombori's servedBy
// read it); a desk with nobody signed in records nothing, and old rows without it still parse.
import { describe, expect, it } from 'vitest';
import { applyEvent } from '../../../shared/domain/customer.js';
import { CustomerSchema, DeviceSchema } from '../../../shared/domain/entities.js';
import { T0, iso, makeCustomer, makeStore } from './fixtures.js';

const store = makeStore();

describe('staff calls', () => {
  it('a call by a desk with a signed-in agent appends that agent; without one, nothing', () => {
    const waiting = makeCustomer('c-1');
    const byAnn = applyEvent(waiting, 'call', {
      now: new Date(T0),
      store,
      deskId: 'desk-1',
      staffId: 'ann',
    });
    expect(byAnn.staffCalls).toEqual([{ staffId: 'ann', deskId: 'desk-1', at: iso(T0) }]);
    const back = applyEvent(byAnn, 'hold', { now: new Date(T0 + 1000), store });
    const byBob = applyEvent(back, 'call', {
      now: new Date(T0 + 2000),
      store,
      deskId: 'desk-2',
      staffId: 'bob',
    });
    expect(byBob.staffCalls?.map((s) => s.staffId)).toEqual(['ann', 'bob']);
    const nobody = applyEvent(waiting, 'call', { now: new Date(T0), store, deskId: 'desk-1' });
    expect(nobody.staffCalls).toBeUndefined();
    expect(CustomerSchema.parse(byBob)).toEqual(byBob);
  });

  it('rows written before these fields parse with their defaults', () => {
    const { staffCalls: _s, partner: _p, ...old } = makeCustomer('c-2');
    expect(CustomerSchema.parse(old).staffCalls).toBeUndefined();
    const device = DeviceSchema.parse({
      id: 'desk-1',
      organizationId: 'org',
      storeId: 'store-1',
      name: 'Desk 1',
      hostname: 'desk-1',
      mac: '02:00:00:00:00:02',
      role: 'desk',
    });
    expect(device.agent).toBeNull();
  });
});
