// A pager transmitter simulator on a pty: speaks the transmitter side of each protocol, records
// the pages it "transmits", and can be told to NAK the next attempts or to stay silent (so the
// driver's retries and timeouts can be seen working).
import { SerialPort } from 'serialport';
import {
  ACK,
  CR,
  EOT,
  ESC,
  NAK,
  RS,
  SOH,
  capcodeFor,
  pagerNumberFor,
  parseJtechRequest,
  parseLrsRequest,
  parseScopeRequest,
  parseTapBlock,
  parseWavewareRequest,
} from '../pager/protocols.js';
import type { CapcodeOptions, PagerProtocolName, ParsedRequest } from '../pager/protocols.js';
import { createPtyPair } from './pty.js';
import type { PtyPair } from './pty.js';

export interface ReceivedPage {
  capcode: number;
  /** null when the capcode maps to no pager number under the options. */
  pagerNumber: number | null;
  message: string;
  kind: string;
  at: string;
}

export interface PagerSimulatorOptions extends CapcodeOptions {
  protocol: PagerProtocolName;
  dialect?: 'waveware' | 'scope';
  baudRate?: number;
}

export interface PagerSimulator {
  /** Give the driver `serial:<hostPath>`. */
  hostPath: string;
  pages(): ReceivedPage[];
  /** NAK (or RS for TAP when `reject`) the next n page attempts. */
  nakNext(n: number, reject?: boolean): void;
  /** Ignore everything until set back to false (timeouts on the driver side). */
  setSilent(silent: boolean): void;
  waitForPages(count: number, timeoutMs?: number): Promise<ReceivedPage[]>;
  /** Bytes that formed no request. */
  garbageBytes(): number;
  close(): Promise<void>;
}

const enc = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export async function startPagerSimulator(options: PagerSimulatorOptions): Promise<PagerSimulator> {
  const pty: PtyPair = await createPtyPair();
  const port = new SerialPort({
    path: pty.devicePath,
    baudRate: options.baudRate ?? 9600,
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const pages: ReceivedPage[] = [];
  const waiters = new Set<() => void>();
  let nak = 0;
  let rejectInsteadOfNak = false;
  let silent = false;
  let garbage = 0;
  let buf = new Uint8Array(0);
  let tapState: 'idle' | 'id' | 'loggedIn' = 'idle';

  const reply = (bytes: number[]): void => {
    if (port.isOpen) port.write(Buffer.from(bytes));
  };

  const record = (capcode: number, message: string, kind: string): void => {
    const protocol = options.protocol;
    pages.push({
      capcode,
      pagerNumber: pagerNumberFor(protocol, capcode, options),
      message,
      kind,
      at: new Date().toISOString(),
    });
    for (const w of [...waiters]) w();
  };

  /** true = accept this page, false = we answered NAK. */
  const decide = (): boolean => {
    if (nak > 0) {
      nak -= 1;
      return false;
    }
    return true;
  };

  const parseSimple = (b: Uint8Array): ParsedRequest => {
    switch (options.protocol) {
      case 'jtech':
        return parseJtechRequest(b);
      case 'lrs':
        return parseLrsRequest(b);
      default:
        return options.dialect === 'scope' ? parseScopeRequest(b) : parseWavewareRequest(b);
    }
  };

  const answerSimple = (ok: boolean, echo: Uint8Array): void => {
    switch (options.protocol) {
      case 'jtech':
        return reply([ok ? ACK : NAK]);
      case 'lrs':
        return reply(ok ? enc('OK\r\n') : enc('ERROR busy\r\n'));
      default:
        if (options.dialect === 'scope')
          return reply(
            ok ? enc('Page Queued Okay\r\n') : enc('Error - Busy\r\n').concat([NAK, CR, 0x0a]),
          );
        return reply([
          ...echo,
          SOH,
          ...(ok ? [ACK, ...enc('V9.00,00,0,1,1A')] : [NAK, ...enc('05')]),
          EOT,
        ]);
    }
  };

  const handleTap = (): void => {
    for (;;) {
      if (tapState !== 'loggedIn') {
        // Wake-up CRs and the login line.
        const login = buf.findIndex(
          (b, i) => b === ESC && buf[i + 1] === 0x50 && buf[i + 2] === 0x47,
        ); // ESC P G
        const eol = login === -1 ? -1 : buf.indexOf(CR, login);
        if (login !== -1 && eol !== -1) {
          buf = buf.slice(eol + 1);
          tapState = 'loggedIn';
          reply([...enc('110 1.8\r'), ACK, CR, ESC, 0x5b, 0x70, CR]);
          continue;
        }
        const cr = buf.indexOf(CR);
        if (cr !== -1 && login === -1) {
          garbage += cr;
          buf = buf.slice(cr + 1);
          tapState = 'id';
          reply(enc('ID='));
          continue;
        }
        return;
      }
      if (buf[0] === EOT) {
        const eol = buf.indexOf(CR);
        if (eol === -1) return;
        buf = buf.slice(eol + 1);
        tapState = 'idle';
        reply([...enc('115 Goodbye\r'), ESC, EOT, CR]);
        continue;
      }
      const block = parseTapBlock(buf);
      if (!block) {
        if (buf.length > 2048) buf = new Uint8Array(0);
        return;
      }
      buf = buf.slice(block.consumed);
      if (!block.checksumOk) {
        reply([NAK, CR]);
        continue;
      }
      if (!decide()) {
        reply(rejectInsteadOfNak ? [RS, CR] : [NAK, CR]);
        continue;
      }
      const id = Number(block.pagerId);
      record(Number.isInteger(id) ? capcodeFor('tap', id) : -1, block.message, 'tap');
      reply([...enc('211 Page Sent\r'), ACK, CR]);
    }
  };

  port.on('data', (chunk: Buffer) => {
    if (silent) return;
    const next = new Uint8Array(buf.length + chunk.length);
    next.set(buf);
    next.set(chunk, buf.length);
    buf = next;
    if (options.protocol === 'tap') return handleTap();
    for (;;) {
      const parsed = parseSimple(buf);
      if (!parsed) return;
      if ('garbage' in parsed) {
        garbage += parsed.garbage;
        buf = buf.slice(parsed.garbage);
        continue;
      }
      const echo = buf.slice(0, parsed.consumed);
      buf = buf.slice(parsed.consumed);
      const ok = decide();
      if (ok) record(parsed.page.capcode, parsed.page.message, parsed.page.kind);
      answerSimple(ok, echo);
    }
  });
  port.on('error', () => undefined);

  return {
    hostPath: pty.hostPath,
    pages: () => [...pages],
    nakNext(n, reject = false) {
      nak = n;
      rejectInsteadOfNak = reject;
    },
    setSilent(value) {
      silent = value;
      if (value) buf = new Uint8Array(0);
    },
    waitForPages(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (pages.length >= count) {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve([...pages]);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`expected ${count} pages, got ${pages.length}`));
        }, timeoutMs);
        waiters.add(wake);
        wake();
      });
    },
    garbageBytes: () => garbage,
    async close() {
      if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
      await pty.close();
    },
  };
}
