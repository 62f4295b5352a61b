// What the confirmation tells a customer about waiting. "We will tell you when your turn is near"
// is a promise only a text, an email or a pager can keep: a customer who took just a ticket (or
// gave only a name) is told to watch the screen instead.
import type { Customer } from '../../shared/domain/entities.js';
import type { UiKey } from '../i18n/index.js';

export function waitAdvice(customer: Pick<Customer, 'mustWait' | 'contactMode'>): UiKey {
  if (!customer.mustWait) return 'kiosk.stayNearby';
  const reachable = ['phone', 'email', 'pager'].includes(customer.contactMode);
  return reachable ? 'kiosk.comeBackLater' : 'kiosk.watchScreen';
}
