// The demo store, as pure data: the hub's `seed demo` writes it, the demo launcher reads its
// MACs and hostnames to start appliances that provision as these devices.
import {
  DeviceSchema,
  OrganizationSchema,
  ServiceSchema,
  StoreSchema,
  type Device,
  type Organization,
  type Service,
  type Store,
} from '../domain/entities.js';

export const DEMO_ORGANIZATION_ID = 'demo-org';
export const DEMO_STORE_ID = 'demo-store';

export interface DemoStore {
  organization: Organization;
  store: Store;
  services: Service[];
  devices: Device[];
}

const organization = OrganizationSchema.parse({
  id: DEMO_ORGANIZATION_ID,
  name: 'Lineup Demo',
  colorOne: '#1F3A5F',
  colorTwo: '#FFFFFF',
});

const DEMO_TEXTS = {
  go: {
    EN: 'Lineup Demo Store: your ticket is {customer.ticket}. Please stay nearby.',
    FR: 'Lineup Demo Store : votre ticket est {customer.ticket}. Restez à proximité.',
  },
  wait: {
    EN: 'Lineup Demo Store: your ticket is {customer.ticket}. We will text you when your turn is near.',
    FR: 'Lineup Demo Store : votre ticket est {customer.ticket}. Nous vous préviendrons quand votre tour approche.',
  },
  comeback: {
    EN: 'Lineup Demo Store: ticket {customer.ticket}, your turn is near. Please come back now.',
    FR: 'Lineup Demo Store : ticket {customer.ticket}, votre tour approche. Revenez maintenant.',
  },
  screen: {
    EN: 'Lineup Demo Store: ticket {customer.ticket}, it is your turn.',
    FR: "Lineup Demo Store : ticket {customer.ticket}, c'est votre tour.",
  },
};

const store = StoreSchema.parse({
  id: DEMO_STORE_ID,
  organizationId: DEMO_ORGANIZATION_ID,
  name: 'Lineup Demo Store',
  storeCode: 'DEMO-001',
  langs: ['EN', 'FR', 'SV', 'AR'],
  timeZone: 'Europe/Paris',
  // What customers who leave a number or an address receive (see the demo's message viewer).
  sms: { enabled: true, defaultCountry: 'FR', texts: DEMO_TEXTS },
  email: {
    enabled: true,
    texts: DEMO_TEXTS,
    subjects: { go: { EN: 'Your ticket', FR: 'Votre ticket' } },
  },
  notifyOnCall: true,
  allowNameRegistration: true,
  pagers: { enabled: true, provider: 'jtech' },
  appointments: { enabled: true },
  display: { screen: 'masked-name', desk: 'full-name' },
  // A phone shop's visits are short: staff call, help, press Done (service counts from the call).
  finishFromCalled: true,
  location: {
    address: '12 rue de Rivoli',
    city: 'Paris',
    region: 'Île-de-France',
    country: 'France',
    latitude: 48.8556,
    longitude: 2.3601,
    // No fixed hours: the demo store is open whenever a desk is.
    workingHours: [],
  },
  // Customers may join from their phone (the hub's /q/demo-store page and the Bloom API).
  phoneQueue: { enabled: true, allowMultiTicket: false },
});

const device = (
  id: string,
  name: string,
  mac: string,
  hostname: string,
  role: Device['role'],
): Device =>
  DeviceSchema.parse({
    id,
    organizationId: DEMO_ORGANIZATION_ID,
    storeId: DEMO_STORE_ID,
    name,
    hostname,
    mac,
    role,
    htmlName: { EN: name },
  });

const devices: Device[] = [
  device('demo-kiosk', 'Kiosk', '02:00:00:00:00:01', 'lineup-kiosk-1', 'machine'),
  device('demo-desk-1', 'Desk 1', '02:00:00:00:00:02', 'lineup-desk-1', 'desk'),
  device('demo-desk-2', 'Desk 2', '02:00:00:00:00:03', 'lineup-desk-2', 'desk'),
  device('demo-screen', 'Screen', '02:00:00:00:00:04', 'lineup-screen-1', 'screen'),
];

const service = (fields: Partial<Service> & Pick<Service, 'id' | 'name'>): Service =>
  ServiceSchema.parse({ storeId: DEMO_STORE_ID, ...fields });

const services: Service[] = [
  service({
    id: 'demo-sales',
    name: { EN: 'Sales', FR: 'Vente', SV: 'Försäljning', AR: 'المبيعات' },
    isRoot: true,
    isDefault: true,
    childIds: ['demo-new-phone', 'demo-accessories'],
    machineOrder: 1,
    deskOrder: 1,
    ticketPrefix: 'A',
  }),
  service({
    id: 'demo-new-phone',
    name: { EN: 'New phone', FR: 'Nouveau téléphone', SV: 'Ny telefon', AR: 'هاتف جديد' },
    deskIds: ['demo-desk-1'],
    serviceMinutes: 8,
    machineOrder: 1,
    deskOrder: 1,
    ticketPrefix: 'A',
  }),
  service({
    id: 'demo-accessories',
    name: { EN: 'Accessories', FR: 'Accessoires', SV: 'Tillbehör', AR: 'الإكسسوارات' },
    deskIds: ['demo-desk-1'],
    serviceMinutes: 4,
    machineOrder: 2,
    deskOrder: 2,
    ticketPrefix: 'B',
  }),
  service({
    id: 'demo-support',
    name: { EN: 'Support', FR: 'Assistance', SV: 'Support', AR: 'الدعم' },
    isRoot: true,
    childIds: ['demo-repair', 'demo-appointment'],
    machineOrder: 2,
    deskOrder: 2,
    ticketPrefix: 'C',
  }),
  service({
    id: 'demo-repair',
    name: { EN: 'Repair', FR: 'Réparation', SV: 'Reparation', AR: 'الإصلاح' },
    deskIds: ['demo-desk-2'],
    serviceMinutes: 10,
    machineOrder: 1,
    deskOrder: 3,
    ticketPrefix: 'C',
  }),
  service({
    id: 'demo-appointment',
    name: { EN: 'Appointment', FR: 'Rendez-vous', SV: 'Bokad tid', AR: 'موعد' },
    deskIds: ['demo-desk-2'],
    appointment: true,
    serviceMinutes: 15,
    machineOrder: 2,
    deskOrder: 4,
    ticketPrefix: 'D',
  }),
  service({
    id: 'demo-priority',
    name: {
      EN: 'Priority (reduced mobility)',
      FR: 'Prioritaire (mobilité réduite)',
      SV: 'Förtur (nedsatt rörlighet)',
      AR: 'أولوية (ذوو الحركة المحدودة)',
    },
    isRoot: true,
    prm: true,
    prioritize: true,
    deskIds: ['demo-desk-1', 'demo-desk-2'],
    serviceMinutes: 6,
    machineOrder: 3,
    deskOrder: 5,
    ticketPrefix: 'P',
  }),
];

/** The demo store's whole configuration, validated by the entity schemas. */
export const demoStore: DemoStore = { organization, store, services, devices };
