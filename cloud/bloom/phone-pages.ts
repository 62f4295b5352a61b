// The customer's phone pages, served by the hub: `/q/STORE` lists the services to join and
// `/t/TOKEN` follows one ticket live (a read-only `/ticket` socket.io namespace, authenticated by
// the ticket's unguessable page token, that only ever carries that ticket). Server-rendered
// HTML in the store's languages (RTL for Arabic) plus one small script each.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import type { Customer, Store } from '../../shared/domain/entities.js';
import { MAX_POSTPONE_PLACES } from '../../shared/domain/postpone.js';
import { isRtl, isSupportedLang, pickText, t, type MessageKey } from '../../shared/i18n/index.js';
import {
  TICKET_PATH_ROUTE,
  TicketPathRequestSchema,
  type TicketPathResponse,
} from '../../shared/protocol/ticket-page.js';
import { checkCredential } from '../engine/admin.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { JOIN_SCRIPT, TICKET_SCRIPT } from './page-script.js';
import type { PhoneQueue } from './phone-queue.js';
import { PhoneRefusal } from './phone-queue.js';
import { joinableServices, readStoreQueue, serviceLoad } from './queue-view.js';
import { ticketView, type TicketView } from './ticket-view.js';

export const TICKET_NAMESPACE = '/ticket';
export const SOCKET_CLIENT_PATH = '/t/assets/socket.io.min.js';
/** Places a late customer moves back from the page. */
export const LATE_PLACES = 3;
const PHONE_COOKIE = 'lineup_phone';

/** The socket.io browser bundle (the package does not export its dist/ path). */
export function socketClientFile(): string {
  const main = createRequire(import.meta.url).resolve('socket.io-client');
  const root = main.slice(0, main.lastIndexOf('socket.io-client') + 'socket.io-client'.length);
  return join(root, 'dist', 'socket.io.min.js');
}

const TICKET_TEXTS = [
  'next',
  'ahead',
  'wait',
  'yourTurn',
  'serving',
  'left',
  'missed',
  'finished',
  'confirmLeave',
  'live',
  'reconnecting',
] as const;

const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
/** JSON inside a <script type="application/json">: no way to close the element. */
const jsonScript = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');

const CSS = `*{box-sizing:border-box}body{margin:0;font:17px/1.4 system-ui,sans-serif;color:#1b1f24;background:#f4f6f8}
main{max-width:480px;margin:0 auto;padding:16px}h1{font-size:1.3rem;margin:.2em 0 .6em}
.card{background:#fff;border-radius:12px;padding:16px;margin:12px 0;box-shadow:0 1px 3px #0002}
button{font:inherit;width:100%;padding:14px;margin:6px 0;border:0;border-radius:10px;background:#1f3a5f;color:#fff}
button.alt{background:#e4e8ee;color:#1b1f24}button:disabled{opacity:.5}
.svc small{display:block;opacity:.8;font-size:.85rem}
#ticket{font-size:3.2rem;font-weight:700;text-align:center;margin:0}
#status{font-size:1.25rem;text-align:center;font-weight:600}#detail,#service,#live,#note{text-align:center}
#live{font-size:.8rem;opacity:.6}body[data-state=called] .card.main{background:#ffd84d}
nav{display:flex;gap:10px;justify-content:center;font-size:.9rem}nav a{color:#1f3a5f}`;

function page(lang: string, title: string, body: string, scripts: string): string {
  return `<!doctype html><html lang="${esc(lang.toLowerCase())}" dir="${isRtl(lang) ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main>${scripts}</body></html>`;
}

/** The page's language: `?lang=`, else the browser's first one the store speaks, else the store's. */
function langFor(request: FastifyRequest, store: Store): string {
  const asked = (request.query as Record<string, unknown>).lang;
  const accept = (request.headers['accept-language'] ?? '')
    .split(',')
    .map((part) => part.split(';')[0]?.trim().slice(0, 2).toUpperCase() ?? '');
  const candidates = [typeof asked === 'string' ? asked.toUpperCase() : '', ...accept];
  return (
    candidates.find((l) => isSupportedLang(l) && store.langs.includes(l)) ?? store.langs[0] ?? 'EN'
  );
}

