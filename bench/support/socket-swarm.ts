// A client process for bench/hub-multinode.ts: holds many device sockets (WebSocket only) to one
// hub node and reports, on its own clock (performance.timeOrigin + now, the same wall clock as
// the parent on one machine), when every socket has heard the next change. Driven over IPC so
// the parent can spread 10,000 sockets over several processes, each under the fd limit.
import type { Socket } from 'socket.io-client';
import type { DeviceCredential } from '../../shared/protocol/sync.js';
import { connect } from './bench-kit.js';

export type SwarmRequest =
  | { kind: 'connect'; url: string; count: number; auth: DeviceCredential }
  | { kind: 'arm' }
  | { kind: 'status' }
  | { kind: 'close' };

export type SwarmReply =
  | { kind: 'connected'; count: number; dropped: number }
  | { kind: 'failed'; connected: number; message: string }
  | { kind: 'armed' }
  | { kind: 'heard'; at: number }
  | { kind: 'status'; connected: number; heard: number; dropped: number };

const BATCH = 100;
const sockets: Socket[] = [];
let dropped = 0;
let heard = 0;
const send = (reply: SwarmReply): void => void process.send?.(reply);
const now = (): number => performance.timeOrigin + performance.now();

async function connectAll(url: string, count: number, auth: DeviceCredential): Promise<void> {
  try {
    while (sockets.length < count) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(BATCH, count - sockets.length) }, () => connect(url, auth)),
      );
      for (const socket of batch) socket.on('disconnect', () => (dropped += 1));
      sockets.push(...batch);
    }
    send({ kind: 'connected', count: sockets.length, dropped });
  } catch (error) {
    send({ kind: 'failed', connected: sockets.length, message: String(error) });
  }
}

/** Each socket counts once on its next change; the last one reports the time. */
function arm(): void {
  heard = 0;
  for (const socket of sockets) {
    socket.once('change', () => {
      heard += 1;
      if (heard === sockets.length) send({ kind: 'heard', at: now() });
    });
  }
  send({ kind: 'armed' });
}

process.on('message', (request: SwarmRequest) => {
  if (request.kind === 'connect') void connectAll(request.url, request.count, request.auth);
  else if (request.kind === 'arm') arm();
  else if (request.kind === 'status')
    send({ kind: 'status', connected: sockets.length, heard, dropped });
  else {
    for (const socket of sockets) socket.disconnect();
    process.disconnect?.();
  }
});
// The parent went away (crashed or killed): do not linger holding sockets.
process.on('disconnect', () => process.exit(0));
