// What the wall screen shows, as one pure choice so the headline and the list always change
// together: a call waiting for its turn in the announcer is in neither (it appears on the big
// card when it is announced, then moves to the list), and the big card shows only a customer
// who is still called or being served (a no-show, done, cancelled or put-back one leaves it).
import type { CallAnnouncement } from '../../shared/api/appliance-api.js';
import { screenDisplay } from '../../shared/domain/display.js';
import type { Customer, DisplayRule } from '../../shared/domain/entities.js';

export interface ShownCall {
  key: string;
  customerId: string;
  ticket: string;
  deskName: string;
  display: string | null;
}

export interface NowCallingInput {
  customers: readonly Customer[];
  deskName: (deskId: string | null) => string;
  rule: DisplayRule;
  /** The announcement on the big card now (or the last one announced). */
  playing: CallAnnouncement | null;
  /** Customers whose (first) call is queued behind the one being announced. */
  queuedCustomerIds: ReadonlySet<string>;
  limit: number;
}

function live(c: Customer): boolean {
  return c.state === 'called' || c.state === 'serving';
}

function shown(c: Customer, input: NowCallingInput): ShownCall {
  return {
    key: c.id,
    customerId: c.id,
    ticket: c.ticket,
    deskName: input.deskName(c.deskId),
    display: screenDisplay(c, input.rule),
  };
}

/** Still true: live, or not yet in the replica the screen has (the call event comes first). */
function playingStillTrue(call: CallAnnouncement, c: Customer | undefined): boolean {
  if (c === undefined || live(c)) return true;
  if (c.state === 'waiting' || c.state === 'booked')
    return Date.parse(c.updatedAt) < Date.parse(call.at);
  return false;
}

export function nowCalling(input: NowCallingInput): {
  banner: ShownCall | null;
  others: ShownCall[];
} {
  const byId = new Map(input.customers.map((c) => [c.id, c]));
  const calls = input.customers
    .filter(
      (c): c is Customer & { calledAt: string } =>
        c.calledAt !== null &&
        c.state !== 'waiting' &&
        c.state !== 'booked' &&
        !input.queuedCustomerIds.has(c.id),
    )
    .sort((a, b) => b.calledAt.localeCompare(a.calledAt));
  const playing = input.playing;
  const playingCustomer = playing === null ? undefined : byId.get(playing.customerId);
  let banner: ShownCall | null = null;
  if (playing !== null && playingStillTrue(playing, playingCustomer)) {
    banner =
      playingCustomer !== undefined && live(playingCustomer)
        ? { ...shown(playingCustomer, input), key: playing.key }
        : {
            key: playing.key,
            customerId: playing.customerId,
            ticket: playing.ticket,
            deskName: playing.deskName,
            display: playing.display,
          };
  } else {
    const latest = calls.find(live);
    banner = latest === undefined ? null : shown(latest, input);
  }
  const others = calls
    .filter((c) => c.id !== banner?.customerId)
    .slice(0, input.limit)
    .map((c) => shown(c, input));
  return { banner, others };
}
