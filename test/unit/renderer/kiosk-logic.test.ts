// The kiosk's pure rules: which contact modes a store offers, what it accepts, the phone
// number's country code, the order of the service tree, readable store colours.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreSchema, ServiceSchema } from '../../../shared/domain/entities.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { contactModes, validateContact } from '../../../renderer/kiosk/contact.js';
import { withCountryCode } from '../../../renderer/kiosk/phone.js';
import { servicesAt } from '../../../renderer/kiosk/services.js';
import { brandStyle, contrastRatio, templateClass } from '../../../renderer/common/brand.js';

const store = StoreSchema.parse({
  id: 's',
  organizationId: 'o',
  name: 'S',
  langs: ['EN'],
  timeZone: 'Europe/Paris',
});

describe('contact step', () => {
  it('offers only what the store allows, and always a plain ticket', () => {
    expect(contactModes(store)).toEqual(['name', 'anonymous']);
    expect(contactModes(demoStore.store)).toEqual(['name', 'phone', 'email', 'pager', 'anonymous']);
  });

  it('refuses bad input with the message to show and accepts good input', () => {
    expect(validateContact('name', '   ', store)).toEqual({
      ok: false,
      error: 'kiosk.invalidName',
    });
    expect(validateContact('email', 'not-an-email', store)).toEqual({
      ok: false,
      error: 'kiosk.invalidEmail',
    });
    expect(validateContact('phone', '12', store)).toEqual({
      ok: false,
      error: 'kiosk.invalidPhone',
    });
    expect(validateContact('pager', '0', store)).toEqual({
      ok: false,
      error: 'kiosk.invalidPager',
    });
    expect(validateContact('name', ' Ada Lovelace ', store)).toEqual({
      ok: true,
      choice: { mode: 'name', contact: { name: 'Ada Lovelace' }, pager: null },
    });
    expect(validateContact('pager', '12', store)).toEqual({
      ok: true,
      choice: { mode: 'pager', contact: {}, pager: 12 },
    });
  });

  it("puts the store's calling code in front of a national number only", () => {
    expect(withCountryCode('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(withCountryCode('070-123 45 67', 'SE')).toBe('+46701234567');
    expect(withCountryCode('+44 20 7946 0000', 'FR')).toBe('+442079460000');
    expect(withCountryCode('0044 20 7946 0000', 'FR')).toBe('+442079460000');
  });
});

describe('service tree', () => {
  const snapshot = {
    position: { epoch: 'e', seq: 0 },
    organization: demoStore.organization,
    store: demoStore.store,
    services: demoStore.services,
    devices: demoStore.devices,
    customers: [],
    blocks: [],
  };

  it('lists roots then children in machine order', () => {
    expect(servicesAt(snapshot, [], 'demo-kiosk').map((s) => s.id)).toEqual([
      'demo-sales',
      'demo-support',
      'demo-priority',
    ]);
    expect(servicesAt(snapshot, ['demo-support'], 'demo-kiosk').map((s) => s.id)).toEqual([
      'demo-repair',
      'demo-appointment',
    ]);
  });

  it('hides a service reserved to other machines', () => {
    const only = ServiceSchema.parse({ ...demoStore.services[2], machineIds: ['other-kiosk'] });
    const services = demoStore.services.map((s) => (s.id === only.id ? only : s));
    expect(
      servicesAt({ ...snapshot, services }, ['demo-sales'], 'demo-kiosk').map((s) => s.id),
    ).toEqual(['demo-new-phone']);
  });
});

describe('store colours', () => {
  const hex = fc
    .tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
    )
    .map(([r, g, b]) =>
      `#${[r, g, b].map((n) => n.toString(16).padStart(2, '0')).join('')}`.toUpperCase(),
    );

  it('always writes on the brand colour in a colour that reads (WCAG AA)', () => {
    fc.assert(
      fc.property(hex, hex, (one, two) => {
        const style = brandStyle({ id: 'o', name: 'O', logo: '', colorOne: one, colorTwo: two });
        expect(contrastRatio(one, style['--on-brand'] as string)).toBeGreaterThanOrEqual(4.5);
        expect(contrastRatio('#F4F6F9', style['--brand-text'] as string)).toBeGreaterThanOrEqual(
          4.5,
        );
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('turns css_template into a safe class name', () => {
    expect(templateClass('dark')).toBe('template-dark');
    expect(templateClass('x" onclick="y')).toBe('template-xonclicky');
    expect(templateClass('')).toBe('template-default');
  });
});
