// The SMS provider (Twilio's Messages API request format) and an SMTP server, in the test
// process, receiving what the hub sends.
import { createServer, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';

export interface Sms {
  to: string;
  from: string;
  body: string;
  key: string;
}

export interface SmsProvider {
  baseUrl: string;
  sid: string;
  token: string;
  /** Accepted messages, once per idempotency key. */
  messages: Sms[];
  refused: string[];
  close(): Promise<void>;
}

/** A Twilio stand-in: checks the path, basic auth and form body; fails each message's first try. */
export async function startSmsProvider(): Promise<SmsProvider> {
  const sid = 'AC0123456789abcdef0123456789abcdef';
  const token = 'test-auth-token';
  const tried = new Set<string>();
  const seen = new Set<string>();
  const state = { messages: [] as Sms[], refused: [] as string[] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`;
      if (
        req.method !== 'POST' ||
        req.url !== `/2010-04-01/Accounts/${sid}/Messages.json` ||
        req.headers.authorization !== auth ||
        req.headers['content-type'] !== 'application/x-www-form-urlencoded'
      ) {
        state.refused.push(`${req.method ?? ''} ${req.url ?? ''}`);
        res.writeHead(401).end();
        return;
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const key = String(req.headers['x-lineup-idempotency-key'] ?? '');
      if (!tried.has(key)) {
        tried.add(key);
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"code":20500}');
        return;
      }
      if (!seen.has(key)) {
        seen.add(key);
        state.messages.push({
          to: form.get('To') ?? '',
          from: form.get('From') ?? '',
          body: form.get('Body') ?? '',
          key,
        });
      }
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sid: `SM${key.length}`, status: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return Object.assign(state, {
    baseUrl: `http://127.0.0.1:${port}`,
    sid,
    token,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

export interface Mail {
  to: string[];
  raw: string;
}

export interface MailServer {
  url: string;
  /** Mails received, once per X-Lineup-Idempotency-Key. */
  mails: Mail[];
  close(): Promise<void>;
}

export async function startMailServer(): Promise<MailServer> {
  const mails: Mail[] = [];
  const keys = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        // A resend after the hub gave up waiting for our "250 OK" carries the same key: kept
        // once, as a mailbox filtering on it would (the webhook and SMS stand-ins do the same).
        const key = /^X-Lineup-Idempotency-Key:\s*(\S+)/im.exec(raw)?.[1];
        if (key === undefined || !keys.has(key)) {
          if (key !== undefined) keys.add(key);
          mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        }
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
