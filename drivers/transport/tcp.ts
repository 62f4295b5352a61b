// Raw TCP (port 9100, "JetDirect"): two-way, so status queries work over it.
import { Socket } from 'node:net';
import { openFailed, SharedOpen, watchLink, writeToLink } from './stream.js';
import { Listeners, TransportError } from './types.js';
import type { ByteTransport } from './types.js';

export interface TcpOptions {
  host: string;
  port: number;
  connectTimeoutMs?: number;
}

export class TcpTransport implements ByteTransport {
  readonly kind = 'tcp' as const;
  readonly twoWay = true;
  readonly description: string;
  private socket: Socket | null = null;
  private readonly opening = new SharedOpen();
  private readonly data = new Listeners<[Uint8Array]>();
  private readonly closed = new Listeners<[Error | null]>();

  constructor(private readonly options: TcpOptions) {
    this.description = `tcp://${options.host}:${options.port}`;
  }

  get isOpen(): boolean {
    return this.socket !== null && !this.socket.destroyed && !this.socket.connecting;
  }

  open(): Promise<void> {
    if (this.isOpen) return Promise.resolve();
    return this.opening.run(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = new Socket();
          socket.setNoDelay(true);
          const timer = setTimeout(() => {
            socket.destroy();
            reject(new TransportError('timeout', `No answer from ${this.description}`));
          }, this.options.connectTimeoutMs ?? 3000);
          const onError = (error: Error): void => {
            clearTimeout(timer);
            socket.destroy();
            reject(openFailed(`Cannot connect to ${this.description}`, error));
          };
          socket.once('error', onError);
          socket.connect(this.options.port, this.options.host, () => {
            clearTimeout(timer);
            socket.off('error', onError);
            this.socket = socket;
            watchLink(
              socket,
              this.closed,
              () => {
                if (this.socket === socket) this.socket = null;
              },
              this.data,
            );
            resolve();
          });
        }),
    );
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || !this.isOpen) {
      return Promise.reject(new TransportError('closed', `${this.description} is not connected`));
    }
    return writeToLink(socket, this.description, bytes, { failOnClose: socket });
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.data.add(listener);
  }

  onClose(listener: (error: Error | null) => void): () => void {
    return this.closed.add(listener);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 200).unref();
    });
  }
}
