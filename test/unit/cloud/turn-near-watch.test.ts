// Which committed changes make the hub look for turns that became near: not a ticket taken now
// (it joins behind, and its own turn was weighed at issue), but a ticket from an offline block
// issued earlier, and anything that moves the queue.
import { describe, expect, it } from 'vitest';
import { mayBringTurnsNear } from '../../../cloud/notify/turn-near.js';
import type { Customer } from '../../../shared/domain/entities.js';
import { ChangeSchema, type ChangeEvent } from '../../../shared/protocol/sync.js';
import { T0, iso, makeCustomer } from '../shared/fixtures.js';

const change = (event: ChangeEvent, customer: Customer, atMs = T0) =>
  ChangeSchema.parse({
    storeId: 'store-1',
    epoch: 'e1',
    seq: 1,
    at: iso(atMs),
    origin: 'kiosk-1',
    commandId: null,
    event,
    entity: { kind: 'customer', customer },
  });

describe('turn-near watch', () => {
  const now = makeCustomer('c1', { sortAt: iso(T0) });
  it('skips a ticket taken now, the alert itself and a hand-out', () => {
    expect(mayBringTurnsNear(change('registered', now))).toBe(false);
    expect(mayBringTurnsNear(change('alerted', now))).toBe(false);
    expect(mayBringTurnsNear(change('handed_out', now))).toBe(false);
  });
  it('checks a ticket issued earlier from a block, and every move of the queue', () => {
    const offline = makeCustomer('c2', { sortAt: iso(T0 - 20 * 60_000) });
    expect(mayBringTurnsNear(change('registered', offline))).toBe(true);
    for (const event of ['called', 'cancelled', 'postponed', 'customer_updated'] as const) {
      expect(mayBringTurnsNear(change(event, now))).toBe(true);
    }
  });
});
