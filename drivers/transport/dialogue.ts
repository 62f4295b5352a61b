// Request/reply over a byte transport: buffers what the device says and waits, with a timeout,
// until a matcher finds the reply it expects. Used by the pager protocols.
import type { ByteTransport } from './types.js';
import { TransportError } from './types.js';

export type Matcher<T> = (buf: Uint8Array) => { value: T; consumed: number } | null;

const MAX_BUFFER = 16 * 1024;

export class Dialogue {
  private buf = new Uint8Array(0);
  private wake: (() => void) | null = null;
  private readonly off: () => void;

  constructor(private readonly transport: ByteTransport) {
    this.off = transport.onData((bytes) => {
      const next = new Uint8Array(this.buf.length + bytes.length);
      next.set(this.buf);
      next.set(bytes, this.buf.length);
      // A chatty or broken device must not grow memory without bound.
      this.buf = next.length > MAX_BUFFER ? next.slice(next.length - MAX_BUFFER) : next;
      this.wake?.();
    });
  }

  /** Forgets unread bytes (stale replies from an earlier, timed-out attempt). */
  clear(): void {
    this.buf = new Uint8Array(0);
  }

  send(bytes: Uint8Array): Promise<void> {
    return this.transport.write(bytes);
  }

  expect<T>(match: Matcher<T>, timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const found = match(this.buf);
        if (!found) return false;
        this.buf = this.buf.slice(found.consumed);
        cleanup();
        resolve(found.value);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new TransportError('timeout', `no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const offClose = this.transport.onClose(() => {
        cleanup();
        reject(new TransportError('closed', `the link closed while waiting for ${what}`));
      });
      const cleanup = (): void => {
        clearTimeout(timer);
        offClose();
        this.wake = null;
      };
      this.wake = () => void check();
      check();
    });
  }

  dispose(): void {
    this.off();
  }
}

/** Matches a byte sequence anywhere in the buffer. */
export const sequence =
  (...seq: number[]): Matcher<true> =>
  (buf) => {
    outer: for (let i = 0; i + seq.length <= buf.length; i++) {
      for (let j = 0; j < seq.length; j++) if (buf[i + j] !== seq[j]) continue outer;
      return { value: true, consumed: i + seq.length };
    }
    return null;
  };
