// The transport baselines of the hub benches: a socket.io server on /sync, in its own process
// like the hub, that acks each command with its payload. With `--pg URL` it first commits a raw
// INSERT on that Postgres (BEGIN, INSERT, COMMIT, 8 connections): the transport plus the
// durable commit, with none of the hub's own work. Prints its URL when listening.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Server } from 'socket.io';

const { values } = parseArgs({ options: { pg: { type: 'string' } } });
const pool = values.pg === undefined ? null : new pg.Pool({ connectionString: values.pg, max: 8 });
await pool?.query(
  'CREATE TABLE IF NOT EXISTS echo_log (seq bigserial PRIMARY KEY, data text NOT NULL)',
);

/** The raw commit a command costs with `--pg`. */
async function commit(payload: unknown): Promise<void> {
  if (pool === null) return;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('INSERT INTO echo_log (data) VALUES ($1)', [JSON.stringify(payload)]);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

const http = createServer();
const server = new Server(http, { serveClient: false });
server.of('/sync').on('connection', (s) =>
  s.on('command', (payload: unknown, ack: (r: unknown) => void) => {
    commit(payload).then(
      () => ack(payload),
      (error: unknown) => ack({ ok: false, error: String(error) }),
    );
  }),
);
http.listen(0, '127.0.0.1', () => {
  const a = http.address();
  process.stdout.write(
    `echo listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`,
  );
});
process.on('SIGTERM', () => {
  void server.close();
  void pool?.end();
  process.exit(0);
});
