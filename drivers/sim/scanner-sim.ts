// A serial scanner simulator on a pty: "scans" codes by writing them with the configured suffix,
// or writes raw bytes (garbage, oversized bursts) to see the driver cope.
import { SerialPort } from 'serialport';
import { createPtyPair } from './pty.js';

export interface ScannerSimulator {
  hostPath: string;
  scan(text: string): Promise<void>;
  writeRaw(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

const SUFFIX = { cr: '\r', crlf: '\r\n', lf: '\n', tab: '\t', none: '' } as const;

export async function startScannerSimulator(
  options: { suffix?: keyof typeof SUFFIX } = {},
): Promise<ScannerSimulator> {
  const pty = await createPtyPair();
  const port = new SerialPort({ path: pty.devicePath, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  port.on('error', () => undefined);
  const write = (bytes: Uint8Array): Promise<void> =>
    new Promise((resolve, reject) =>
      port.write(Buffer.from(bytes), (e) => (e ? reject(e) : port.drain(() => resolve()))),
    );
  return {
    hostPath: pty.hostPath,
    scan: (text) => write(new TextEncoder().encode(text + SUFFIX[options.suffix ?? 'cr'])),
    writeRaw: write,
    async close() {
      if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
      await pty.close();
    },
  };
}
