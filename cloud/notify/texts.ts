// What a customer reads: the store's SMS/email texts (FileVirtuelle placeholders such as
// `{customer.ticket}` and `{customer.mt_str}`) and the Lineberty `content` per action.
import type { Customer, LocalizedText, Store } from '../../shared/domain/entities.js';
import { pickText } from '../../shared/i18n/index.js';
import type { LinebertyAction } from '../../shared/adapters/lineberty.js';

/** The appointment time as the store's clock shows it (HH:MM), '' without an appointment. */
export function appointmentTimeText(c: Customer, store: Pick<Store, 'timeZone'>): string {
  if (c.appointment === null) return '';
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: store.timeZone,
  }).format(new Date(c.appointment.at));
}

/** The `{customer.<field>}` placeholders a text may use. */
export function placeholders(c: Customer, store: Store): Record<string, string> {
  return {
    'customer.ticket': c.ticket,
    'customer.mt_str': appointmentTimeText(c, store),
    'customer.name': c.contact.name ?? '',
    'customer.title': c.contact.title ?? '',
    'customer.pbc': String(c.peopleBefore),
    'customer.lang': c.lang,
    'suborganization.name': store.name,
  };
}

/** Fills `{customer.ticket}`-style placeholders; unknown ones stay visible. */
export function render(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{([\w.]+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** The text of `texts` in the customer's language (store langs as fallbacks), rendered. */
export function storeText(texts: LocalizedText, c: Customer, store: Store): string {
  const template = pickText(texts, c.lang, store.langs);
  return template === '' ? '' : render(template, placeholders(c, store));
}

type Catalog = Record<
  | 'BOOKED'
  | 'ALERTED'
  | 'CALLED'
  | 'ONHOLD'
  | 'NOSHOW'
  | 'INPROGRESS'
  | 'CANCELED'
  | 'DONE'
  | 'REMIND',
  string
>;

/** Built-in Lineberty contents when the store has no text of its own for the action. */
const CONTENTS: Record<string, Catalog> = {
  EN: {
    BOOKED: 'Welcome! You have taken ticket {customer.ticket}.',
    ALERTED: 'Your turn is near (ticket {customer.ticket}): please come back now.',
    CALLED: 'It is now your turn, ticket {customer.ticket}.',
    ONHOLD: 'You did not show up: ticket {customer.ticket} is on hold.',
    NOSHOW: 'You did not show up: ticket {customer.ticket} is no longer valid.',
    INPROGRESS: 'Ticket {customer.ticket} is being served.',
    CANCELED: 'Ticket {customer.ticket} was cancelled.',
    DONE: 'Thank you for your visit (ticket {customer.ticket}).',
    REMIND: 'Reminder: your appointment is at {customer.mt_str} (ticket {customer.ticket}).',
  },
  FR: {
    BOOKED: 'Bienvenue ! Vous avez le ticket {customer.ticket}.',
    ALERTED: "C'est bientôt votre tour (ticket {customer.ticket}) : revenez maintenant.",
    CALLED: "C'est votre tour, ticket {customer.ticket}.",
    ONHOLD: 'Vous ne vous êtes pas présenté : le ticket {customer.ticket} est en attente.',
    NOSHOW: "Vous ne vous êtes pas présenté : le ticket {customer.ticket} n'est plus valable.",
    INPROGRESS: 'Le ticket {customer.ticket} est en cours de traitement.',
    CANCELED: 'Le ticket {customer.ticket} a été annulé.',
    DONE: 'Merci de votre visite (ticket {customer.ticket}).',
    REMIND: 'Rappel : votre rendez-vous est à {customer.mt_str} (ticket {customer.ticket}).',
  },
  SV: {
    BOOKED: 'Välkommen! Du har nummer {customer.ticket}.',
    ALERTED: 'Snart din tur (nummer {customer.ticket}): kom tillbaka nu.',
    CALLED: 'Nu är det din tur, nummer {customer.ticket}.',
    ONHOLD: 'Du kom inte: nummer {customer.ticket} väntar.',
    NOSHOW: 'Du kom inte: nummer {customer.ticket} gäller inte längre.',
    INPROGRESS: 'Nummer {customer.ticket} betjänas.',
    CANCELED: 'Nummer {customer.ticket} är avbokat.',
    DONE: 'Tack för besöket (nummer {customer.ticket}).',
    REMIND: 'Påminnelse: din tid är {customer.mt_str} (nummer {customer.ticket}).',
  },
  AR: {
    BOOKED: 'مرحبًا! رقم تذكرتك {customer.ticket}.',
    ALERTED: 'اقترب دورك (التذكرة {customer.ticket}): يرجى العودة الآن.',
    CALLED: 'حان دورك الآن، التذكرة {customer.ticket}.',
    ONHOLD: 'لم تحضر: التذكرة {customer.ticket} معلقة.',
    NOSHOW: 'لم تحضر: التذكرة {customer.ticket} لم تعد صالحة.',
    INPROGRESS: 'تتم خدمة التذكرة {customer.ticket}.',
    CANCELED: 'تم إلغاء التذكرة {customer.ticket}.',
    DONE: 'شكرًا لزيارتك (التذكرة {customer.ticket}).',
    REMIND: 'تذكير: موعدك في {customer.mt_str} (التذكرة {customer.ticket}).',
  },
};

/** The Lineberty `content` for `action` in the customer's language (English when unknown). */
export function linebertyContent(action: LinebertyAction, c: Customer, store: Store): string {
  const catalog = CONTENTS[c.lang.toUpperCase()] ?? CONTENTS.EN;
  const key = (
    action.startsWith('TICKET_REMIND_') ? 'REMIND' : action.slice('TICKET_'.length)
  ) as keyof Catalog;
  const template = catalog?.[key] ?? CONTENTS.EN?.[key] ?? '';
  return render(template, placeholders(c, store));
}
