// The Ombori seed's ticket example (ombori-queue-ticket-format.txt), made valid JSON: the seed's
// text has comments, unquoted keys and an unescaped QR string. Shared by the unit tests of the
// adapter and the seed-only client's integration test.
export const OMBORI_SEED_TICKET = {
  id: '_id_',
  location: null,
  type: 'booking',
  priority: 100,
  locale: 'en',
  notification: {
    type: 'phoneNumber',
    settings: { from: '', to: '+phoneNumber', recipient: 'test@email.com' },
  },
  registrationData: { phone: { value: '+48888888888' } },
  booking: {
    start: 'yyyy-MM-dd HH:mm',
    end: 'yyyy-MM-dd HH:mm',
    appointment: {
      displayName: 'Alexey Khorev',
      eventId: '****',
      managerEmail: 'manager@ombori.com',
      managerId: 'f31c6a56-........',
    },
    virtualAppointment: {
      eventId: 'AAMkADExYWZmYjI4LTMxMjIt......=',
      isEnabled: true,
      managerEmail: 'virtual-booking@some-domen.com',
      managerId: '9cd376b6-.......',
      url: 'https://teams.microsoft.com/l/meetup-join/19.....',
    },
  },
  servedBy: { id: 'fc13d10c-.......', email: 'manager@ombori.com', firstName: '', lastName: '' },
  station: { id: '1234_id', label: 'A' },
  status: 'draft',
  label: '',
  queue: '_queue_id_',
  createdAt: '2020-05-26T08:47:37.1700000Z',
  calledAt: '2020-05-26T15:30:37.1700000Z',
  fulfilledAt: '2020-05-26T17:15:59.6100000Z',
  completedAt: '2020-05-26T17:16:59.6100000Z',
  bookingReminderAt: null,
  QRCodeCheckInPositionId:
    '{"type":"check-in-position","positionId":"ce4a66df-51ff-47af-bf5e-4e26f82d266b"}',
};
