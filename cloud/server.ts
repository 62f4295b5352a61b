// One HTTP server for everything: Fastify serves REST (FileVirtuelle v2, /provision) and
// socket.io's `/sync` namespace shares its port (the default namespace refuses every client).
import Fastify, { type FastifyInstance } from 'fastify';
import {
  MAX_SYNC_PAYLOAD_BYTES,
  PROVISION_PATH,
  ProvisionRequestSchema,
} from '../shared/protocol/sync.js';
import { installSignInLimit } from './auth/sign-in-limit.js';
import { registerAgentApi } from './agent/agent-routes.js';
import { registerConsole } from './console/routes.js';
import { openHubRepo, type HubDbLocation } from './db/open-hub-repo.js';
import { openPgRelay } from './db/pg-relay.js';
import { provision } from './engine/admin.js';
import { HubEngine } from './engine/hub-engine.js';
import { INVALID_JSON_CODE } from './rest/fv-errors.js';
import { registerOmbori } from './ombori/ombori-routes.js';
import { registerPhone } from './bloom/index.js';
import { registerNotify } from './notify/routes.js';
import { registerConsoleStatic } from './console/static.js';
import { registerFileVirtuelle } from './rest/fv-routes.js';
import { attachSync, type SyncServer } from './sync/sync-server.js';

/** Where the hub keeps its data: a SQLite data dir, or any storage location (Postgres). */
export type HubOptions = ({ dataDir: string } | { storage: HubDbLocation }) & {
  port?: number;
  host?: string;
  /**
   * Addresses or CIDR ranges of the proxies in front (a load balancer): their X-Forwarded-For
   * gives the client's address, which per-address limits count by. None: the peer's address.
   */
  trustProxy?: readonly string[];
};

export interface RunningHub {
  url: string;
  engine: HubEngine;
  app: FastifyInstance;
  sync: SyncServer;
  close(): Promise<void>;
}

/**
 * JSON is the only body the hub reads (any other content type is a 415); errors for bodies that
 * are not JSON, and an empty body read as no body (DELETE, GET).
 */
function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: MAX_SYNC_PAYLOAD_BYTES },
    (_request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text) as unknown);
      } catch {
        const error = new Error('The body is not valid JSON.') as Error & {
          statusCode: number;
          code: string;
        };
        error.statusCode = 400;
        error.code = INVALID_JSON_CODE;
        done(error, undefined);
      }
    },
  );
}

export async function startHub(options: HubOptions): Promise<RunningHub> {
  const storage: HubDbLocation =
    'storage' in options ? options.storage : { engine: 'sqlite', dataDir: options.dataDir };
  const repo = await openHubRepo(storage);
  // Several nodes on one Postgres database hear each other's broadcasts; SQLite is one node.
  const relay = storage.engine === 'postgres' ? await openPgRelay(storage.url) : null;
  const engine = new HubEngine(repo);
  const trusted = options.trustProxy ?? [];
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_SYNC_PAYLOAD_BYTES,
    trustProxy: trusted.length > 0 ? [...trusted] : false,
  });
  installJsonParser(app);
  const signInLimit = await installSignInLimit(app);

  app.post(PROVISION_PATH, async (request, reply) => {
    const parsed = ProvisionRequestSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply.code(400).send({
        error: 'invalid_request',
        message: 'Send {"macs": ["AC:AF:B9:37:CB:46", ...], "hostname": "..."} as JSON.',
      });
    }
    return provision(engine, parsed.data);
  });
  app.get('/health', async () => ({ ok: true }));
  registerFileVirtuelle(app, engine);
  registerAgentApi(app, engine, signInLimit);
  registerOmbori(app, engine);
  const worker = registerNotify(app, engine);
  await registerConsoleStatic(app);

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({
      code: status,
      error: status === 413 ? 'PayloadTooLarge' : status < 500 ? 'BadRequest' : 'InternalError',
      message: status < 500 ? error.message : 'The hub could not handle this request.',
    });
  });

  const sync = await attachSync(app.server, engine, { adapter: relay?.adapter });
  registerPhone(app, engine, sync.io, signInLimit, relay !== null);
  registerConsole(app, engine, sync, {
    storage,
    signInLimit,
    onMailQueued: () => worker.wake(),
  });
  // Devices only use `/sync`, which authenticates them; the default namespace would take anyone.
  sync.io.of('/').use((_socket, next) => {
    next(new Error('Connect to the /sync namespace with a device credential.'));
  });
  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  const host = options.host ?? '127.0.0.1';
  const url = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  void address;

  let closed = false;
  return {
    url,
    engine,
    app,
    sync,
    close: async () => {
      if (closed) return;
      closed = true;
      await sync.close();
      await app.close();
      await repo.close();
      await relay?.close();
    },
  };
}
