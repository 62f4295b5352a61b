// What the kiosk accepts as contact details, as the store allows, checked with the shared
// contact schema so the kiosk accepts exactly what the hub accepts.
import {
  ContactSchema,
  type Contact,
  type ContactMode,
  type Store,
} from '../../shared/domain/entities.js';
import type { UiKey } from '../i18n/index.js';
import { withCountryCode } from './phone.js';

export interface ContactChoice {
  mode: ContactMode;
  contact: Contact;
  pager: number | null;
}

export function contactModes(store: Store): ContactMode[] {
  const modes: ContactMode[] = [];
  if (store.allowNameRegistration) modes.push('name');
  if (store.sms.enabled) modes.push('phone');
  if (store.email.enabled) modes.push('email');
  if (store.pagers.enabled) modes.push('pager');
  modes.push('anonymous');
  return modes;
}

/** The choice to send, or the catalog key of what is wrong with the field. */
export function validateContact(
  mode: ContactMode,
  value: string,
  store: Store,
): { ok: true; choice: ContactChoice } | { ok: false; error: UiKey } {
  const v = value.trim();
  switch (mode) {
    case 'anonymous':
      return { ok: true, choice: { mode, contact: {}, pager: null } };
    case 'name': {
      const r = ContactSchema.shape.name.safeParse(v);
      return r.success && v !== ''
        ? { ok: true, choice: { mode, contact: { name: v }, pager: null } }
        : { ok: false, error: 'kiosk.invalidName' };
    }
    case 'phone': {
      const phone = withCountryCode(v, store.sms.defaultCountry);
      const digits = phone.replace(/\D/g, '').length;
      const r = ContactSchema.shape.phone.safeParse(phone);
      return r.success && digits >= 8
        ? { ok: true, choice: { mode, contact: { phone }, pager: null } }
        : { ok: false, error: 'kiosk.invalidPhone' };
    }
    case 'email': {
      const r = ContactSchema.shape.email.safeParse(v);
      return r.success && v !== ''
        ? { ok: true, choice: { mode, contact: { email: v }, pager: null } }
        : { ok: false, error: 'kiosk.invalidEmail' };
    }
    case 'pager': {
      const n = /^\d{1,5}$/.test(v) ? Number(v) : Number.NaN;
      return Number.isInteger(n) && n >= 1
        ? { ok: true, choice: { mode, contact: {}, pager: n } }
        : { ok: false, error: 'kiosk.invalidPager' };
    }
  }
}
