// Real processes for runtime tests: a hub (`bin/lineup-hub.js`) and runtimes (`bin/lineup.js`),
// each in its own temp folder on a free port, and a bridge client that talks to a runtime the
// way the UI does (the token from index.html, the WebSocket, the shared client).
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  ApplianceError,
  type ApplianceApi,
  type ApplianceEvent,
  type ApplianceState,
} from '../../../shared/api/appliance-api.js';
import { openBridge, type OpenBridge } from '../../support/bridge.js';
import {
  appointmentRegistration,
  createApiKey,
  fvPost,
  type ApiAccount,
} from '../../support/fv-api.js';
import {
  hubCli,
  removeDirs,
  seedDemo,
  startHub,
  startProcess,
  tempDir,
  type Proc,
} from '../../support/processes.js';

export {
  addDevice,
  DEMO,
  hubCli,
  ROOT,
  seedDemo,
  startHub,
  startProcess,
  tempDir,
  updateService,
  waitFor,
  type Proc,
} from '../../support/processes.js';

export async function startRuntime(
  hub: string,
  dataDir: string,
  who: { mac: string; hostname: string },
  extra: string[] = [],
): Promise<Proc & { role: string }> {
  const proc = await startProcess(
    'lineup.js',
    [
      '--hub',
      hub,
      '--data',
      dataDir,
      '--mac',
      who.mac,
      '--hostname',
      who.hostname,
      '--headless',
      '--poll-ms',
      '200',
      '--refresh-ms',
      '1000',
      '--reconnect-max-ms',
      '500',
      ...extra,
    ],
    /Lineup (\S+) ready at (http:\/\/\S+)/,
  );
  return { ...proc, role: proc.match[1] ?? '', url: proc.match[2] ?? '' };
}

export interface BridgeClient {
  api: ApplianceApi;
  events: ApplianceEvent[];
  state(): ApplianceState | null;
  /** Resolves with the first event from now on that matches (rejects after `timeoutMs`). */
  nextEvent(match: (event: ApplianceEvent) => boolean, timeoutMs?: number): Promise<ApplianceEvent>;
  close(): void;
}

