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
  toAgentInfo,
} from '../../../shared/adapters/agent.js';
import { T0, iso, makeCustomer, makeService, makeStore } from './fixtures.js';

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
  const agent = { staffId: 'staff-1', deskId: 'desk-1' };
  it('maps online/offline to desk status and an agent to agent info in unix seconds', () => {
    expect(agentStatusToDeskChange('online')).toBe('open');
    expect(agentStatusToDeskChange('offline')).toBe('close');
    const info = toAgentInfo(
      { id: 'staff-1', name: 'Ann', lastLoginAt: iso(T0 - 60_000), statusSince: iso(T0) },
      new Date(T0 + 90_000),
    );
    expect(info).toEqual({
      id: 'staff-1',
      name: 'Ann',
      lastLoginTime: (T0 - 60_000) / 1000,
      updatedAt: T0 / 1000,
      agentTimeInStatus: 90,
    });
  });

  it("lists the agent's tickets in call order, with their status", () => {
    const call = (staffId: string, deskId = 'desk-1') => [{ staffId, deskId, at: iso(T0) }];
    const customers = [
      makeCustomer('held', {
        state: 'called',
        deskId: 'desk-1',
        calledAt: iso(T0),
        contact: { name: 'Hugo Dan' },
        staffCalls: call('staff-1'),
      }),
      makeCustomer('sent', { state: 'waiting', deskId: 'desk-1', prioritized: true }),
      makeCustomer('other', { state: 'called', deskId: 'desk-2', staffCalls: call('staff-2') }),
      makeCustomer('queue', { state: 'waiting' }),
      makeCustomer('gone', { state: 'done', deskId: 'desk-1', staffCalls: call('staff-1') }),
      makeCustomer('moved', { state: 'waiting', deskId: null, staffCalls: call('staff-1') }),
      makeCustomer('taken', {
        state: 'called',
        deskId: 'desk-2',
        staffCalls: [...call('staff-1'), ...call('staff-2', 'desk-2')],
      }),
    ];
    const tickets = agentTickets(agent, customers, [], () => 'english');
    expect(tickets.map((t) => [t.id, t.ticketStatus, t.priority])).toEqual([
      ['sent', 'ASSIGNED', 1],
      ['gone', 'CLOSED', 2],
      ['held', 'ASSIGNED', 3],
      ['moved', 'ESCALATED', 4],
      ['taken', 'ESCALATED', 5],
    ]);
    expect(AgentTicketSchema.parse(tickets[2])).toMatchObject({
      assignedTime: T0 / 1000,
      queue: 'english',
      customer: { id: 'held', firstName: 'Hugo', lastName: 'Dan' },
    });
  });
});
