// A full ticket life seen by an independent partner receiver (written from the seeds), the SMS
// provider and an SMTP server, all real, against the real `lineup-hub serve` process.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../../shared/protocol/sync.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  send,
  startHubProcess,
  tempDataDir,
  type CommandInput,
  type HubProcess,
} from '../hub/harness.js';
import { createApiKey, fvCall, type ApiAccount } from '../../support/fv-api.js';
import { startReceiver, type Receiver } from './seed-receiver.js';
import { SECRET, TEXTS, cli, demoWebhook, fastDelivery, seedStoreWithTexts } from './setup.js';
import {
  startMailServer,
  startSmsProvider,
  type MailServer,
  type SmsProvider,
} from './stand-ins.js';

interface RegisteredCustomer {
  id: string;
  ticket: string;
}

async function ok(socket: Socket, command: CommandInput): Promise<CommandResult & { ok: true }> {
  const result = await send(socket, command);
  if (!result.ok) throw new Error(`refused: ${result.refusal.code} ${result.refusal.message}`);
  return result;
}

describe('notifications of a ticket life', () => {
  let dir: string;
  let hub: HubProcess;
  let receiver: Receiver;
  let sms: SmsProvider;
  let mail: MailServer;
  let kiosk: Socket;
  let desk: Socket;
  /** Desk 2 serves the repair queue. */
  let repairDesk: Socket;
  /** A partner's FileVirtuelle API key (it puts a called customer back in the queue). */
  let partner: ApiAccount;

  beforeAll(async () => {
    dir = tempDataDir();
    await seedStoreWithTexts(dir);
    // The first request of every third delivery fails: the hub must retry and not block.
    receiver = await startReceiver(SECRET, (n) => (n % 3 === 0 ? 'fail' : 'ok'));
    sms = await startSmsProvider();
    mail = await startMailServer();
    demoWebhook(dir, receiver.url);
    cli([
      'notify',
      'smtp',
      '--data',
      dir,
      '--url',
      mail.url,
      '--from',
      'Lineup Demo <store@lineup.test>',
    ]);
    cli([
      'notify',
      'sms',
      '--data',
      dir,
      '--provider',
      'twilio',
      '--account-sid',
      sms.sid,
      '--auth-token',
      sms.token,
      '--from',
      '+15005550006',
      '--base-url',
      sms.baseUrl,
    ]);
    fastDelivery(dir);
    // TICKET_REMIND_7 one minute before an appointment.
    cli(['notify', 'reminders', '--data', dir, '--set', '[{"id":7,"minutesBefore":1}]']);
    partner = createApiKey(dir, 'partner');
    hub = await startHubProcess(dir);
    kiosk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.kiosk));
    desk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk1));
    repairDesk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk2));
  });

  afterAll(async () => {
    kiosk.disconnect();
    desk.disconnect();
    repairDesk.disconnect();
    await hub.stop();
    await Promise.all([receiver.close(), sms.close(), mail.close()]);
    removeDir(dir);
  });

  const register = async (
    lang: string,
    contact: Record<string, string>,
    contactMode: 'name' | 'phone' | 'email' = 'name',
  ): Promise<RegisteredCustomer> => {
    const r = await ok(kiosk, {
      type: 'register',
      payload: { serviceId: 'demo-accessories', lang, contactMode, contact },
    });
    if (r.customer === null) throw new Error('no customer');
    return { id: r.customer.id, ticket: r.customer.ticket };
  };

  const subscribe = async (customerId: string, pushId: string): Promise<Response> =>
    fetch(`${hub.url}/lineberty/v2/tickets/${customerId}/subscription`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pushId }),
    });

  const actionsOf = (pushId: string): string[] =>
    receiver.applied.filter((m) => m.pushId === pushId).map((m) => m.action);

  it('subscribes a pushID as the seed says: 200 with nothing', async () => {
    const c = await register('EN', { name: 'Early' });
    const res = await subscribe(c.id, 'EARLY_PUSH_ID');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect((await subscribe('no-such-ticket', 'X')).status).toBe(404);
    expect((await subscribe(c.id, '')).status).toBe(400);
    await expect
      .poll(() => actionsOf('EARLY_PUSH_ID'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED']);
    await ok(desk, { type: 'call_customer', payload: { customerId: c.id } });
    await ok(desk, { type: 'finish', payload: { customerId: c.id } });
  });

  it('sends booked, alerted, called, in progress, done once each, signed, with SMS and email', async () => {
    // Three people ahead with ptc = 2: the customer is told to wait and is alerted later.
    const ahead = [
      await register('EN', { name: 'One' }),
      await register('EN', { name: 'Two' }),
      await register('EN', { name: 'Three' }),
    ];
    const x = await register(
      'FR',
      { name: 'Xavier', phone: '06 89 09 13 14', email: 'x@example.test' },
      'phone',
    );
    expect((await subscribe(x.id, 'USER_PUSH_ID')).status).toBe(200);
    await expect
      .poll(() => actionsOf('USER_PUSH_ID'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED']);

    // A desk serves the first one ahead: two are left before X, the turn is near.
    await ok(desk, { type: 'call_customer', payload: { customerId: ahead[0]?.id ?? '' } });
    await expect
      .poll(() => actionsOf('USER_PUSH_ID'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_ALERTED']);

    await ok(desk, { type: 'finish', payload: { customerId: ahead[0]?.id ?? '' } });
    await ok(desk, { type: 'call_customer', payload: { customerId: x.id } });
    await ok(desk, { type: 'start_serving', payload: { customerId: x.id } });
    await ok(desk, { type: 'finish', payload: { customerId: x.id } });
    await expect
      .poll(() => actionsOf('USER_PUSH_ID'), { timeout: 15_000 })
      .toEqual([
        'TICKET_BOOKED',
        'TICKET_ALERTED',
        'TICKET_CALLED',
        'TICKET_INPROGRESS',
        'TICKET_DONE',
      ]);

    const mine = receiver.applied.filter((m) => m.pushId === 'USER_PUSH_ID');
    expect(mine.map((m) => m.data.label)).toEqual(mine.map(() => x.ticket));
    expect(mine[0]?.content).toBe(`Bienvenue ! Vous avez le ticket ${x.ticket}.`);
    expect(mine.at(-1)?.data.status).toBe('done');
    expect(receiver.rejected).toEqual([]);

    // SMS: the store's FR texts, the number in E.164 with the store's country (FR).
    const fill = (t: string) => t.replace('{customer.ticket}', x.ticket);
    await expect
      .poll(() => sms.messages.filter((m) => m.to === '+33689091314').map((m) => m.body), {
        timeout: 15_000,
      })
      .toEqual([fill(TEXTS.wait.FR), fill(TEXTS.comeback.FR)]);
    expect(sms.messages.every((m) => m.from === '+15005550006')).toBe(true);
    expect(sms.refused).toEqual([]);

    // Email through the real SMTP server, the same texts with their subjects.
    await expect
      .poll(() => mail.mails.filter((m) => m.to.includes('x@example.test')).length, {
        timeout: 15_000,
      })
      .toBe(2);
    const raw = mail.mails.map((m) => m.raw).join('\n');
    expect(raw).toContain(`Subject: Votre ticket ${x.ticket}`);
    expect(raw).toContain('X-Lineup-Idempotency-Key:');

    for (const c of ahead.slice(1)) {
      await ok(desk, { type: 'call_customer', payload: { customerId: c.id } });
      await ok(desk, { type: 'finish', payload: { customerId: c.id } });
    }
  });

  it('sends the no-show and cancel branches', async () => {
    const y = await register('EN', { name: 'Yann' });
    const z = await register('SV', { name: 'Zoe' });
    expect((await subscribe(y.id, 'PUSH_Y')).status).toBe(200);
    expect((await subscribe(z.id, 'PUSH_Z')).status).toBe(200);
    await ok(desk, { type: 'call_customer', payload: { customerId: y.id } });
    await ok(desk, { type: 'no_show', payload: { customerId: y.id } });
    await ok(kiosk, { type: 'cancel', payload: { customerId: z.id } });
    await expect
      .poll(() => actionsOf('PUSH_Y'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_CALLED', 'TICKET_NOSHOW']);
    await expect
      .poll(() => actionsOf('PUSH_Z'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_CANCELED']);
    expect(
      receiver.applied.find((m) => m.pushId === 'PUSH_Z' && m.action === 'TICKET_CANCELED')
        ?.content,
    ).toBe(`Nummer ${z.ticket} är avbokat.`);
    expect(receiver.rejected).toEqual([]);
  });

  it('tells a call again after a hold (TICKET_ONHOLD) and after a transfer', async () => {
    const h = await register('EN', { name: 'Hanna' });
    const t = await register('EN', { name: 'Theo' });
    expect((await subscribe(h.id, 'PUSH_H')).status).toBe(200);
    expect((await subscribe(t.id, 'PUSH_T')).status).toBe(200);
    // A partner puts Hanna back in the queue after each call (FileVirtuelle: called false).
    for (let round = 0; round < 2; round++) {
      await ok(desk, { type: 'call_customer', payload: { customerId: h.id } });
      const put = await fvCall(hub.url, partner, 'PUT', '/customer', { _id: h.id, called: false });
      expect(put.status).toBe(200);
    }
    await ok(desk, { type: 'call_customer', payload: { customerId: h.id } });
    await ok(desk, { type: 'finish', payload: { customerId: h.id } });
    // Theo is sent on to the repair queue, where the repair desk calls him.
    await ok(desk, { type: 'call_customer', payload: { customerId: t.id } });
    await ok(desk, { type: 'transfer', payload: { customerId: t.id, toServiceId: 'demo-repair' } });
    await ok(repairDesk, { type: 'call_customer', payload: { customerId: t.id } });
    await expect
      .poll(() => actionsOf('PUSH_H'), { timeout: 15_000 })
      .toEqual([
        'TICKET_BOOKED',
        'TICKET_CALLED',
        'TICKET_ONHOLD',
        'TICKET_CALLED',
        'TICKET_ONHOLD',
        'TICKET_CALLED',
        'TICKET_DONE',
      ]);
    await expect
      .poll(() => actionsOf('PUSH_T'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_CALLED', 'TICKET_CALLED']);
    await ok(repairDesk, { type: 'finish', payload: { customerId: t.id } });
    expect(receiver.rejected).toEqual([]);
  });

  it('reminds a booked appointment (TICKET_REMIND_n), and not one cancelled before', async () => {
    // An appointment a minute and a few seconds away: its one-minute reminder is due in seconds.
    const at = new Date(Date.now() + 64_000).toISOString();
    const book = async (name: string) => {
      const r = await ok(kiosk, {
        type: 'register',
        payload: {
          serviceId: 'demo-appointment',
          lang: 'EN',
          contactMode: 'name',
          contact: { name },
          appointment: { at },
        },
      });
      if (r.customer === null) throw new Error('not booked');
      expect(r.customer.state).toBe('booked');
      return r.customer.id;
    };
    const kept = await book('Kim');
    const dropped = await book('Dana');
    expect((await subscribe(kept, 'PUSH_KIM')).status).toBe(200);
    expect((await subscribe(dropped, 'PUSH_DANA')).status).toBe(200);
    await ok(kiosk, { type: 'cancel', payload: { customerId: dropped } });
    await expect
      .poll(() => actionsOf('PUSH_KIM'), { timeout: 20_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_REMIND_7']);
    // Due at the same time as Kim's: skipped, the ticket is no longer booked.
    const skipped = () =>
      (
        JSON.parse(cli(['outbox', 'list', '--data', dir, '--status', 'skipped'])) as {
          id: string;
        }[]
      )
        .map((e) => e.id)
        .filter((id) => id.startsWith(dropped));
    await expect.poll(skipped, { timeout: 15_000 }).toEqual([`${dropped}.TICKET_REMIND_7.webhook`]);
    expect(actionsOf('PUSH_DANA')).toEqual(['TICKET_BOOKED', 'TICKET_CANCELED']);
    await ok(kiosk, { type: 'cancel', payload: { customerId: kept } });
    await expect
      .poll(() => actionsOf('PUSH_KIM'), { timeout: 15_000 })
      .toEqual(['TICKET_BOOKED', 'TICKET_REMIND_7', 'TICKET_CANCELED']);
  });

  it('shows every notification as sent in `lineup-hub outbox list`', async () => {
    await expect
      .poll(
        () =>
          (JSON.parse(cli(['outbox', 'list', '--data', dir, '--status', 'pending'])) as unknown[])
            .length,
        {
          timeout: 15_000,
        },
      )
      .toBe(0);
    const sent = JSON.parse(cli(['outbox', 'list', '--data', dir, '--status', 'sent'])) as {
      id: string;
    }[];
    expect(sent.length).toBe(receiver.applied.length + sms.messages.length + mail.mails.length);
  });
});
