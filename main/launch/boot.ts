// Starts a runtime from parsed options: the appliance plus its bridge. Shared by the CLI (host
// mode) and the Electron shell, which adds IPC on top of the same bridge.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { applianceHandlers, createBridge, type Bridge } from '../bridge/dispatch.js';
import { Appliance, type RuntimeOptions } from '../runtime/appliance.js';
import { REPO_ROOT } from './displays.js';
import { detectIdentity, IdentityError } from '../runtime/identity/identity.js';
import { createLogger, type Logger } from '../common/logger.js';
import { parsePagerUrl, PagerUrlError } from '../../drivers/pager/pager-url.js';

export class UsageError extends Error {}

export type DisplayMode = 'headless' | 'browser' | 'electron';

export interface CliOptions {
  hubUrl: string;
  dataDir: string;
  macs: string[];
  hostname: string | undefined;
  port: number;
  printer: string | undefined;
  pager: string | undefined;
  scanner: string | undefined;
  mode: DisplayMode;
  pollMs: number | undefined;
  refreshMs: number | undefined;
  reconnectMaxMs: number | undefined;
  blockSize: number | undefined;
  rendererDir: string;
}

export const USAGE = `Usage: lineup --hub URL --data DIR [--mac MAC ...] [--hostname NAME] [--port N]
              [--printer URL] [--pager URL] [--scanner URL] [--headless|--browser|--electron]
              [--poll-ms N] [--refresh-ms N] [--reconnect-max-ms N] [--block-size N]
  --pager names the transmitter's protocol in its URL (jtech, waveware, tap, lrs; default jtech),
  e.g. serial:/dev/ttyUSB0?baud=1200&protocol=jtech or tcp://10.0.0.9:4001?protocol=lrs&system=2`;

function int(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
  return n;
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        hub: { type: 'string' },
        data: { type: 'string' },
        mac: { type: 'string', multiple: true },
        hostname: { type: 'string' },
        port: { type: 'string' },
        printer: { type: 'string' },
        pager: { type: 'string' },
        scanner: { type: 'string' },
        headless: { type: 'boolean' },
        browser: { type: 'boolean' },
        electron: { type: 'boolean' },
        'poll-ms': { type: 'string' },
        'refresh-ms': { type: 'string' },
        'reconnect-max-ms': { type: 'string' },
        'block-size': { type: 'string' },
        'renderer-dir': { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help === true) throw new UsageError(USAGE);
  const hubUrl = values.hub ?? env.LINEUP_HUB;
  if (hubUrl === undefined)
    throw new UsageError('--hub URL is required (e.g. --hub http://127.0.0.1:4000).');
  try {
    const u = new URL(hubUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`--hub ${hubUrl}: not an http(s) URL.`);
  }
  const dataDir = values.data ?? env.LINEUP_DATA;
  if (dataDir === undefined)
    throw new UsageError('--data DIR is required (where this device keeps its queue).');
  if (values.pager !== undefined) {
    try {
      parsePagerUrl(values.pager);
    } catch (error) {
      if (error instanceof PagerUrlError) throw new UsageError(error.message);
      throw error;
    }
  }
  const modes = (['headless', 'browser', 'electron'] as const).filter((m) => values[m] === true);
  if (modes.length > 1) throw new UsageError(`Choose one of --${modes.join(', --')}.`);
  return {
    hubUrl,
    dataDir,
    macs: values.mac ?? [],
    hostname: values.hostname,
    port: int('port', values.port, 0, 65535) ?? 0,
    printer: values.printer,
    pager: values.pager,
    scanner: values.scanner,
    mode: modes[0] ?? 'headless',
    pollMs: int('poll-ms', values['poll-ms'], 50, 3_600_000),
    refreshMs: int('refresh-ms', values['refresh-ms'], 50, 3_600_000),
    reconnectMaxMs: int('reconnect-max-ms', values['reconnect-max-ms'], 50, 600_000),
    blockSize: int('block-size', values['block-size'], 1, 500),
    rendererDir: values['renderer-dir'] ?? join(REPO_ROOT, 'dist', 'renderer'),
  };
}

export function appVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface Runtime {
  appliance: Appliance;
  bridge: Bridge;
  log: Logger;
}

export async function bootRuntime(
  options: CliOptions,
  overrides: Partial<RuntimeOptions> = {},
): Promise<Runtime> {
  let identity;
  try {
    identity = detectIdentity({ macs: options.macs, hostname: options.hostname });
  } catch (error) {
    if (error instanceof IdentityError) throw new UsageError(error.message);
    throw error;
  }
  mkdirSync(options.dataDir, { recursive: true });
  const log = createLogger({ file: join(options.dataDir, 'lineup.log') });
  const appliance = await Appliance.start({
    hubUrl: options.hubUrl,
    dataDir: options.dataDir,
    identity,
    log,
    appVersion: appVersion(),
    printer: options.printer,
    pager: options.pager,
    scanner: options.scanner,
    pollMs: options.pollMs,
    refreshMs: options.refreshMs,
    reconnectDelayMaxMs: options.reconnectMaxMs,
    blockSize: options.blockSize,
    ...overrides,
  });
  const bridge = createBridge(
    applianceHandlers(appliance),
    (listener) => appliance.subscribe(listener),
    (method, error) =>
      log.error(
        `${method}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
  );
  return { appliance, bridge, log };
}
