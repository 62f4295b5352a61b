// USB: these machines have no USB bus, so the transport runs against an injected device object
// implementing the WebUSB calls of the `usb` package (open, claimInterface, transferOut/In). The
// "firmware" behind it is the same ESC/POS decoder the virtual printer uses.
import { describe, expect, it } from 'vitest';
import type { PrinterError } from '../../../drivers/printer/index.js';
import { openPrinter } from '../../../drivers/printer/index.js';
import { encodeRealtimeReply, okState } from '../../../drivers/printer/status.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import type { DecodedReceipt } from '../../../drivers/sim/escpos-decoder.js';
import type { UsbDeviceLike } from '../../../drivers/transport/usb.js';
import { latinTicket } from './fixtures.js';

function fakeUsbPrinter(options: { withIn?: boolean; failWrites?: boolean } = {}) {
  const decoder = new EscPosDecoder();
  const receipts: DecodedReceipt[] = [];
  const replies: number[] = [];
  let wake: (() => void) | null = null;
  let opened = false;
  const state = okState();
  const endpoints = [{ endpointNumber: 1, direction: 'out' as const, type: 'bulk' as const }];
  if (options.withIn !== false)
    endpoints.push({ endpointNumber: 2, direction: 'in' as never, type: 'bulk' });
  const device: UsbDeviceLike & { claimed: number[] } = {
    claimed: [],
    get opened() {
      return opened;
    },
    configuration: {
      interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: 7, endpoints } }],
    },
    async open() {
      opened = true;
    },
    async selectConfiguration() {},
    async claimInterface(n) {
      device.claimed.push(n);
    },
    async releaseInterface() {},
    async transferOut(_ep, data) {
      if (options.failWrites) throw new Error('LIBUSB_ERROR_NO_DEVICE');
      for (const event of decoder.push(data)) {
        if (event.type === 'status-request') replies.push(encodeRealtimeReply(state, event.n as 1));
        if (event.type === 'receipt') receipts.push(event.receipt);
      }
      wake?.();
      return { status: 'ok', bytesWritten: data.length };
    },
    async transferIn() {
      while (replies.length === 0) {
        if (!opened) throw new Error('LIBUSB_ERROR_NO_DEVICE');
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 20);
        });
      }
      const bytes = Uint8Array.from(replies.splice(0));
      return { status: 'ok', data: new DataView(bytes.buffer) };
    },
    async close() {
      opened = false;
    },
  };
  return { device, receipts, state };
}

describe('usb:VID:PID printer (injected device, no real bus)', () => {
  it('finds the device by ids, claims the printer interface, prints and reads status', async () => {
    const fake = fakeUsbPrinter();
    const asked: string[] = [];
    const printer = openPrinter('usb:04b8:0e28', {
      pollIntervalMs: 0,
      findUsb: async (vid, pid) => {
        asked.push(`${vid.toString(16)}:${pid.toString(16)}`);
        return fake.device;
      },
    });
    try {
      await printer.print(latinTicket({ ticket: 'U5' }));
      expect(asked[0]).toBe('4b8:e28');
      expect(fake.device.claimed).toEqual([0]);
      expect(fake.receipts).toHaveLength(1);
      expect(receiptText(fake.receipts[0] as DecodedReceipt)).toContain('U5');

      fake.state.paperOut = true;
      const error = await printer.print(latinTicket()).catch((e: unknown) => e);
      expect((error as PrinterError).code).toBe('paper_out');
      expect(printer.status().paperOut).toBe(true);
    } finally {
      await printer.close();
    }
  });

  it('reports a device that is not plugged in', async () => {
    const printer = openPrinter('usb:04b8:0e28', {
      pollIntervalMs: 0,
      findUsb: async () => undefined,
    });
    const error = await printer.print(latinTicket()).catch((e: unknown) => e);
    expect((error as PrinterError).code).toBe('unreachable');
    await printer.close();
  });

  it('reports a device unplugged during the job', async () => {
    const fake = fakeUsbPrinter({ withIn: false, failWrites: true });
    const printer = openPrinter('usb:04b8:0e28', {
      pollIntervalMs: 0,
      findUsb: async () => fake.device,
    });
    const error = await printer.print(latinTicket()).catch((e: unknown) => e);
    expect((error as PrinterError).code).toBe('disconnected');
    await printer.close();
  });

  it('rejects a malformed usb URL', () => {
    expect(() => openPrinter('usb:epson')).toThrow(/VID:PID/);
  });
});
