// Raw TCP (port 9100, "JetDirect"): two-way, so status queries work over it.
import { Socket } from 'node:net';
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
  private opening: Promise<void> | null = null;
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
    this.opening ??= new Promise<void>((resolve, reject) => {
      const socket = new Socket();
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TransportError('timeout', `No answer from ${this.description}`));
      }, this.options.connectTimeoutMs ?? 3000);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new TransportError(
            'connect_failed',
            `Cannot connect to ${this.description}: ${error.message}`,
            {
              cause: error,
            },
          ),
        );
      };
      socket.once('error', onError);
      socket.connect(this.options.port, this.options.host, () => {
        clearTimeout(timer);
        socket.off('error', onError);
        this.socket = socket;
        let lastError: Error | null = null;
        socket.on('data', (chunk: Buffer) => this.data.emit(new Uint8Array(chunk)));
        socket.on('error', (error) => (lastError = error));
        socket.on('close', () => {
          if (this.socket === socket) this.socket = null;
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
    const socket = this.socket;
    if (!socket || !this.isOpen) {
      return Promise.reject(new TransportError('closed', `${this.description} is not connected`));
    }
    return new Promise((resolve, reject) => {
      const onClose = (): void =>
        reject(new TransportError('closed', `${this.description} closed during the write`));
      socket.once('close', onClose);
      socket.write(bytes, (error) => {
        socket.off('close', onClose);
        if (error) {
          reject(
            new TransportError(
              'write_failed',
              `Write to ${this.description} failed: ${error.message}`,
              { cause: error },
            ),
          );
        } else resolve();
      });
    });
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
