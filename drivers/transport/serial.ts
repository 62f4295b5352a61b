// Serial ports (RS-232, USB-CDC) through serialport. The port is made by an injectable factory,
// node-serialport style: the default opens a real device with the native binding; tests use real
// ptys (socat), and a caller may pass serialport's own SerialPortMock or another binding.
import { SerialPort } from 'serialport';
import { openFailed, SharedOpen, watchLink, writeToLink } from './stream.js';
import { Listeners, TransportError } from './types.js';
import type { ByteTransport } from './types.js';

export interface SerialSettings {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
  rtscts?: boolean;
}

/** The part of a serialport stream this transport uses. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  write(data: Uint8Array, callback: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): this;
  on(event: 'close', listener: (error?: Error | null) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  removeAllListeners(): this;
}

export type SerialPortFactory = (settings: SerialSettings) => SerialPortLike;

export const nativeSerialPort: SerialPortFactory = (settings) =>
  new SerialPort({
    path: settings.path,
    baudRate: settings.baudRate,
    dataBits: settings.dataBits ?? 8,
    parity: settings.parity ?? 'none',
    stopBits: settings.stopBits ?? 1,
    rtscts: settings.rtscts ?? false,
    autoOpen: false,
  }) as unknown as SerialPortLike;

export class SerialTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  readonly twoWay = true;
  readonly description: string;
  private port: SerialPortLike | null = null;
  private readonly opening = new SharedOpen();
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | null]>();

  constructor(
    private readonly settings: SerialSettings,
    private readonly factory: SerialPortFactory = nativeSerialPort,
  ) {
    this.description = `${settings.path} @${settings.baudRate}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return this.opening.run(
      () =>
        new Promise<void>((resolve, reject) => {
          const port = this.factory(this.settings);
          port.open((error) => {
            if (error) {
              port.removeAllListeners();
              reject(openFailed(`Cannot open ${this.description}`, error));
              return;
            }
            this.port = port;
            watchLink(
              port,
              this.closed,
              () => {
                if (this.port === port) this.port = null;
              },
              this.data,
            );
            resolve();
          });
        }),
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port || !port.isOpen) {
      return Promise.reject(new TransportError('closed', `${this.description} is not open`));
    }
    // drain: the bytes left the OS buffer (at 1200 baud this is what takes time).
    return writeToLink(port, this.description, bytes, {
      flush: (done) => port.drain(done),
    });
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error: Error | null) => void): () => void {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
