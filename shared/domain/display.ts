// What screens and desks show of a customer. Screens never show a phone number or an email,
// whatever the rule and whatever was typed in the name field.
import type { Customer, DisplayRule } from './entities.js';

type Shown = Pick<Customer, 'ticket' | 'contact'>;

/** A name field that holds an email or a phone number is not shown on a screen. */
function looksLikeContact(text: string): boolean {
  return text.includes('@') || (text.match(/\d/g)?.length ?? 0) >= 4;
}

function words(name: string | undefined): string[] {
  return (name ?? '').trim().split(/\s+/).filter(Boolean);
}

/**
 * The name part a screen shows next to the ticket, or null when the screen shows the ticket
 * only: `first-name` → "John", `masked-name` → "John S.".
 */
export function screenDisplay(customer: Shown, rule: DisplayRule): string | null {
  const name = customer.contact.name;
  if (rule.screen === 'ticket' || name === undefined || looksLikeContact(name)) return null;
  const [first, ...rest] = words(name);
  if (first === undefined) return null;
  if (rule.screen === 'first-name') return first;
  const initials = rest.map((w) => `${[...w][0]?.toUpperCase() ?? ''}.`).join(' ');
  return initials === '' ? first : `${first} ${initials}`;
}

/** What a desk shows: the name as the rule allows, else the ticket. */
export function deskDisplay(customer: Shown, rule: DisplayRule): string {
  const name = words(customer.contact.name);
  const first = name[0];
  if (rule.desk === 'ticket' || first === undefined) return customer.ticket;
  if (rule.desk === 'first-name') return first;
  const title = customer.contact.title?.trim();
  return [title, ...name].filter((w) => w !== undefined && w !== '').join(' ');
}
