// Device URLs, one syntax for printers, pagers and scanners:
//   tcp://host:9100   serial:/dev/ttyUSB0?baud=19200&parity=none&rtscts=1
//   file:/dev/usb/lp0   usb:04b8:0202 (hex vendor:product)
import { FileTransport } from './file.js';
import { SerialTransport } from './serial.js';
import type { SerialPortFactory, SerialSettings } from './serial.js';
import { TcpTransport } from './tcp.js';
import { UsbTransport } from './usb.js';
import type { UsbDeviceFinder } from './usb.js';
import type { ByteTransport } from './types.js';

export class DeviceUrlError extends Error {
  constructor(url: string, why: string) {
    super(`Bad device URL "${url}": ${why}`);
    this.name = 'DeviceUrlError';
  }
}

export interface TransportFactories {
  serialPort?: SerialPortFactory;
  findUsb?: UsbDeviceFinder;
}

export interface UrlDefaults {
  tcpPort?: number;
  baudRate?: number;
  dataBits?: SerialSettings['dataBits'];
  parity?: SerialSettings['parity'];
  stopBits?: SerialSettings['stopBits'];
}

export function transportFromUrl(
  url: string,
  defaults: UrlDefaults = {},
  factories: TransportFactories = {},
): ByteTransport {
  const colon = url.indexOf(':');
  if (colon < 1) throw new DeviceUrlError(url, 'expected tcp://, serial:, file: or usb:');
  const scheme = url.slice(0, colon).toLowerCase();
  const rest = url.slice(colon + 1);
  switch (scheme) {
    case 'tcp': {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new DeviceUrlError(url, 'expected tcp://host:port');
      }
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (!host) throw new DeviceUrlError(url, 'missing host');
      const port = parsed.port ? Number(parsed.port) : (defaults.tcpPort ?? 9100);
      return new TcpTransport({ host, port });
    }
    case 'serial': {
      const [path = '', query = ''] = rest.replace(/^\/\/(?=\/)/, '').split('?');
      if (!path.startsWith('/')) throw new DeviceUrlError(url, 'expected serial:/dev/...');
      const params = new URLSearchParams(query);
      const baud = Number(params.get('baud') ?? defaults.baudRate ?? 9600);
      if (!Number.isInteger(baud) || baud < 50 || baud > 4_000_000) {
        throw new DeviceUrlError(url, 'baud must be a whole number such as 9600');
      }
      const parity = (params.get('parity') ??
        defaults.parity ??
        'none') as SerialSettings['parity'];
      if (!['none', 'even', 'odd'].includes(parity ?? '')) {
        throw new DeviceUrlError(url, 'parity must be none, even or odd');
      }
      const dataBits = Number(params.get('dataBits') ?? defaults.dataBits ?? 8);
      const stopBits = Number(params.get('stopBits') ?? defaults.stopBits ?? 1);
      if (![5, 6, 7, 8].includes(dataBits)) throw new DeviceUrlError(url, 'dataBits must be 5-8');
      if (![1, 2].includes(stopBits)) throw new DeviceUrlError(url, 'stopBits must be 1 or 2');
      return new SerialTransport(
        {
          path,
          baudRate: baud,
          parity,
          dataBits: dataBits as SerialSettings['dataBits'],
          stopBits: stopBits as SerialSettings['stopBits'],
          rtscts: params.get('rtscts') === '1' || params.get('rtscts') === 'true',
        },
        factories.serialPort,
      );
    }
    case 'file': {
      const path = rest.replace(/^\/\/(?=\/)/, '');
      if (!path.startsWith('/')) throw new DeviceUrlError(url, 'expected file:/dev/...');
      return new FileTransport(path);
    }
    case 'usb': {
      const match = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
      if (!match) throw new DeviceUrlError(url, 'expected usb:VID:PID in hex, e.g. usb:04b8:0202');
      return new UsbTransport(
        parseInt(match[1] as string, 16),
        parseInt(match[2] as string, 16),
        factories.findUsb,
      );
    }
    default:
      throw new DeviceUrlError(url, `unknown scheme "${scheme}"`);
  }
}
