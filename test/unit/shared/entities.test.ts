import { describe, expect, it } from 'vitest';
import { DeviceSchema, StoreSchema } from '../../../shared/domain/entities.js';

describe('entity schemas', () => {
  it('fills a store with the documented FileVirtuelle defaults (ptc 2, ttc 10)', () => {
    const store = StoreSchema.parse({
      id: 's1',
      organizationId: 'o1',
      name: 'Store',
      langs: ['EN'],
      timeZone: 'Europe/Paris',
    });
    expect(store.turnNearPeople).toBe(2);
    expect(store.turnNearMinutes).toBe(10);
    expect(store.callByPeople).toBe(true);
  });

  it('normalises a MAC address and rejects one that is not', () => {
    const base = {
      id: 'd',
      organizationId: 'o',
      storeId: 's',
      name: 'Desk',
      hostname: 'h',
      role: 'desk',
    };
    expect(DeviceSchema.parse({ ...base, mac: 'ac-af-b9-37-cb-46' }).mac).toBe('AC:AF:B9:37:CB:46');
    expect(DeviceSchema.safeParse({ ...base, mac: 'not-a-mac' }).success).toBe(false);
  });
});
