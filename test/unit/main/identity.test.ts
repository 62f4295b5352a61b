import { describe, expect, it } from 'vitest';
import {
  detectIdentity,
  IdentityError,
  macsFromInterfaces,
} from '../../../main/runtime/identity/identity.js';

const nic = (mac: string, internal = false) => ({
  address: '10.0.0.2',
  netmask: '255.0.0.0',
  family: 'IPv4' as const,
  mac,
  internal,
  cidr: null,
});

describe('identity', () => {
  it('keeps physical MACs and skips loopback and virtual interfaces', () => {
    const macs = macsFromInterfaces({
      lo: [nic('00:00:00:00:00:00', true)],
      eth0: [nic('ac:af:b9:37:cb:46')],
      wlan0: [nic('AC:AF:B9:37:CB:47'), nic('ac:af:b9:37:cb:47')],
      docker0: [nic('02:42:ac:11:00:02')],
      veth12ab: [nic('02:42:ac:11:00:03')],
    });
    expect(macs).toEqual(['AC:AF:B9:37:CB:46', 'AC:AF:B9:37:CB:47']);
  });

  it('lets flags override the OS and rejects a bad MAC clearly', () => {
    const os = { interfaces: () => ({ eth0: [nic('ac:af:b9:37:cb:46')] }), hostname: () => 'box' };
    expect(detectIdentity({ macs: ['02-00-00-00-00-01'], hostname: 'lineup-kiosk-1' }, os)).toEqual(
      {
        macs: ['02:00:00:00:00:01'],
        hostname: 'lineup-kiosk-1',
      },
    );
    expect(detectIdentity({}, os)).toEqual({ macs: ['AC:AF:B9:37:CB:46'], hostname: 'box' });
    expect(() => detectIdentity({ macs: ['nope'] }, os)).toThrow(IdentityError);
    expect(() => detectIdentity({}, { interfaces: () => ({}), hostname: () => 'box' })).toThrow(
      /--mac/,
    );
  });
});
