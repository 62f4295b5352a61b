// An independent partner server written from the seeds and the README alone (no import from
// cloud/ or shared/): it receives Lineberty notification messages
// `{pushId, message: {action, content, data}}`, checks the HMAC-SHA256 signature over
// "<X-Lineup-Timestamp>.<body>", and applies each X-Lineup-Idempotency-Key once. It can be told
// to fail (500) or hang on some requests to exercise the sender's retries.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

const ACTION = /^TICKET_(BOOKED|ALERTED|CALLED|ONHOLD|NOSHOW|INPROGRESS|CANCELED|DONE|REMIND_\d+)$/;

export interface Applied {
  key: string;
  pushId: string;
  action: string;
  content: string;
  data: Record<string, unknown>;
}

export interface Receiver {
  url: string;
  /** Messages applied, once per idempotency key, in arrival order. */
  applied: Applied[];
  /** Every request that reached the handler (repeats included). */
  deliveries: number;
  /** Keys received again after they were applied (acknowledged, not applied twice). */
  repeats: string[];
  /** Requests refused for a bad signature or body: must stay empty. */
  rejected: string[];
  close(): Promise<void>;
}

export type Behaviour = (requestNumber: number) => 'ok' | 'fail' | 'hang';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function verifySignature(
  secret: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export async function startReceiver(
  secret: string,
  behaviour: Behaviour = () => 'ok',
): Promise<Receiver> {
  const seen = new Set<string>();
  const hanging = new Set<() => void>();
  let count = 0;
  const state: Omit<Receiver, 'url' | 'close'> = {
    applied: [],
    deliveries: 0,
    repeats: [],
    rejected: [],
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const n = count++;
      const mode = behaviour(n);
      if (mode === 'hang') {
        hanging.add(() => res.destroy());
        return;
      }
      if (mode === 'fail') {
        res.writeHead(500).end('try again later');
        return;
      }
      state.deliveries += 1;
      const timestamp = String(req.headers['x-lineup-timestamp'] ?? '');
      const signature = String(req.headers['x-lineup-signature'] ?? '');
      const key = String(req.headers['x-lineup-idempotency-key'] ?? '');
      if (!verifySignature(secret, timestamp, body, signature) || key === '') {
        state.rejected.push(`bad signature ${key}`);
        res.writeHead(401).end();
        return;
      }
      const parsed = JSON.parse(body) as { pushId?: unknown; message?: Record<string, unknown> };
      const m = parsed.message;
      if (
        typeof parsed.pushId !== 'string' ||
        m === undefined ||
        typeof m.action !== 'string' ||
        !ACTION.test(m.action) ||
        typeof m.content !== 'string' ||
        typeof m.data !== 'object' ||
        m.data === null
      ) {
        state.rejected.push(`bad body ${body}`);
        res.writeHead(400).end();
        return;
      }
      // Apply once: a repeat (the sender retried after a crash or a lost answer) is acknowledged.
      if (seen.has(key)) state.repeats.push(key);
      else {
        seen.add(key);
        state.applied.push({
          key,
          pushId: parsed.pushId,
          action: m.action,
          content: m.content,
          data: m.data as Record<string, unknown>,
        });
      }
      res.writeHead(204).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/lineberty/notify`,
    close: async () => {
      for (const drop of hanging) drop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
