// A device file (/dev/usb/lp0, a parallel port, a FIFO): write-only, so no status and no ACK.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { Listeners, TransportError } from './types.js';
import type { ByteTransport } from './types.js';

export class FileTransport implements ByteTransport {
  readonly kind = 'file' as const;
  readonly twoWay = false;
  readonly description: string;
  private stream: WriteStream | null = null;
  private opening: Promise<void> | null = null;
  private readonly closed = new Listeners<[Error | null]>();

  constructor(private readonly path: string) {
    this.description = path;
  }

  get isOpen(): boolean {
    return this.stream !== null && !this.stream.destroyed;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    // Opening a FIFO blocks until a reader comes: that happens on libuv's pool, not the loop.
    this.opening ??= new Promise<void>((resolve, reject) => {
      const stream = createWriteStream(this.path, { flags: 'w' });
      const onError = (error: Error): void =>
        reject(
          new TransportError('connect_failed', `Cannot open ${this.path}: ${error.message}`, {
            cause: error,
          }),
        );
      stream.once('error', onError);
      stream.once('ready', () => {
        stream.off('error', onError);
        this.stream = stream;
        let lastError: Error | null = null;
        stream.on('error', (error) => (lastError = error));
        stream.on('close', () => {
          if (this.stream === stream) this.stream = null;
          this.closed.emit(lastError);
        });
        resolve();
      });
    }).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  write(bytes: Uint8Array): Promise<void> {
    const stream = this.stream;
    if (!stream || !this.isOpen) {
      return Promise.reject(new TransportError('closed', `${this.path} is not open`));
    }
    return new Promise((resolve, reject) => {
      stream.write(bytes, (error) => {
        if (error) {
          stream.destroy();
          reject(
            new TransportError('write_failed', `Write to ${this.path} failed: ${error.message}`, {
              cause: error,
            }),
          );
        } else resolve();
      });
    });
  }

  onData(): () => void {
    return () => undefined; // one-way
  }

  onClose(listener: (error: Error | null) => void): () => void {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (!stream || stream.destroyed) return;
    await new Promise<void>((resolve) => stream.end(() => resolve()));
  }
}
