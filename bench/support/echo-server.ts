// The transport baseline of the hub benches: a socket.io server on /sync that acks each
// command with its payload, in its own process like the hub. Prints its URL when listening.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const server = new Server(http, { serveClient: false });
server
  .of('/sync')
  .on('connection', (s) =>
    s.on('command', (payload: unknown, ack: (r: unknown) => void) => ack(payload)),
  );
http.listen(0, '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(
    `echo listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`,
  );
});
process.on('SIGTERM', () => {
  void server.close();
  process.exit(0);
});
