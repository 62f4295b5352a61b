// `lineup-hub`: serve, seed the demo store, create API keys, provision devices, manage staff,
// exchange Ombori tickets.
// Bad arguments get one line on stderr and a non-zero exit, never a stack trace.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { removeStaff } from './agent/agent-sessions.js';
import { DeviceRoleSchema } from '../shared/domain/entities.js';
import {
  HubDbLocationError,
  hubDbLocation,
  openHubRepo,
  type HubDbLocation,
} from './db/open-hub-repo.js';
import {
  AdminError,
  addDevice,
  removeDevice,
  resetDevice,
  seedStore,
  updateService,
} from './engine/admin.js';
import { HubEngine } from './engine/hub-engine.js';
import {
  ApiAccessSchema,
  createApiAccount,
  getApiAccount,
  listApiAccounts,
  saveApiAccount,
} from './rest/api-keys.js';
import { exportOmboriTickets, importOmboriTickets } from './ombori/ombori-exchange.js';
import { pendingResets, updatePhoneSettings } from './bloom/admin.js';
import { NOTIFY_USAGE, notifyCommand, outboxCommand } from './notify/cli.js';
import { startHub } from './server.js';
import {
  StaffError,
  StaffRoleSchema,
  changePassword,
  createStaff,
  findStaff,
  listStaff,
} from './staff/staff.js';

const USAGE = `usage:
  lineup-hub serve --data DIR [--port N] [--host ADDR] [--trust-proxy ADDR[/BITS],...]
  lineup-hub seed demo --data DIR
  lineup-hub apikey create --data DIR --name NAME [--max-hits N] [--testing] [--sms N] [--email N] [--access JSON]
  lineup-hub apikey list --data DIR
  lineup-hub apikey lock|unlock --data DIR --key KEY
  lineup-hub device add --data DIR --store ID --mac MAC --hostname NAME --role machine|desk|screen [--name NAME] [--id ID] [--services ID,ID]
  lineup-hub device list --data DIR [--store ID]
  lineup-hub device remove --data DIR --id ID
  lineup-hub device reset --data DIR --id ID [--id ID...]   (revokes its credential; it may claim a new one)
  lineup-hub service update --data DIR --id ID --set JSON   (e.g. '{"serviceMinutes":7}')
  lineup-hub user create --data DIR --email EMAIL --name NAME --role owner|admin|store_manager|technician|agent [--stores ID,ID]   (password on stdin)
  lineup-hub user list --data DIR
  lineup-hub user passwd --data DIR --email EMAIL   (new password on stdin; revokes their tokens)
  lineup-hub user remove --data DIR --email EMAIL
  lineup-hub ombori export --data DIR --store ID [--id TICKET_ID]
  lineup-hub ombori import --data DIR --store ID [--service ID]   (Ombori JSON, one ticket or an array, on stdin)
  lineup-hub bloom settings --data DIR --store ID --set JSON   (e.g. '{"phoneQueue":{"enabled":true}}')
  lineup-hub bloom resets --data DIR   (pending Bloom password reset tokens)

${NOTIFY_USAGE}

Every command that takes --data DIR (SQLite, the default) takes --db postgres://… instead (a hub
of several nodes on one Postgres 14+ database); with neither, LINEUP_HUB_DB names the database.`;

class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses a command's flags; one that takes `--data DIR` also takes `--db URL` (Postgres). */
function parse(args: string[], options: Options, positionals = 0) {
  const withDb: Options = 'data' in options ? { ...options, db: { type: 'string' } } : options;
  const parsed = parseArgs({
    args,
    options: withDb,
    strict: true,
    allowPositionals: positionals > 0,
  });
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument "${parsed.positionals[positionals] ?? ''}"`);
  }
  return parsed;
}

function required(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** The hub's storage: `--data DIR` (SQLite) or `--db URL` / LINEUP_HUB_DB (Postgres). */
function storage(values: Record<string, unknown>): HubDbLocation {
  try {
    return hubDbLocation(values);
  } catch (error) {
    throw error instanceof HubDbLocationError ? new UsageError(error.message) : error;
  }
}

function integer(
  values: Record<string, unknown>,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

const print = (value: unknown): void => {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value)}\n`);
};

