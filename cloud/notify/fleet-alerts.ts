// Fleet alerts by email: when a device goes quiet or runs out of paper, and when it is back, the
// store's technicians and store managers get an email (through the outbox: retried, sent once;
// what one look at the store raised is one mail). A node raises an alert only by changing the device's row in fleet_alert_state, under
// the store's lock, in the transaction that queues the mails: several hub nodes looking at the
// same fleet, or a node that restarts, alert once per change.
import { z } from 'zod';
import type { Store } from '../../shared/domain/entities.js';
import type { FleetResponse } from '../../shared/protocol/console.js';
import { fleetTransitions, type FleetAlert, type FleetFlags } from '../console/fleet.js';
import type { HubData, HubRepo, OutboxEntry } from '../db/hub-repo.js';
import { listStaff, type StaffRole } from '../staff/staff.js';
import { smtpSettings } from './settings.js';

/** Who is mailed about a store's devices (owners and admins see every store: not mailed). */
export const FLEET_ALERT_ROLES: readonly StaffRole[] = ['technician', 'store_manager'];

const FleetAlertStateSchema = z.object({
  quiet: z.boolean(),
  outOfPaper: z.boolean(),
  quietTold: z.boolean().optional(),
  /** When these flags were recorded. */
  at: z.string(),
});

async function alertedFlags(repo: HubData, storeId: string): Promise<Map<string, FleetFlags>> {
  const flags = new Map<string, FleetFlags>();
  for (const { deviceId, state } of await repo.fleetAlertStates(storeId)) {
    const parsed = FleetAlertStateSchema.safeParse(state);
    // A row it cannot read is recorded again, as a first sighting.
    if (parsed.success) flags.set(deviceId, parsed.data);
  }
  return flags;
}

/** Whether `fleet` differs from what was recorded (a device's flags, or a device not seen yet). */
function differs(recorded: ReadonlyMap<string, FleetFlags>, fleet: FleetResponse): boolean {
  return fleet.devices.some((line) => {
    const was = recorded.get(line.device.id);
    return (
      was === undefined ||
      was.quiet !== line.flags.quiet ||
      was.outOfPaper !== line.flags.outOfPaper
    );
  });
}

/**
 * Records `fleet`'s flags and queues a mail per alert and recipient (when an SMTP server is
 * configured). Reads first without a write transaction: most looks change nothing.
 */
export async function raiseFleetAlerts(
  repo: HubRepo,
  fleet: FleetResponse,
  now: Date,
): Promise<{ alerts: FleetAlert[]; queued: number }> {
  if (!differs(await alertedFlags(repo, fleet.storeId), fleet)) return { alerts: [], queued: 0 };
  return repo.transaction({ storeIds: [fleet.storeId] }, async (tx) => {
    // Read again under the store's lock: another node may have recorded this change meanwhile.
    const recorded = await alertedFlags(tx, fleet.storeId);
    const alerts = fleetTransitions(recorded, fleet);
    for (const line of fleet.devices) {
      const was = recorded.get(line.device.id);
      const { quiet, outOfPaper } = line.flags;
      if (was?.quiet === quiet && was.outOfPaper === outOfPaper) continue;
      // Quiet since the first look: recorded, not told (see fleetTransitions).
      const quietTold = quiet && (was === undefined ? false : was.quiet ? was.quietTold : true);
      await tx.putFleetAlertState(line.device.id, fleet.storeId, {
        quiet,
        outOfPaper,
        ...(quietTold === undefined ? {} : { quietTold }),
        at: fleet.generatedAt,
      });
    }
    const store = await tx.store(fleet.storeId);
    if (alerts.length === 0 || store === null || (await smtpSettings(tx)) === null) {
      return { alerts, queued: 0 };
    }
    const recipients = (await listStaff(tx)).filter(
      (staff) => FLEET_ALERT_ROLES.includes(staff.role) && staff.stores.includes(store.id),
    );
    // One mail per recipient and look: a power cut that silences the whole store is one mail.
    const { subject, text } = fleetAlertMail(alerts, store);
    const mails = recipients.map((staff): OutboxEntry => ({
      id: `fleet:${store.id}:${fleet.generatedAt}:${staff.id}`,
      storeId: store.id,
      // The outbox sends one subject's messages in order: the store's fleet (back after quiet).
      customerId: `fleet:${store.id}`,
      channel: 'email',
      endpoint: staff.email,
      notBeforeMs: now.getTime(),
      message: { kind: 'email', to: staff.email, subject, text, apiKey: null },
    }));
    const queued = mails.length === 0 ? 0 : await tx.enqueueOutbox(mails, now.getTime());
    return { alerts, queued };
  });
}

const ALERT_WORDS: Record<FleetAlert['kind'], string> = {
  paper_out: 'out of paper',
  paper_back: 'paper back in',
  device_quiet: 'not heard from',
  device_back: 'back online',
};

/**
 * The mail of the alerts one look raised in a store, in English (the console's language), times
 * in the store's zone: one alert names its device in the subject, several are counted there.
 */
export function fleetAlertMail(
  alerts: readonly FleetAlert[],
  store: Store,
): { subject: string; text: string } {
  const when = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: store.timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }).format(new Date(iso));
  const sentence = (alert: FleetAlert): string => {
    const { device } = alert.line;
    const role = { machine: 'ticket machine', desk: 'desk', screen: 'screen' }[device.role];
    const who = `${device.name} (${role} ${device.hostname})`;
    switch (alert.kind) {
      case 'paper_out':
        return `${who} reports that its printer is out of paper: no ticket can be printed until the roll is replaced.`;
      case 'paper_back':
        return `${who} has paper again and prints tickets.`;
      case 'device_quiet': {
        const since =
          alert.line.lastSeen === null ? 'it was provisioned' : when(alert.line.lastSeen);
        return `${who} has not been heard from since ${since}. Check that it is powered on and connected to the network.`;
      }
      case 'device_back':
        return `${who} is connected to the hub again.`;
    }
  };
  const [first] = alerts;
  const kinds = new Set(alerts.map((a) => a.kind));
  const subject =
    alerts.length === 1 && first !== undefined
      ? `${first.line.device.name} at ${store.name}: ${ALERT_WORDS[first.kind]}`
      : kinds.size === 1 && first !== undefined
        ? `${alerts.length} devices at ${store.name}: ${ALERT_WORDS[first.kind]}`
        : `${alerts.length} device alerts at ${store.name}`;
  const at = first === undefined ? '' : `Seen by the hub at ${when(first.at)}. `;
  return {
    subject,
    text:
      `At ${store.name}:\n\n${alerts.map((a) => `- ${sentence(a)}`).join('\n')}\n\n` +
      `${at}The console's Fleet page shows every device of the store.\n`,
  };
}
