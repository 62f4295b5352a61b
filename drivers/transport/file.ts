// A device file (/dev/usb/lp0, a parallel port, a FIFO): write-only, so no status and no ACK.
import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { openFailed, SharedOpen, watchLink, writeToLink } from './stream.js';
import { Listeners, TransportError } from './types.js';
import type { ByteTransport } from './types.js';

export class FileTransport implements ByteTransport {
  readonly kind = 'file' as const;
  readonly twoWay = false;
  readonly description: string;
  private stream: WriteStream | null = null;
  private readonly opening = new SharedOpen();
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
    return this.opening.run(
      () =>
        new Promise<void>((resolve, reject) => {
          const stream = createWriteStream(this.path, { flags: 'w' });
          const onError = (error: Error): void =>
            reject(openFailed(`Cannot open ${this.path}`, error));
          stream.once('error', onError);
          stream.once('ready', () => {
            stream.off('error', onError);
            this.stream = stream;
            watchLink(stream, this.closed, () => {
              if (this.stream === stream) this.stream = null;
            });
            resolve();
          });
        }),
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    const stream = this.stream;
    if (!stream || !this.isOpen) {
      return Promise.reject(new TransportError('closed', `${this.path} is not open`));
    }
    return writeToLink(stream, this.path, bytes, { onFailure: () => stream.destroy() });
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