/** `--trust-proxy`: the load balancers' addresses or CIDR ranges, comma-separated. */
function proxyList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', bits, extra] = entry.split('/');
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !bitsOk || extra !== undefined) {
      throw new UsageError(
        `--trust-proxy takes the proxies' addresses or CIDR ranges, comma-separated (e.g. 10.0.0.5,10.1.0.0/16): "${entry}" is neither`,
      );
    }
  }
  return entries;
}

async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'trust-proxy': { type: 'string' },
  });
  const trustProxy = proxyList(values['trust-proxy'] as string | undefined);
  const hubData = storage(values);
  const port = integer(values, 'port', 0, 65535) ?? 8080;
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const hub = await startHub({ storage: hubData, port, host, trustProxy });
  print(`Lineup hub listening on ${hub.url}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      void hub.close().then(resolve, (error: unknown) => {
        process.stderr.write(`lineup-hub: error while stopping: ${String(error)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}

/** Runs `fn` on the hub's engine; the database closes after, or once `fn`'s promise settles. */
async function withEngine<T>(
  hubData: HubDbLocation,
  fn: (engine: HubEngine) => Promise<T>,
): Promise<T> {
  const repo = await openHubRepo(hubData);
  try {
    return await fn(new HubEngine(repo));
  } finally {
    await repo.close();
  }
}

/** A JSON object option (not null, not an array); `shape` is the usage error that tells its form. */
function jsonObject(
  values: Record<string, unknown>,
  name: string,
  shape: string,
): Record<string, unknown> {
  let fields: unknown;
  try {
    fields = JSON.parse(required(values, name));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(shape);
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new UsageError(shape);
  }
  return fields as Record<string, unknown>;
}

async function seed(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { data: { type: 'string' } }, 1);
  if (positionals[0] !== 'demo') throw new UsageError('only "seed demo" exists');
  const hubData = storage(values);
  const { created } = await withEngine(hubData, (engine) => seedStore(engine));
  print(
    created.length === 0
      ? 'Demo store already seeded: nothing to do.'
      : `Seeded the demo store: ${created.join(', ')}.`,
  );
}

