import { describe, expect, it } from 'vitest';
import {
  BLOOM_NOTIFICATION_TEXTS,
  BloomCreateTicketRequestSchema,
  BloomTicketSchema,
  bloomLocationService,
  bloomTicketNumber,
  customerToBloom,
  renderBloomTemplate,
} from '../../../shared/adapters/bloom.js';
import {
  AgentTicketSchema,
  agentStatusToDeskChange,
  agentTickets,
  customerToAgentTicket,
  deskToAgentInfo,
} from '../../../shared/adapters/agent.js';
import { T0, iso, makeCustomer, makeDesk, makeService, makeStore } from './fixtures.js';

describe('Bloom virtual tickets', () => {
  const store = makeStore({ timeZone: 'Europe/Lisbon', name: 'Location Teste' });
  const service = makeService('svc-a', { name: { EN: 'Service A' }, ticketPrefix: 'A' });

  it('shows a customer as a Bloom ticket: "A 006", local dates, wait as hours and minutes', () => {
    const c = makeCustomer('c-6', {
      ticketPrefix: 'A',
      ticketNumber: 6,
      ticket: 'A6',
      registeredAt: '2019-12-20T16:00:40.000Z',
      contact: { name: 'André Araújo' },
    });
    const t = customerToBloom(c, { store, service, lang: 'EN', peopleBefore: 3, waitMinutes: 75 });
    expect(BloomTicketSchema.parse(t)).toMatchObject({
      ticket_number: 'A 006',
      tag: 'A',
      number: 6,
      create_date: '2019-12-20 16:00:40',
      startcall_date: null,
      waiting_tickets: '3',
      hours: '01',
      minutes: '15',
      state: 0,
      description: 'Service A',
      customer: { display_name: 'André Araújo', phone: null, email: null },
      master: { name: 'Location Teste', timezone: 'Europe/Lisbon' },
    });
    expect(bloomTicketNumber('B', 1234)).toBe('B 1234');
  });

  it('lists a location service, reads create requests, renders notification texts', () => {
    expect(bloomLocationService(service, 'EN', [], 4, 5)).toEqual({
      id: 'svc-a',
      tag: 'A',
      description: 'Service A',
      waiting_tickets: '4',
      waiting_avg: '00:05',
      state: 0,
    });
    expect(
      BloomCreateTicketRequestSchema.safeParse({
        tickets: [{ master_id: 'dcbb6b02', service_id: '0bfe6b8e' }],
      }).success,
    ).toBe(true);
    expect(BloomCreateTicketRequestSchema.safeParse({ tickets: [] }).success).toBe(false);
    expect(
      renderBloomTemplate(BLOOM_NOTIFICATION_TEXTS.your_turn.message, {
        'ticket.tag': 'A',
        'ticket.number': 7,
        'ticket.desk.tag': '2',
      }),
    ).toBe('Your ticket A7 was just called. Please head to desk 2.');
  });
});

describe('agent API', () => {
  it('maps online/offline to desk status and a desk to agent info in unix seconds', () => {
    expect(agentStatusToDeskChange('online')).toBe('open');
    expect(agentStatusToDeskChange('offline')).toBe('close');
    const info = deskToAgentInfo(makeDesk('desk-1'), {
      now: new Date(T0 + 90_000),
      statusSince: iso(T0),
    });
    expect(info).toEqual({
      id: 'desk-1',
      name: 'desk-1',
      updatedAt: T0 / 1000,
      agentTimeInStatus: 90,
    });
  });

  it('lists the tickets a desk holds or was sent, with their status', () => {
    const customers = [
      makeCustomer('held', {
        state: 'called',
        deskId: 'desk-1',
        calledAt: iso(T0),
        contact: { name: 'Hugo Dan' },
      }),
      makeCustomer('sent', { state: 'waiting', deskId: 'desk-1', prioritized: true }),
      makeCustomer('other', { state: 'called', deskId: 'desk-2', calledAt: iso(T0) }),
      makeCustomer('queue', { state: 'waiting' }),
      makeCustomer('gone', { state: 'done', deskId: 'desk-1' }),
    ];
    const tickets = agentTickets('desk-1', customers, () => 'english');
    expect(tickets.map((t) => [t.id, t.ticketStatus, t.priority])).toEqual([
      ['held', 'ASSIGNED', 2],
      ['sent', 'ASSIGNED', 1],
    ]);
    expect(AgentTicketSchema.parse(tickets[0])).toMatchObject({
      assignedTime: T0 / 1000,
      queue: 'english',
      customer: { id: 'held', firstName: 'Hugo', lastName: 'Dan' },
    });
    const [gone, moved] = [customers[4], customers[2]];
    if (gone === undefined || moved === undefined) throw new Error('fixture');
    expect(customerToAgentTicket(gone, 'desk-1', { queueName: 'q' }).ticketStatus).toBe('CLOSED');
    expect(customerToAgentTicket(moved, 'desk-1', { queueName: 'q' }).ticketStatus).toBe(
      'ESCALATED',
    );
  });
});
