// `lineup-hub`: serve, seed the demo store, create API keys, provision devices.
// Bad arguments get one line on stderr and a non-zero exit, never a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DeviceRoleSchema } from '../shared/domain/entities.js';
import { openHubRepo } from './db/sqlite-hub-repo.js';
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
import { NOTIFY_USAGE, notifyCommand, outboxCommand } from './notify/cli.js';
import { startHub } from './server.js';

const USAGE = `usage:
  lineup-hub serve --data DIR [--port N] [--host ADDR]
  lineup-hub seed demo --data DIR
  lineup-hub apikey create --data DIR --name NAME [--max-hits N] [--testing] [--sms N] [--email N] [--access JSON]
  lineup-hub apikey list --data DIR
  lineup-hub apikey lock|unlock --data DIR --key KEY
  lineup-hub device add --data DIR --store ID --mac MAC --hostname NAME --role machine|desk|screen [--name NAME] [--id ID] [--services ID,ID]
  lineup-hub device list --data DIR [--store ID]
  lineup-hub device remove --data DIR --id ID
  lineup-hub device reset --data DIR --id ID [--id ID...]   (revokes its credential; it may claim a new one)
  lineup-hub service update --data DIR --id ID --set JSON   (e.g. '{"serviceMinutes":7}')
${NOTIFY_USAGE}`;

class UsageError extends Error {
  override name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(args: string[], options: Options, positionals = 0) {
  const parsed = parseArgs({ args, options, strict: true, allowPositionals: positionals > 0 });
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

async function serve(args: string[]): Promise<void> {
  const { values } = parse(args, {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  });
  const dataDir = required(values, 'data');
  const port = integer(values, 'port', 0, 65535) ?? 8080;
  const host = (values.host as string | undefined) ?? '127.0.0.1';
  const hub = await startHub({ dataDir, port, host });
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

function withEngine<T>(dataDir: string, fn: (engine: HubEngine) => T): T {
  const repo = openHubRepo(dataDir);
  try {
    return fn(new HubEngine(repo));
  } finally {
    repo.close();
  }
}

function seed(args: string[]): void {
  const { values, positionals } = parse(args, { data: { type: 'string' } }, 1);
  if (positionals[0] !== 'demo') throw new UsageError('only "seed demo" exists');
  const dataDir = required(values, 'data');
  const { created } = withEngine(dataDir, (engine) => seedStore(engine));
  print(
    created.length === 0
      ? 'Demo store already seeded: nothing to do.'
      : `Seeded the demo store: ${created.join(', ')}.`,
  );
}

function apikey(args: string[]): void {
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
    const dataDir = required(values, 'data');
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
    const account = withEngine(dataDir, (engine) =>
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
    const accounts = withEngine(required(values, 'data'), (engine) => listApiAccounts(engine.repo));
    print(accounts.map(({ secret: _secret, ...visible }) => visible));
    return;
  }
  if (action === 'lock' || action === 'unlock') {
    const { values } = parse(rest, { data: { type: 'string' }, key: { type: 'string' } });
    const key = required(values, 'key');
    withEngine(required(values, 'data'), (engine) => {
      const account = getApiAccount(engine.repo, key);
      if (account === null) throw new AdminError(`API key ${key} does not exist.`);
      saveApiAccount(engine.repo, { ...account, locked: action === 'lock' });
    });
    print(`API key ${key} ${action}ed.`);
    return;
  }
  throw new UsageError('apikey needs create, list, lock or unlock');
}

function device(args: string[]): void {
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
    const dataDir = required(values, 'data');
    const out = withEngine(dataDir, (engine) =>
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
      withEngine(required(values, 'data'), (engine) =>
        engine.repo.devices(store).map((d) => ({ ...d, claim: engine.repo.claimState(d.id) })),
      ),
    );
    return;
  }
  if (action === 'remove') {
    const { values } = parse(rest, { data: { type: 'string' }, id: { type: 'string' } });
    const removed = withEngine(required(values, 'data'), (engine) =>
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
    const dataDir = required(values, 'data');
    const ids = (values.id as string[] | undefined) ?? [];
    if (ids.length === 0 || ids.some((id) => id === '')) throw new UsageError('--id is required');
    // Checked first: a missing id resets none of them.
    const messages = withEngine(dataDir, (engine) => {
      const missing = ids.find((id) => engine.repo.device(id) === null);
      if (missing !== undefined) throw new AdminError(`Device ${missing} does not exist.`);
      return ids.map((id) => resetDevice(engine, id).message);
    });
    for (const message of messages) print(message);
    return;
  }
  throw new UsageError('device needs add, list, remove or reset');
}

function service(args: string[]): void {
  const [action, ...rest] = args;
  if (action !== 'update') throw new UsageError('service needs update');
  const { values } = parse(rest, {
    data: { type: 'string' },
    id: { type: 'string' },
    set: { type: 'string' },
  });
  let fields: unknown;
  try {
    fields = JSON.parse(required(values, 'set'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('--set must be a JSON object of service fields');
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new UsageError('--set must be a JSON object of service fields');
  }
  const dataDir = required(values, 'data');
  const id = required(values, 'id');
  print(
    withEngine(dataDir, (engine) => updateService(engine, id, fields as Record<string, unknown>)),
  );
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'seed':
        return seed(rest);
      case 'apikey':
        return apikey(rest);
      case 'device':
        return device(rest);
      case 'service':
        return service(rest);
      case 'outbox':
        return outboxCommand(rest, print);
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
          `unknown command "${command}" (try: serve, seed, apikey, device, service, outbox, notify)`,
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
