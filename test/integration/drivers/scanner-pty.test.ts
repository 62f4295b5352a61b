// A serial scanner over a real pty (socat) against the scanner simulator.
import { afterEach, describe, expect, it } from 'vitest';
import { openScanner } from '../../../drivers/scanner/index.js';
import type { Scan, Scanner } from '../../../drivers/scanner/index.js';
import { startScannerSimulator } from '../../../drivers/sim/scanner-sim.js';
import type { ScannerSimulator } from '../../../drivers/sim/scanner-sim.js';

let sim: ScannerSimulator | null = null;
let scanner: Scanner | null = null;
afterEach(async () => {
  await scanner?.close();
  await sim?.close();
  scanner = null;
  sim = null;
});

function collect(s: Scanner): {
  scans: Scan[];
  rejected: string[];
  next: (n: number) => Promise<Scan[]>;
} {
  const scans: Scan[] = [];
  const rejected: string[] = [];
  const waiters: (() => void)[] = [];
  s.onScan((text, scan) => {
    expect(text).toBe(scan.text);
    scans.push(scan);
    waiters.splice(0).forEach((w) => w());
  });
  s.onRejected((r) => rejected.push(r));
  return {
    scans,
    rejected,
    next: (n) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`expected ${n} scans, got ${scans.length}`)),
          5000,
        );
        const check = (): void => {
          if (scans.length >= n) {
            clearTimeout(timer);
            resolve(scans);
          } else waiters.push(check);
        };
        check();
      }),
  };
}

describe.each(['cr', 'crlf', 'tab'] as const)('scanner with %s suffix over a pty', (suffix) => {
  it('delivers parsed codes', async () => {
    sim = await startScannerSimulator({ suffix });
    scanner = openScanner(`serial:${sim.hostPath}?baud=9600`, {
      suffix: suffix === 'crlf' ? 'crlf' : suffix,
    });
    await scanner.ready();
    const got = collect(scanner);
    await sim.scan(
      '{"type":"check-in-position","positionId":"ce4a66df-51ff-47af-bf5e-4e26f82d266b"}',
    );
    await sim.scan('LINEUP:1:demo-store:c1:A12');
    const scans = await got.next(2);
    expect(scans.map((s) => s.parsed)).toEqual([
      {
        ok: true,
        payload: { kind: 'ombori-check-in', positionId: 'ce4a66df-51ff-47af-bf5e-4e26f82d266b' },
      },
      {
        ok: true,
        payload: {
          kind: 'lineup-ticket',
          version: 1,
          storeId: 'demo-store',
          customerId: 'c1',
          ticket: 'A12',
        },
      },
    ]);
    expect(scanner.health()).toEqual({ configured: true, ok: true, message: null });
  });
});

describe('scanner robustness', () => {
  it('survives garbage and oversized bursts, and keeps scanning', async () => {
    sim = await startScannerSimulator({ suffix: 'cr' });
    scanner = openScanner(`serial:${sim.hostPath}`, { maxLength: 512, interByteTimeoutMs: 50 });
    await scanner.ready();
    const got = collect(scanner);
    await sim.writeRaw(Uint8Array.from([0xff, 0xfe, 0x00, 0x07, 0x81, 0x0d]));
    await sim.writeRaw(new TextEncoder().encode(`${'9'.repeat(2000)}\r`));
    await sim.scan('APPT-20260301-0042');
    await got.next(2);
    const last = got.scans.at(-1);
    expect(last?.parsed).toEqual({
      ok: true,
      payload: { kind: 'appointment', externalId: '20260301-0042' },
    });
    expect(got.scans[0]?.parsed.ok).toBe(false); // the garbage frame is refused with a reason
    expect(got.rejected).toEqual(['code longer than 512 bytes']);
  });

  it('frames a scanner without suffix by inter-byte silence', async () => {
    sim = await startScannerSimulator({ suffix: 'none' });
    scanner = openScanner(`serial:${sim.hostPath}`, { interByteTimeoutMs: 60 });
    await scanner.ready();
    const got = collect(scanner);
    await sim.scan('LINEUP:APPT:demo-store:c7');
    const [scan] = await got.next(1);
    expect(scan?.parsed).toMatchObject({ ok: true, payload: { kind: 'lineup-appointment' } });
  });

  it('reports a missing device in health', async () => {
    scanner = openScanner('serial:/dev/lineup-no-such-scanner', { reopenMs: 0 });
    await expect(scanner.ready()).rejects.toThrow(/Cannot open/);
    expect(scanner.health()).toMatchObject({ ok: false });
  });
});
