// What the stream-based transports (TCP socket, serial port, device file) do the same way once
// their link is open: forward its bytes, remember its last error, report its close, and write.
import { TransportError, type Listeners } from './types.js';

/** The events of an open link (a net.Socket, a serialport stream, an fs.WriteStream). */
export interface LinkEvents {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close', listener: (arg?: unknown) => void): unknown;
}

/**
 * Watches an open link: its bytes go to `data` (if it can talk back), its close goes to `closed`
 * with the error that broke it (the one the close carries, else the last 'error'), after `gone`.
 */
export function watchLink(
  link: LinkEvents,
  closed: Listeners<[Error | null]>,
  gone: () => void,
  data?: Listeners<[Uint8Array]>,
): void {
  let lastError: Error | null = null;
  if (data !== undefined) link.on('data', (chunk) => data.emit(new Uint8Array(chunk)));
  link.on('error', (error) => (lastError = error));
  link.on('close', (arg) => {
    gone();
    // A socket's close says `hadError: boolean`, a serial port's carries the Error itself.
    closed.emit(arg instanceof Error ? arg : lastError);
  });
}

/** The write side of an open link. */
export interface WritableLink {
  write(data: Uint8Array, callback: (error?: Error | null) => void): unknown;
}

/** A link whose 'close' can come before the write's callback (a socket). */
export interface ClosingLink {
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

export interface WriteOptions {
  /** Fails the write with `closed` if the link closes before it is done. */
  failOnClose?: ClosingLink;
  /** Runs when the write fails, before the rejection (e.g. destroy the stream). */
  onFailure?: () => void;
  /** Runs after a good write; the write resolves when it is done (e.g. a serial port's drain). */
  flush?: (done: (error: Error | null) => void) => void;
}

/** Writes `bytes` to an open link; rejects with a TransportError naming `description`. */
export function writeToLink(
  link: WritableLink,
  description: string,
  bytes: Uint8Array,
  options: WriteOptions = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const { failOnClose, onFailure, flush } = options;
    const onClose = (): void =>
      reject(new TransportError('closed', `${description} closed during the write`));
    failOnClose?.once('close', onClose);
    link.write(bytes, (error) => {
      failOnClose?.off('close', onClose);
      if (error) {
        onFailure?.();
        reject(
          new TransportError('write_failed', `Write to ${description} failed: ${error.message}`, {
            cause: error,
          }),
        );
        return;
      }
      if (flush === undefined) {
        resolve();
        return;
      }
      flush((flushError) =>
        flushError
          ? reject(
              new TransportError(
                'write_failed',
                `Write to ${description} failed: ${flushError.message}`,
              ),
            )
          : resolve(),
      );
    });
  });
}

/** Calls to open() made while the link is opening share that one attempt. */
export class SharedOpen {
  private pending: Promise<void> | null = null;

  run(open: () => Promise<void>): Promise<void> {
    this.pending ??= open().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }
}

/** `<what>: <the OS's reason>`, e.g. "Cannot open /dev/ttyUSB0 @9600: ENOENT". */
export function openFailed(what: string, error: Error): TransportError {
  return new TransportError('connect_failed', `${what}: ${error.message}`, { cause: error });
}