async function apikey(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'create') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      name: { type: 'string' },
      'max-hits': { type: 'string' },
      testing: { type: 'boolean' },
      sms: { type: 'string' },
      email: { type: 'string' },
      access: { type: 'string' },
    });
    const hubData = storage(values);
    const name = required(values, 'name');
    let access: unknown = undefined;
    if (typeof values.access === 'string') {
      let json: unknown;
      try {
        json = JSON.parse(values.access);
      } catch {
        throw new UsageError(
          '--access must be JSON like {"rights":{"device":{"r":true}},"filter":{...}}',
        );
      }
      const parsed = ApiAccessSchema.safeParse(json);
      if (!parsed.success)
        throw new UsageError(`--access: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      access = parsed.data;
    }
    const maxHits = integer(values, 'max-hits', 1, 1_000_000);
    const sms = integer(values, 'sms', 0, 1_000_000);
    const email = integer(values, 'email', 0, 1_000_000);
    const account = await withEngine(hubData, (engine) =>
      createApiAccount(engine.repo, {
        name,
        access,
        testing: values.testing === true,
        ...(maxHits !== undefined ? { maxHits } : {}),
        ...(sms !== undefined ? { sms } : {}),
        ...(email !== undefined ? { email } : {}),
      }),
    );
    print({ key: account.key, secret: account.secret });
    return;
  }
  if (action === 'list') {
    const { values } = parse(rest, { data: { type: 'string' } });
    const accounts = await withEngine(storage(values), (engine) => listApiAccounts(engine.repo));
    print(accounts.map(({ secret: _secret, ...visible }) => visible));
    return;
  }
  if (action === 'lock' || action === 'unlock') {
    const { values } = parse(rest, { data: { type: 'string' }, key: { type: 'string' } });
    const key = required(values, 'key');
    await withEngine(storage(values), async (engine) => {
      const account = await getApiAccount(engine.repo, key);
      if (account === null) throw new AdminError(`API key ${key} does not exist.`);
      await saveApiAccount(engine.repo, { ...account, locked: action === 'lock' });
    });
    print(`API key ${key} ${action}ed.`);
    return;
  }
  throw new UsageError('apikey needs create, list, lock or unlock');
}

async function device(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'add') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      store: { type: 'string' },
      mac: { type: 'string' },
      hostname: { type: 'string' },
      role: { type: 'string' },
      name: { type: 'string' },
      id: { type: 'string' },
      services: { type: 'string' },
    });
    const role = DeviceRoleSchema.safeParse(values.role);
    if (!role.success) throw new UsageError('--role must be machine, desk or screen');
    const hubData = storage(values);
    const out = await withEngine(hubData, (engine) =>
      addDevice(engine, {
        storeId: required(values, 'store'),
        mac: required(values, 'mac'),
        hostname: required(values, 'hostname'),
        role: role.data,
        ...(typeof values.name === 'string' ? { name: values.name } : {}),
        ...(typeof values.id === 'string' ? { id: values.id } : {}),
        ...(typeof values.services === 'string'
          ? {
              serviceIds: values.services
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            }
          : {}),
      }),
    );
    print(out);
    return;
  }
  if (action === 'list') {
    const { values } = parse(rest, { data: { type: 'string' }, store: { type: 'string' } });
    const store = values.store as string | undefined;
    print(
      await withEngine(storage(values), async (engine) => {
        const out = [];
        for (const d of await engine.repo.devices(store))
          out.push({ ...d, claim: await engine.repo.claimState(d.id) });
        return out;
      }),
    );
    return;
  }
  if (action === 'remove') {
    const { values } = parse(rest, { data: { type: 'string' }, id: { type: 'string' } });
    const removed = await withEngine(storage(values), (engine) =>
      removeDevice(engine, required(values, 'id')),
    );
    print(`Removed device ${removed.id} (${removed.hostname}); its credential is revoked.`);
    return;
  }
  if (action === 'reset') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      id: { type: 'string', multiple: true },
    });
    const hubData = storage(values);
    const ids = (values.id as string[] | undefined) ?? [];
    if (ids.length === 0 || ids.some((id) => id === '')) throw new UsageError('--id is required');
    // Checked first: a missing id resets none of them.
    const messages = await withEngine(hubData, async (engine) => {
      for (const id of ids) {
        if ((await engine.repo.device(id)) === null)
          throw new AdminError(`Device ${id} does not exist.`);
      }
      const out: string[] = [];
      for (const id of ids) out.push((await resetDevice(engine, id)).message);
      return out;
    });
    for (const message of messages) print(message);
    return;
  }
  throw new UsageError('device needs add, list, remove or reset');
}

async function service(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'update') throw new UsageError('service needs update');
  const { values } = parse(rest, {
    data: { type: 'string' },
    id: { type: 'string' },
    set: { type: 'string' },
  });
  const fields = jsonObject(values, 'set', '--set must be a JSON object of service fields');
  const hubData = storage(values);
  const id = required(values, 'id');
  print(await withEngine(hubData, (engine) => updateService(engine, id, fields)));
}

/** The first line of stdin: a password is never an argument (it would show in `ps`). */
function passwordFromStdin(): string {
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('give the password on stdin (echo "…" | lineup-hub …)');
  return line;
}

/** Phones: a store's phone-queue settings and location; pending password resets. */
async function bloom(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'resets') {
    const { values } = parse(rest, { data: { type: 'string' } });
    for (const r of await withEngine(storage(values), (engine) => pendingResets(engine))) print(r);
    return;
  }
  if (action !== 'settings') throw new UsageError('bloom needs settings or resets');
  const { values } = parse(rest, {
    data: { type: 'string' },
    store: { type: 'string' },
    set: { type: 'string' },
  });
  const fields = jsonObject(
    values,
    'set',
    '--set must be a JSON object: {"phoneQueue": {...}, "location": {...}}',
  );
  const store = required(values, 'store');
  print(await withEngine(storage(values), (engine) => updatePhoneSettings(engine, store, fields)));
}

async function user(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  const asUsage = (error: unknown) => {
    throw error instanceof StaffError ? new UsageError(error.message) : error;
  };
  if (action === 'create') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      stores: { type: 'string' },
    });
    const hubData = storage(values);
    const input = {
      email: required(values, 'email'),
      name: required(values, 'name'),
      role: required(values, 'role'),
      stores: typeof values.stores === 'string' ? values.stores.split(',').filter(Boolean) : [],
    };
    if (!StaffRoleSchema.safeParse(input.role).success)
      throw new UsageError(`--role must be one of ${StaffRoleSchema.options.join(', ')}`);
    const password = passwordFromStdin();
    print(
      await withEngine(hubData, (engine) =>
        createStaff(engine.repo, { ...input, password }, new Date()).catch(asUsage),
      ),
    );
    return;
  }
  if (action === 'list') {
    const { values } = parse(rest, { data: { type: 'string' } });
    print(await withEngine(storage(values), (engine) => listStaff(engine.repo)));
    return;
  }
  if (action === 'passwd' || action === 'remove') {
    const { values } = parse(rest, { data: { type: 'string' }, email: { type: 'string' } });
    const hubData = storage(values);
    const email = required(values, 'email');
    if (action === 'passwd') {
      const password = passwordFromStdin();
      await withEngine(hubData, (engine) =>
        changePassword(engine.repo, email, password, new Date()).catch(asUsage),
      );
      print(`Password of ${email} changed; their tokens are revoked.`);
      return;
    }
    await withEngine(hubData, async (engine) => {
      const staff = await findStaff(engine.repo, { email });
      if (staff === null) throw new AdminError(`no staff member has email ${email}`);
      await removeStaff(engine, staff, new Date());
    });
    print(`Removed ${email}; their tokens are revoked.`);
    return;
  }
  throw new UsageError('user needs create, list, passwd or remove');
}

async function ombori(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  if (action === 'export') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      store: { type: 'string' },
      id: { type: 'string' },
    });
    const hubData = storage(values);
    const storeId = required(values, 'store');
    const id = typeof values.id === 'string' ? values.id : undefined;
    const out = await withEngine(hubData, (engine) =>
      exportOmboriTickets(engine, storeId, new Date(), id),
    );
    if (out === null)
      throw new AdminError(
        id === undefined ? `store ${storeId} does not exist` : `no ticket ${id} in ${storeId}`,
      );
    print(out);
    return;
  }
  if (action === 'import') {
    const { values } = parse(rest, {
      data: { type: 'string' },
      store: { type: 'string' },
      service: { type: 'string' },
    });
    const hubData = storage(values);
    const storeId = required(values, 'store');
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(0, 'utf8'));
    } catch {
      throw new UsageError('give Ombori JSON on stdin (one ticket or an array)');
    }
    const results = await withEngine(hubData, (engine) =>
      importOmboriTickets(engine, storeId, Array.isArray(body) ? body : [body], {
        origin: 'cli',
        now: new Date(),
        ...(typeof values.service === 'string' ? { serviceId: values.service } : {}),
      }),
    );
    if (results === null) throw new AdminError(`store ${storeId} does not exist`);
    print({ results });
    if (results.some((r) => !r.ok)) process.exitCode = 1;
    return;
  }
  throw new UsageError('ombori needs export or import');
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'seed':
        return await seed(rest);
      case 'apikey':
        return await apikey(rest);
      case 'device':
        return await device(rest);
      case 'service':
        return await service(rest);
      case 'user':
        return await user(rest);
      case 'ombori':
        return await ombori(rest);
      case 'bloom':
        return await bloom(rest);
      case 'outbox':
        return await outboxCommand(rest, print);
      case 'notify':
        return await notifyCommand(rest, print);
      case undefined:
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        if (command === undefined) process.exitCode = 2;
        return;
      default:
        throw new UsageError(
          `unknown command "${command}" (try: serve, seed, apikey, device, service, user, ombori, bloom, outbox, notify)`,
        );
    }
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`lineup-hub: ${message}\n`);
    process.exitCode = error instanceof UsageError || isParseArgsError(error) ? 2 : 1;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