/** Connects to a runtime as its UI does, and keeps every event and the last state it sent. */
export async function connectBridge(url: string): Promise<BridgeClient> {
  const { api, close }: OpenBridge = await openBridge(url);
  const events: ApplianceEvent[] = [];
  const waiters = new Set<(event: ApplianceEvent) => void>();
  let last: ApplianceState | null = null;
  api.subscribe((event) => {
    events.push(event);
    if (event.type === 'state') last = event.state;
    for (const waiter of [...waiters]) waiter(event);
  });
  const nextEvent = (match: (event: ApplianceEvent) => boolean, timeoutMs = 30_000) =>
    new Promise<ApplianceEvent>((ok, fail) => {
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        fail(new Error(`no matching event in ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (event: ApplianceEvent) => {
        if (!match(event)) return;
        clearTimeout(timer);
        waiters.delete(waiter);
        ok(event);
      };
      waiters.add(waiter);
    });
  return { api, events, state: () => last, nextEvent, close };
}

export function cleanup(dirs: string[]): void {
  removeDirs(dirs);
}

/** The runtime is in its role and connected to the hub. */
export const isConnected = (b: BridgeClient): boolean =>
  b.state()?.phase === 'ready' && b.state()?.sync.connected === true;

/** Connected, and nothing left in its outbox. */
export const isSynced = (b: BridgeClient): boolean =>
  isConnected(b) && b.state()?.sync.outbox === 0;

/** The ApplianceError a call fails with (any other outcome fails the test). */
export async function errorOf(promise: Promise<unknown>): Promise<ApplianceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplianceError) return error;
    throw error;
  }
  throw new Error('expected an ApplianceError');
}

export interface Runtime {
  proc: Proc & { role: string };
  bridge: BridgeClient;
  dir: string;
}

/**
 * A hub seeded with the demo store, and the runtimes a test starts against it. Every temp dir,
 * process and bridge it made is cleaned up by `close()`.
 */
export interface DemoStore<T = undefined> {
  readonly hubDir: string;
  /** The hub serving now (a new one after `restartHub()`). */
  readonly hub: Proc;
  /** What `beforeStart` returned. */
  readonly prepared: T;
  /** A temp dir removed by `close()`. */
  tempDir(prefix: string): string;
  /** Starts a runtime in `dir` (default: a new temp dir) and connects to its bridge. */
  runtime(
    who: { mac: string; hostname: string },
    options?: { dir?: string; extra?: string[] },
  ): Promise<Runtime>;
  /** The hub again, on the same data and port (after `hub.kill9()`, say). */
  restartHub(): Promise<void>;
  /** Closes the bridges and stops the runtimes started so far; the hub keeps serving. */
  stopRuntimes(): Promise<void>;
  /** What the hub and the running runtimes printed, their last lines (for a failed test). */
  transcript(): string;
  /** Bridges, runtimes, hubs, temp dirs. */
  close(): Promise<void>;
}

/**
 * Seeds the demo store in a new hub data dir (`lineup-<name>-*`), runs `beforeStart` on it (CLI
 * changes the hub must find at start), then starts the hub on a free port.
 */
export async function startDemoStore<T = undefined>(
  name: string,
  beforeStart?: (hubDir: string) => T,
): Promise<DemoStore<T>> {
  const dirs: string[] = [];
  const hubs: Proc[] = [];
  // Each runtime with its bridge once connected (a transcript names each one's state).
  const runtimes: { proc: Proc & { role: string }; bridge?: BridgeClient }[] = [];
  const hubDir = tempDir(name);
  dirs.push(hubDir);
  let hub: Proc;
  let prepared: T;
  try {
    seedDemo(hubDir);
    prepared = beforeStart?.(hubDir) as T;
    hub = await startHub(hubDir);
  } catch (error) {
    removeDirs(dirs);
    throw error;
  }
  hubs.push(hub);
  const port = Number(new URL(hub.url).port);
  const newDir = (prefix: string) => {
    const dir = tempDir(prefix);
    dirs.push(dir);
    return dir;
  };
  const stopRuntimes = async () => {
    const stopping = runtimes.splice(0);
    for (const r of stopping) r.bridge?.close();
    await Promise.all(stopping.map((r) => r.proc.stop()));
  };
  return {
    hubDir,
    get hub() {
      return hub;
    },
    prepared,
    tempDir: newDir,
    async runtime(who, options = {}) {
      const dir = options.dir ?? newDir('rt');
      const proc = await startRuntime(hub.url, dir, who, options.extra);
      const entry: (typeof runtimes)[number] = { proc };
      runtimes.push(entry);
      const bridge = await connectBridge(proc.url);
      entry.bridge = bridge;
      return { proc, bridge, dir };
    },
    async restartHub() {
      hub = await startHub(hubDir, port);
      hubs.push(hub);
    },
    stopRuntimes,
    transcript() {
      const tail = (text: string) => text.split('\n').slice(-60).join('\n');
      return [
        `--- hub ${hub.url}\n${tail(hub.output())}`,
        ...runtimes.map(({ proc, bridge }) => {
          const state = bridge?.state();
          const seen = state
            ? `${state.phase} connected=${state.sync.connected} ${state.message ?? ''}`
            : 'no state';
          return `--- runtime ${proc.role} ${proc.url} (${seen})\n${tail(proc.output())}`;
        }),
      ].join('\n');
    },
    async close() {
      await stopRuntimes();
      await Promise.all(hubs.map((p) => p.stop()));
      removeDirs(dirs);
    },
  };
}

/** An API key on a hub's data dir, made with its CLI (`lineup-hub apikey create`). */
export function hubApiKey(hubData: string): ApiAccount {
  return createApiKey(hubData, 'runtime-tests');
}

/** Books an appointment through the hub's FileVirtuelle API, as a booking site would. */
export async function bookAppointment(
  hub: string,
  account: ApiAccount,
  externalId: string,
  name: string,
): Promise<void> {
  const res = await fvPost(hub, account, '/register', appointmentRegistration(externalId, name));
  if (res.status >= 300) throw new Error(`booking refused (${res.status}): ${await res.text()}`);
}

/** The seeded demo devices' ids (as `lineup-hub device reset` takes them). */
const DEMO_DEVICE_IDS = ['demo-kiosk', 'demo-desk-1', 'demo-desk-2', 'demo-screen'];

/**
 * One demo store for a test file's tests: started before them, closed after them. One process per
 * device identity, as in a store: each test stops the runtimes it started (the hub stays) and, as
 * an installer swapping boxes would, resets the demo devices: the next test's runtimes start from
 * fresh data dirs and claim new credentials (a credential is handed out once).
 */
export function useDemoStore(name: string): DemoStore {
  let store: DemoStore | undefined;
  beforeAll(async () => {
    store = await startDemoStore(name);
  });
  afterEach(async (context) => {
    // A failed wait says what it waited for; the processes' own words say why.
    if (context.task.result?.state === 'fail' && store !== undefined)
      console.error(store.transcript());
    await store?.stopRuntimes();
    if (store !== undefined)
      hubCli([
        'device',
        'reset',
        '--data',
        store.hubDir,
        ...DEMO_DEVICE_IDS.flatMap((id) => ['--id', id]),
      ]);
  });
  afterAll(async () => {
    await store?.close();
  });
  const current = (): DemoStore => {
    if (store === undefined) throw new Error(`the demo store ${name} did not start`);
    return store;
  };
  return {
    get hubDir() {
      return current().hubDir;
    },
    get hub() {
      return current().hub;
    },
    get prepared() {
      return current().prepared;
    },
    tempDir: (prefix) => current().tempDir(prefix),
    runtime: (who, options) => current().runtime(who, options),
    restartHub: () => current().restartHub(),
    stopRuntimes: () => current().stopRuntimes(),
    transcript: () => current().transcript(),
    close: () => current().close(),
  };
}
