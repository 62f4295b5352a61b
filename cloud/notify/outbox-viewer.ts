// The demo's outbox viewer: a local SMTP server, a partner webhook receiver and a Twilio-shaped
// SMS endpoint that keep what the hub sends, shown on a small page, so a newcomer sees the
// messages a customer and a partner would get. Dev/demo only (smtp-server is a dev dependency).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { HubRepo } from '../db/hub-repo.js';
import { setOrganizationWebhook, setSmsSettings, setSmtpSettings } from './settings.js';
import { verifyBody } from './signing.js';

export interface ViewedMessage {
  at: string;
  channel: 'email' | 'sms' | 'webhook';
  to: string;
  key: string;
  text: string;
  verified: boolean | null;
}

export interface OutboxViewer {
  url: string;
  smtpUrl: string;
  messages: ViewedMessage[];
  close(): Promise<void>;
}

export const VIEWER_SECRET = 'lineup-demo-outbox-viewer-secret';
const SID = 'ACdemo';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function page(messages: readonly ViewedMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.at)}</td><td>${m.channel}</td><td>${escapeHtml(m.to)}</td>` +
        `<td><pre>${escapeHtml(m.text)}</pre></td><td>${m.verified === null ? '' : m.verified ? 'signed ✓' : 'BAD SIGNATURE'}</td>` +
        `<td><code>${escapeHtml(m.key)}</code></td></tr>`,
    )
    .join('');
  return `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="3">
<title>Lineup outbox viewer</title><style>body{font-family:sans-serif}td{vertical-align:top;border-top:1px solid #ccc;padding:4px}pre{white-space:pre-wrap;margin:0}</style>
<h1>What the customers and partners received</h1><table><tr><th>at</th><th>channel</th><th>to</th><th>message</th><th></th><th>idempotency key</th></tr>${rows}</table>`;
}

export async function startOutboxViewer(
  options: { port?: number; smtpPort?: number; host?: string } = {},
): Promise<OutboxViewer> {
  const host = options.host ?? '127.0.0.1';
  const messages: ViewedMessage[] = [];
  const { SMTPServer } = await import('smtp-server');
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
        messages.push({
          at: new Date().toISOString(),
          channel: 'email',
          to: session.envelope.rcptTo.map((r) => r.address).join(', '),
          key: /X-Lineup-Idempotency-Key: (.+)/i.exec(head)?.[1]?.trim() ?? '',
          text: `${/^Subject: (.+)$/im.exec(head)?.[1] ?? ''}\n\n${rest.join('\n\n')}`,
          verified: null,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(options.smtpPort ?? 0, host, () => resolve()));
  const smtpAddress = smtp.server.address();
  const smtpPort = typeof smtpAddress === 'object' && smtpAddress !== null ? smtpAddress.port : 0;

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const key = String(req.headers['x-lineup-idempotency-key'] ?? '');
      if (req.method === 'POST' && req.url === '/webhook') {
        const ts = String(req.headers['x-lineup-timestamp'] ?? '');
        const sig = String(req.headers['x-lineup-signature'] ?? '');
        let text = body;
        let to = '';
        try {
          const parsed = JSON.parse(body) as {
            pushId?: string;
            message?: { action?: string; content?: string };
          };
          to = parsed.pushId ?? '';
          text = `${parsed.message?.action ?? ''}: ${parsed.message?.content ?? ''}`;
        } catch {
          // Shown as received.
        }
        if (!messages.some((m) => m.key === key && m.channel === 'webhook')) {
          messages.push({
            at: new Date().toISOString(),
            channel: 'webhook',
            to,
            key,
            text,
            verified: verifyBody(VIEWER_SECRET, ts, body, sig),
          });
        }
        return void res.writeHead(204).end();
      }
      if (req.method === 'POST' && req.url === `/2010-04-01/Accounts/${SID}/Messages.json`) {
        const form = new URLSearchParams(body);
        if (!messages.some((m) => m.key === key && m.channel === 'sms')) {
          messages.push({
            at: new Date().toISOString(),
            channel: 'sms',
            to: form.get('To') ?? '',
            key,
            text: form.get('Body') ?? '',
            verified: null,
          });
        }
        return void res
          .writeHead(201, { 'content-type': 'application/json' })
          .end('{"status":"queued"}');
      }
      if (req.method === 'GET' && req.url === '/messages.json') {
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify(messages));
      }
      if (req.method === 'GET' && (req.url === '/' || req.url === '/index.html')) {
        return void res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(page(messages));
      }
      res.writeHead(404).end();
    })();
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://${host}:${port}`,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    messages,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}

/** Points the hub's notifications of `organizationId` at the viewer (webhook, SMTP, SMS). */
export async function useOutboxViewer(
  repo: HubRepo,
  viewer: Pick<OutboxViewer, 'url' | 'smtpUrl'>,
  organizationId: string,
): Promise<void> {
  await setOrganizationWebhook(repo, organizationId, {
    url: `${viewer.url}/webhook`,
    secret: VIEWER_SECRET,
  });
  await setSmtpSettings(repo, { url: viewer.smtpUrl, from: 'Lineup demo <store@lineup.demo>' });
  await setSmsSettings(repo, {
    provider: 'twilio',
    accountSid: SID,
    authToken: 'demo',
    from: 'Lineup',
    baseUrl: viewer.url,
  });
}