function langLinks(store: Store, lang: string): string {
  return `<nav>${store.langs
    .filter((l) => isSupportedLang(l) && l !== lang)
    .map((l) => `<a href="?lang=${esc(l)}">${esc(l)}</a>`)
    .join('')}</nav>`;
}

function cookie(request: FastifyRequest, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name && v !== undefined && /^[A-Za-z0-9_-]{16,64}$/.test(v)) return v;
  }
  return null;
}

const JoinBodySchema = z.object({
  serviceId: z.string().min(1).max(64),
  lang: z.string().max(8).optional(),
  position: z
    .object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) })
    .nullable()
    .optional(),
});
const LateBodySchema = z.object({
  places: z.number().int().min(1).max(MAX_POSTPONE_PLACES).default(LATE_PLACES),
});

export function registerPhonePages(
  app: FastifyInstance,
  engine: HubEngine,
  phone: PhoneQueue,
  io: Server,
  relayed: boolean,
): void {
  const socketClient = readFileSync(socketClientFile());

  const html = (reply: FastifyReply, status: number, text: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .send(text);

  const viewOf = async (customer: Customer): Promise<TicketView | null> => {
    const store = await engine.repo.store(customer.storeId);
    if (store === null) return null;
    return ticketView(await readStoreQueue(engine, store), customer, customer.lang);
  };

  app.get(SOCKET_CLIENT_PATH, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(socketClient),
  );

  app.get('/q/:store', async (request, reply) => {
    const storeId = (request.params as { store: string }).store;
    const store = await engine.repo.store(storeId);
    if (store === null || !store.phoneQueue.enabled) {
      const lang = store?.langs[0] ?? 'EN';
      return html(
        reply,
        404,
        page(lang, 'Lineup', `<p>${esc(t(lang, 'phone.unavailable'))}</p>`, ''),
      );
    }
    const lang = langFor(request, store);
    const queue = await readStoreQueue(engine, store);
    const buttons = joinableServices(queue)
      .map((s) => {
        const load = serviceLoad(queue, s.id);
        const line = t(lang, 'phone.waitingCount', {
          count: load.waiting,
          minutes: Math.max(1, load.waitMinutes),
        });
        return `<button class="svc" data-service="${esc(s.id)}">${esc(pickText(s.name, lang, store.langs))}<small>${esc(line)}</small></button>`;
      })
      .join('');
    if (cookie(request, PHONE_COOKIE) === null) {
      void reply.header(
        'set-cookie',
        `${PHONE_COOKIE}=${randomBytes(18).toString('base64url')}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`,
      );
    }
    const cfg = { lang, needsPosition: store.phoneQueue.radiusKm > 0 };
    return html(
      reply,
      200,
      page(
        lang,
        `${store.name} · ${t(lang, 'phone.join')}`,
        `<h1>${esc(store.name)}</h1><p>${esc(t(lang, 'phone.chooseService'))}</p><div class="card">${buttons}</div><p id="error" role="alert" hidden></p>${langLinks(store, lang)}`,
        `<script type="application/json" id="cfg">${jsonScript(cfg)}</script><script>${JOIN_SCRIPT}</script>`,
      ),
    );
  });

  app.post('/q/:store/join', async (request, reply) => {
    const storeId = (request.params as { store: string }).store;
    const body = JoinBodySchema.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send({ error: 'Send {"serviceId": "..."} as JSON.' });
    // The browser's own key ("one ticket per phone"); without the cookie, one per network.
    const phoneKey = `browser:${cookie(request, PHONE_COOKIE) ?? `ip:${request.ip}`}`;
    try {
      const made = await phone.join({
        storeId,
        serviceId: body.data.serviceId,
        accountId: null,
        phoneKey,
        ip: request.ip,
        position: body.data.position ?? null,
        lang: body.data.lang ?? (await engine.repo.store(storeId))?.langs[0] ?? 'EN',
      });
      return { url: `/t/${made.token}`, ticket: made.customer.ticket };
    } catch (error) {
      if (error instanceof PhoneRefusal)
        return reply.code(error.status).send({ error: error.message });
      throw error;
    }
  });

  const tokenCustomer = async (
    request: FastifyRequest,
  ): Promise<{ token: string; customer: Customer | null }> => {
    const token = (request.params as { token: string }).token;
    return { token, customer: await phone.customerOfToken(token) };
  };

  app.get('/t/:token', async (request, reply) => {
    const { token, customer } = await tokenCustomer(request);
    const view = customer === null ? null : await viewOf(customer);
    if (customer === null || view === null) {
      return html(reply, 404, page('EN', 'Lineup', `<p>${esc(t('EN', 'phone.notFound'))}</p>`, ''));
    }
    const store = await engine.repo.store(customer.storeId);
    const lang =
      store === null
        ? customer.lang
        : (request.query as Record<string, unknown>).lang !== undefined
          ? langFor(request, store)
          : customer.lang;
    const texts = Object.fromEntries(
      TICKET_TEXTS.map((k) => [k, t(lang, `phone.${k}` as MessageKey)]),
    );
    const cfg = {
      token,
      texts,
      latePlaces: LATE_PLACES,
      view: { ...view, ...(await localized(view, customer, lang)) },
    };
    return html(
      reply,
      200,
      page(
        lang,
        `${view.ticket} · ${view.store}`,
        `<h1>${esc(view.store)}</h1><div class="card main"><p>${esc(t(lang, 'phone.yourTicket'))}</p><p id="ticket">${esc(view.ticket)}</p><p id="service"></p><p id="status" role="status" aria-live="assertive"></p><p id="detail"></p><span id="ahead" hidden></span></div><div id="actions"><button id="late" class="alt">${esc(t(lang, 'phone.late'))}</button><button id="leave" class="alt">${esc(t(lang, 'phone.leave'))}</button></div><p id="note" role="status"></p><p id="live"></p>${store === null ? '' : langLinks(store, lang)}`,
        `<script type="application/json" id="cfg">${jsonScript(cfg)}</script><script src="${SOCKET_CLIENT_PATH}"></script><script>${TICKET_SCRIPT}</script>`,
      ),
    );
  });

  /** The view in the page's language (the socket sends the ticket's own). */
  async function localized(
    view: TicketView,
    customer: Customer,
    lang: string,
  ): Promise<Partial<TicketView>> {
    if (lang === customer.lang) return {};
    const store = await engine.repo.store(customer.storeId);
    if (store === null) return {};
    return { service: ticketView(await readStoreQueue(engine, store), customer, lang).service };
  }

  const act =
    (run: (customer: Customer, body: unknown) => Promise<{ customer: Customer; note: string }>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const { customer } = await tokenCustomer(request);
      if (customer === null) return reply.code(404).send({ error: t('EN', 'phone.notFound') });
      try {
        const done = await run(customer, request.body ?? {});
        return { view: await viewOf(done.customer), note: done.note };
      } catch (error) {
        if (error instanceof PhoneRefusal)
          return reply
            .code(error.status)
            .send({ error: error.message, view: await viewOf(customer) });
        throw error;
      }
    };

  app.post(
    '/t/:token/cancel',
    act(async (customer) => ({
      customer: await phone.cancel(customer),
      note: t(customer.lang, 'phone.left'),
    })),
  );
  app.post(
    '/t/:token/late',
    act(async (customer, body) => {
      const parsed = LateBodySchema.safeParse(body);
      if (!parsed.success) throw new PhoneRefusal('Send {"places": 1..20} as JSON.', 400);
      const moved = await phone.postpone(customer, parsed.data.places);
      return {
        customer: moved,
        note: t(customer.lang, 'phone.movedBack', { places: parsed.data.places }),
      };
    }),
  );

  // The printed ticket's QR: a device of the ticket's store asks for its page path (the token
  // needs the hub's secret). The store's own QR needs nothing: `/q/<store id>`.
  app.post(TICKET_PATH_ROUTE, async (request, reply) => {
    const body = TicketPathRequestSchema.safeParse(request.body ?? {});
    if (!body.success)
      return reply.code(400).send({ error: 'Send {"credential": {...}, "customerId": "..."}.' });
    const check = await checkCredential(engine, body.data.credential);
    if (!check.ok) return reply.code(401).send({ error: check.reason });
    const customer = await engine.repo.customer(body.data.customerId);
    if (customer === null || customer.storeId !== check.device.storeId)
      return reply.code(404).send({ error: `Customer ${body.data.customerId} does not exist.` });
    const answer: TicketPathResponse = {
      path: `/t/${await phone.pageToken(customer.id)}`,
      storePath: `/q/${customer.storeId}`,
    };
    return answer;
  });

  const detach = attachTicketNamespace(io, engine, phone, relayed);
  app.addHook('onClose', async () => detach());
}

/** Between hub nodes: "these stores changed here" (the phones of those stores on every node). */
const STORES_CHANGED = 'stores_changed';
const StoreIdsSchema = z.array(z.string().max(200)).max(10_000);
/** How long a node gathers its changed stores before telling the other nodes. */
const RELAY_WINDOW_MS = 25;

/**
 * `/ticket`: a socket authenticates with a page token and hears `ticket` (its TicketView) when
 * anything in its store changes that changes that view. It can send nothing. With several hub
 * nodes, a node tells the others which stores its commits changed, through the relay.
 */
function attachTicketNamespace(
  io: Server,
  engine: HubEngine,
  phone: PhoneQueue,
  relayed: boolean,
): () => void {
  const nsp = io.of(TICKET_NAMESPACE);
  const storeRoom = (storeId: string) => `tstore:${storeId}`;

  nsp.use((socket, next) => {
    const token = (socket.handshake.auth as Record<string, unknown>).token;
    const found = typeof token === 'string' ? phone.customerOfToken(token) : Promise.resolve(null);
    found.then(
      (customer) => {
        if (customer === null) return next(new Error('unknown_ticket'));
        socket.data.customerId = customer.id;
        socket.data.storeId = customer.storeId;
        next();
      },
      () => next(new Error('unknown_ticket')),
    );
  });

  const push = async (sockets: Iterable<Socket>, storeId: string): Promise<void> => {
    const store = await engine.repo.store(storeId);
    if (store === null) return;
    const queue = await readStoreQueue(engine, store);
    for (const socket of sockets) {
      const id = socket.data.customerId as string;
      const customer = queue.customers.find((c) => c.id === id) ?? (await engine.repo.customer(id));
      if (customer === null) continue;
      const view = ticketView(queue, customer, customer.lang);
      const text = JSON.stringify(view);
      if (socket.data.lastView === text) continue;
      socket.data.lastView = text;
      socket.emit('ticket', view);
    }
  };

  nsp.on('connection', (socket) => {
    const storeId = socket.data.storeId as string;
    void socket.join(storeRoom(storeId));
    // A view that cannot be read now is sent with the store's next change.
    push([socket], storeId).catch(() => {});
  });

  const pushStores = (storeIds: Iterable<string>): void => {
    for (const storeId of storeIds) {
      const ids = nsp.adapter.rooms.get(storeRoom(storeId));
      if (ids === undefined || ids.size === 0) continue;
      const sockets = [...ids]
        .map((id) => nsp.sockets.get(id))
        .filter((s): s is Socket => s !== undefined);
      push(sockets, storeId).catch(() => {});
    }
  };
  // Told to the other nodes once per short window, not once per commit: each message is a
  // NOTIFY on the database, and a phone does not need a busy store's every commit.
  const changedHere = new Set<string>();
  let relayTimer: NodeJS.Timeout | undefined;
  const unsubscribe = engine.onChanges((changes) => {
    const storeIds = [...new Set(changes.map((c) => c.storeId))];
    pushStores(storeIds);
    if (!relayed) return;
    for (const id of storeIds) changedHere.add(id);
    relayTimer ??= setTimeout(() => {
      relayTimer = undefined;
      nsp.serverSideEmit(STORES_CHANGED, [...changedHere]);
      changedHere.clear();
    }, RELAY_WINDOW_MS);
    relayTimer.unref();
  });
  if (relayed) {
    nsp.on(STORES_CHANGED, (raw: unknown) => {
      const storeIds = StoreIdsSchema.safeParse(raw);
      if (storeIds.success) pushStores(storeIds.data);
    });
  }
  // The hub closing: nothing more to tell, nor a relay left to tell it through.
  return () => {
    unsubscribe();
    clearTimeout(relayTimer);
    relayTimer = undefined;
  };
}
