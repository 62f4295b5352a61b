// Builders for domain entities: valid by construction (parsed by the real schemas).
import {
  CustomerSchema,
  DeviceSchema,
  ServiceSchema,
  StoreSchema,
  type Customer,
  type Device,
  type Service,
  type Store,
} from '../../../shared/domain/entities.js';

export function makeStore(over: Partial<Store> = {}): Store {
  return StoreSchema.parse({
    id: 'store-1',
    organizationId: 'org-1',
    name: 'Store',
    langs: ['EN', 'FR'],
    timeZone: 'Europe/Paris',
    ...over,
  });
}

export function makeService(id: string, over: Partial<Service> = {}): Service {
  return ServiceSchema.parse({ id, storeId: 'store-1', name: { EN: id }, ...over });
}

let macSeq = 0;
export function makeDesk(id: string, status: Partial<Device['status']> = {}): Device {
  macSeq = (macSeq + 1) % 250;
  return DeviceSchema.parse({
    id,
    organizationId: 'org-1',
    storeId: 'store-1',
    name: id,
    hostname: id,
    mac: `02:00:00:00:00:${macSeq.toString(16).padStart(2, '0')}`,
    role: 'desk',
    status,
  });
}

export const T0 = Date.parse('2025-03-10T09:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString();

export function makeCustomer(id: string, over: Partial<Customer> = {}): Customer {
  const seq = over.arrivalSeq ?? 1;
  return CustomerSchema.parse({
    id,
    storeId: 'store-1',
    serviceId: 'svc-a',
    servicePath: [over.serviceId ?? 'svc-a'],
    machineId: null,
    lang: 'EN',
    registeredBy: 'kiosk',
    contactMode: 'anonymous',
    state: 'waiting',
    ticketPrefix: 'A',
    ticketNumber: seq + 1,
    ticketDay: '2025-03-10',
    ticket: `A${seq + 1}`,
    registeredAt: iso(T0),
    sortAt: iso(T0 + seq * 1000),
    arrivalSeq: seq,
    updatedAt: iso(T0),
    ...over,
  });
}
