// One small byte-pipe interface for every link to a device (TCP, serial, device file, USB). The
// protocol layers (printer status, pager ACK/NAK, scanner framing) sit on top and never know
// which one they talk through.
export interface ByteTransport {
  readonly kind: 'tcp' | 'serial' | 'file' | 'usb';
  /** For messages: `tcp://10.0.0.5:9100`, `/dev/ttyUSB0`... */
  readonly description: string;
  /** False when the device cannot talk back (a device file): no status, no ACK. */
  readonly twoWay: boolean;
  readonly isOpen: boolean;
  /** Opens (or re-opens after a loss); resolves when bytes can be written. */
  open(): Promise<void>;
  /** Resolves once the bytes are handed to the OS / device; rejects when the link is lost. */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** Called when the link closes or breaks (error set) after having been open. */
  onClose(listener: (error: Error | null) => void): () => void;
  close(): Promise<void>;
}

export type TransportErrorCode = 'connect_failed' | 'closed' | 'write_failed' | 'timeout';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

/** Tiny listener set shared by the transports. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();
  add(listener: (...args: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(...args: T): void {
    for (const listener of [...this.set]) {
      try {
        listener(...args);
      } catch {
        // A listener's bug must not break the link.
      }
    }
  }
}
