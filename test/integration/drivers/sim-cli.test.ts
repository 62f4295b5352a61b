// The virtual printer as a process (the way the demo and the end-to-end tests start it).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPrinter } from '../../../drivers/printer/index.js';
import { latinTicket } from '../../unit/drivers/fixtures.js';

let child: ChildProcess;
let tcpPort = 0;
let httpUrl = '';

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'drivers/sim/cli.ts', 'printer', '--tcp-port', '0', '--http-port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line: ${out}`)), 20_000);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.split('\n')[0] ?? '');
      }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const m = /tcp:\/\/127\.0\.0\.1:(\d+).*inspect at (http:\/\/127\.0\.0\.1:\d+)\/receipts/.exec(
    line,
  );
  if (!m) throw new Error(`unexpected ready line: ${line}`);
  tcpPort = Number(m[1]);
  httpUrl = m[2] as string;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('drivers/sim/cli.ts printer', () => {
  it('prints a ticket, reads it back over HTTP, switches to paper out and refuses', async () => {
    const printer = openPrinter(`tcp://127.0.0.1:${tcpPort}`, { pollIntervalMs: 0 });
    try {
      await printer.print(latinTicket({ ticket: 'C3' }));
      const receipts = (await (await fetch(`${httpUrl}/receipts`)).json()) as { lines: string[] }[];
      expect(receipts.at(-1)?.lines).toContain('C3');
      const status = await fetch(`${httpUrl}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ paperOut: true }),
      });
      expect(((await status.json()) as { paperOut: boolean }).paperOut).toBe(true);
      await expect(printer.print(latinTicket())).rejects.toMatchObject({ code: 'paper_out' });
    } finally {
      await printer.close();
    }
  });

  it('stops on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
