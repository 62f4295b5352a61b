// USB printers (class 7) through the `usb` package's WebUSB API: bulk OUT for the job, bulk IN
// read in a loop for status replies. These machines have no USB bus, so this transport is tested
// against an injected device object that implements the WebUSB calls used here (see
// test/unit/drivers/usb-transport.test.ts); it has not run against real hardware here.
import { Listeners, TransportError } from './types.js';
import type { ByteTransport } from './types.js';

export interface UsbEndpointLike {
  endpointNumber: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
}

export interface UsbDeviceLike {
  readonly opened: boolean;
  readonly configuration: {
    interfaces: {
      interfaceNumber: number;
      alternate: { interfaceClass: number; endpoints: UsbEndpointLike[] };
    }[];
  } | null;
  open(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  transferOut(
    endpointNumber: number,
    data: Uint8Array,
  ): Promise<{ status?: string; bytesWritten: number }>;
  transferIn(endpointNumber: number, length: number): Promise<{ status?: string; data?: DataView }>;
  close(): Promise<void>;
}

export type UsbDeviceFinder = (
  vendorId: number,
  productId: number,
) => Promise<UsbDeviceLike | undefined>;

/** Finds a device on the real bus (loaded lazily: no libusb needed until a USB printer is used). */
export const findUsbDevice: UsbDeviceFinder = async (vendorId, productId) => {
  const { usb } = await import('usb');
  return (await usb.findDeviceByIds(vendorId, productId)) as unknown as UsbDeviceLike | undefined;
};

const PRINTER_CLASS = 7;

export class UsbTransport implements ByteTransport {
  readonly kind = 'usb' as const;
  readonly description: string;
  private device: UsbDeviceLike | null = null;
  private interfaceNumber = 0;
  private outEndpoint = 0;
  private inEndpoint: number | null = null;
  private reading = false;
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | null]>();

  constructor(
    private readonly vendorId: number,
    private readonly productId: number,
    private readonly find: UsbDeviceFinder = findUsbDevice,
  ) {
    const hex = (n: number): string => n.toString(16).padStart(4, '0');
    this.description = `usb:${hex(vendorId)}:${hex(productId)}`;
  }

  get twoWay(): boolean {
    return this.inEndpoint !== null;
  }

  get isOpen(): boolean {
    return this.device?.opened ?? false;
  }

  async open(): Promise<void> {
    if (this.isOpen) return;
    const device = await this.find(this.vendorId, this.productId).catch((error: unknown) => {
      throw new TransportError('connect_failed', `USB is not available: ${String(error)}`, {
        cause: error,
      });
    });
    if (!device) throw new TransportError('connect_failed', `No USB device ${this.description}`);
    try {
      await device.open();
      if (!device.configuration) await device.selectConfiguration(1);
      const iface =
        device.configuration?.interfaces.find(
          (i) => i.alternate.interfaceClass === PRINTER_CLASS,
        ) ?? device.configuration?.interfaces[0];
      if (!iface) throw new Error('the device has no interface');
      const out = iface.alternate.endpoints.find((e) => e.direction === 'out' && e.type === 'bulk');
      if (!out) throw new Error('the device has no bulk OUT endpoint');
      await device.claimInterface(iface.interfaceNumber);
      this.interfaceNumber = iface.interfaceNumber;
      this.outEndpoint = out.endpointNumber;
      this.inEndpoint =
        iface.alternate.endpoints.find((e) => e.direction === 'in' && e.type === 'bulk')
          ?.endpointNumber ?? null;
      this.device = device;
    } catch (error) {
      await device.close().catch(() => undefined);
      throw new TransportError(
        'connect_failed',
        `Cannot open ${this.description}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (this.inEndpoint !== null) void this.readLoop(this.device, this.inEndpoint);
  }

  private async readLoop(device: UsbDeviceLike, endpoint: number): Promise<void> {
    this.reading = true;
    while (this.reading && this.device === device) {
      try {
        const result = await device.transferIn(endpoint, 64);
        if (result.data && result.data.byteLength > 0) {
          this.data.emit(
            new Uint8Array(result.data.buffer, result.data.byteOffset, result.data.byteLength),
          );
        }
      } catch (error) {
        if (this.device === device) this.lost(error as Error);
        return;
      }
    }
  }

  private lost(error: Error | null): void {
    this.device = null;
    this.reading = false;
    this.closed.emit(error);
  }

  async write(bytes: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device) throw new TransportError('closed', `${this.description} is not open`);
    try {
      const result = await device.transferOut(this.outEndpoint, bytes);
      if (result.status && result.status !== 'ok') throw new Error(`transfer ${result.status}`);
      if (result.bytesWritten !== bytes.length)
        throw new Error(`only ${result.bytesWritten} of ${bytes.length} bytes sent`);
    } catch (error) {
      this.lost(error as Error);
      throw new TransportError(
        'write_failed',
        `Write to ${this.description} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error: Error | null) => void): () => void {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const device = this.device;
    this.device = null;
    this.reading = false;
    if (!device) return;
    await device.releaseInterface(this.interfaceNumber).catch(() => undefined);
    await device.close().catch(() => undefined);
  }
}
