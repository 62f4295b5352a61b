// shared/protocol/ticket-page: the hub's answer read by the kiosk, and the store QR's URL.
import { describe, expect, it } from 'vitest';
import { storeJoinUrl, tokenOfTicketPath } from '../../../shared/protocol/ticket-page.js';

const MAC = 'A'.repeat(27);

describe('tokenOfTicketPath', () => {
  it('takes the page token out of the path the hub answered', () => {
    expect(tokenOfTicketPath(`/t/cust-1.${MAC}`)).toBe(`cust-1.${MAC}`);
  });
  it.each([`/q/cust-1.${MAC}`, `/t/cust-1`, `/t/../x.${MAC}`, `//evil.test/t/c.${MAC}`, ''])(
    'refuses %j',
    (path) => expect(tokenOfTicketPath(path)).toBeNull(),
  );
});

describe('storeJoinUrl', () => {
  const on = { id: 'demo-store', phoneQueue: { enabled: true } };
  it('is the hub join page of the store when its phone queue is on', () => {
    expect(storeJoinUrl('http://127.0.0.1:39435', on)).toBe('http://127.0.0.1:39435/q/demo-store');
    expect(storeJoinUrl('https://Hub.Example:443/', on)).toBe('https://hub.example/q/demo-store');
  });
  it('is nothing when the phone queue is off or the hub URL is not one a phone opens', () => {
    expect(storeJoinUrl('https://hub.example', { ...on, phoneQueue: { enabled: false } })).toBe(
      null,
    );
    expect(storeJoinUrl('not a url', on)).toBeNull();
    expect(storeJoinUrl('file:///etc/passwd', on)).toBeNull();
  });
});
