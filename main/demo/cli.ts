// `npm start`: the whole demo store on one machine. A seeded hub, a virtual receipt printer, a
// simulated pager transmitter (when socat can make it a serial port), and one runtime process per
// device (kiosk, two desks, screen) with the MACs and hostnames of the demo store. Prints one URL
// per device; opens windows only where there is a display.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  appendFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { demoStore } from '../../shared/demo/demo-store.js';
import { startPagerSimulator, type PagerSimulator } from '../../drivers/sim/pager-sim.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../drivers/sim/virtual-printer.js';
import { ensureDemoAdmin } from './demo-admin.js';
import {
  displayAvailable,
  electronEntry,
  findChromium,
  findElectron,
  openChromium,
  REPO_ROOT,
} from '../launch/displays.js';

export const DEMO_DEVICES = [
  {
    key: 'kiosk',
    label: 'Ticket machine',
    mac: '02:00:00:00:00:01',
    hostname: 'lineup-kiosk-1',
    printer: true,
  },
  {
    key: 'desk1',
    label: 'Desk 1',
    mac: '02:00:00:00:00:02',
    hostname: 'lineup-desk-1',
    printer: false,
  },
  {
    key: 'desk2',
    label: 'Desk 2',
    mac: '02:00:00:00:00:03',
    hostname: 'lineup-desk-2',
    printer: false,
  },
  {
    key: 'screen',
    label: 'Screen',
    mac: '02:00:00:00:00:04',
    hostname: 'lineup-screen-1',
    printer: false,
  },
] as const;

type DeviceKey = (typeof DEMO_DEVICES)[number]['key'];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when dist/renderer or dist/console is missing or older than the renderer's (or shared/) sources. */
export function rendererIsStale(root = REPO_ROOT): boolean {
  // The devices' UI and the hub console (dist/console) are built together by build:renderer.
  const builds = ['renderer', 'console'].map((d) => join(root, 'dist', d, 'index.html'));
  if (!builds.every((b) => existsSync(b))) return true;
  const sources = ['renderer', 'shared'].map((d) => join(root, d)).filter((d) => existsSync(d));
  const newest = Math.max(...sources.map(newestMtime));
  return builds.some((b) => newest > statSync(b).mtimeMs);
}

function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  what: string,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(
      () => fail(new Error(`${what} did not start in time:\n${out}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match !== null) {
        clearTimeout(timer);
        ok(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${what} exited (code ${code}) before it was ready; see its log.`));
    });
  });
}

/** The demo's pager transmitter: the simulator on a socat pty, its pages written to a log. */
interface DemoPager {
  sim: PagerSimulator;
  /** What the kiosk gets as `--pager`. */
  url: string;
  logPath: string;
  close(): Promise<void>;
}

/** Whether socat can be run (the pager simulator needs it for its pty). */
export function socatAvailable(): boolean {
  const r = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

async function startDemoPager(logPath: string): Promise<DemoPager> {
  const sim = await startPagerSimulator({ protocol: 'jtech', baudRate: 1200 });
  let logged = 0;
  // The simulator keeps its pages in memory; the log is what a person can watch (tail -f).
  const drain = (): void => {
    const pages = sim.pages();
    for (const page of pages.slice(logged)) {
      const who =
        page.pagerNumber === null ? `capcode ${page.capcode}` : `pager ${page.pagerNumber}`;
      appendFileSync(
        logPath,
        `${page.at} ${who}: ${page.message === '' ? '(buzz)' : page.message}\n`,
      );
    }
    logged = pages.length;
  };
  const timer = setInterval(drain, 500);
  timer.unref();
  return {
    sim,
    url: `serial:${sim.hostPath}?baud=1200&protocol=jtech`,
    logPath,
    async close() {
      clearInterval(timer);
      drain();
      await sim.close();
    },
  };
}

export async function main(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        'no-open': { type: 'boolean' },
        'state-file': { type: 'string' },
      },
    }));
  } catch (error) {
    process.stderr.write(
      `lineup-demo: ${(error as Error).message}\nUsage: npm start -- [--data DIR] [--no-open] [--state-file FILE]\n`,
    );
    process.exit(2);
  }
  const dataDir = resolve(values.data ?? join(REPO_ROOT, '.lineup', 'demo'));
  mkdirSync(dataDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);

  const children: ChildProcess[] = [];
  const windows: ChildProcess[] = [];
  let printer: VirtualPrinter | null = null;
  let pager: DemoPager | null = null;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const w of windows) w.kill('SIGTERM');
    const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGTERM');
    const killer = setTimeout(() => alive.forEach((c) => c.kill('SIGKILL')), 4000);
    await Promise.all(
      alive.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    clearTimeout(killer);
    await printer?.close();
    await pager?.close().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  const node = (bin: string, args: string[], logName: string): ChildProcess => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', bin), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(dataDir, `${logName}.log`), { flags: 'a' });
    child.stderr?.pipe(log);
    children.push(child);
    child.once('exit', (code, signal) => {
      if (!stopping) {
        process.stderr.write(
          `lineup-demo: ${logName} stopped (${signal ?? code}); stopping the demo. See ${join(dataDir, `${logName}.log`)}\n`,
        );
        void stopAll(1);
      }
    });
    return child;
  };

  try {
    if (rendererIsStale()) {
      say('Building the user interface (first run)…');
      const build = spawnSync('npm', ['run', 'build:renderer'], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      if (build.status !== 0)
        say('Warning: the UI build failed; devices will show a "not built" page.');
    }

    const hubData = join(dataDir, 'hub');
    const seed = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'lineup-hub.js'), 'seed', 'demo', '--data', hubData],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      },
    );
    if (seed.status !== 0) throw new Error(`seeding the demo store failed: ${seed.stderr.trim()}`);
    const admin = ensureDemoAdmin(REPO_ROOT, hubData);
    const hub = node(
      'lineup-hub.js',
      ['serve', '--data', hubData, '--port', '0', '--host', '127.0.0.1'],
      'hub',
    );
    const hubUrl =
      (await waitForLine(hub, /Lineup hub listening on (http:\/\/\S+)/, 'the hub'))[1] ?? '';

    // What a customer or partner would receive (mail, SMS, webhooks) lands in the outbox viewer.
    const viewer = node(
      'lineup-hub.js',
      ['notify', 'viewer', '--data', hubData, '--port', '0', '--smtp-port', '0'],
      'outbox-viewer',
    );
    const viewerUrl =
      (await waitForLine(viewer, /Outbox viewer on (http:\/\/\S+)/, 'the outbox viewer'))[1] ?? '';

    printer = await startVirtualPrinter({ host: '127.0.0.1' });
    const printerUrl = `tcp://127.0.0.1:${printer.tcpPort}`;

    // The demo store has pagers on: give the kiosk a transmitter when socat can make its port.
    if (socatAvailable()) {
      try {
        pager = await startDemoPager(join(dataDir, 'pager.log'));
      } catch (error) {
        say(
          `Pager: the simulated transmitter did not start (${(error as Error).message}); running without a pager.`,
        );
      }
    } else {
      say('Pager: socat is not installed, so the demo runs without a pager transmitter.');
    }

    const urls = {} as Record<DeviceKey, string>;
    await Promise.all(
      DEMO_DEVICES.map(async (d) => {
        const args = [
          '--hub',
          hubUrl,
          '--data',
          join(dataDir, d.key),
          '--mac',
          d.mac,
          '--hostname',
          d.hostname,
          '--headless',
        ];
        if (d.printer) args.push('--printer', printerUrl);
        if (d.printer && pager !== null) args.push('--pager', pager.url);
        const child = node('lineup.js', args, d.key);
        urls[d.key] =
          (await waitForLine(child, /Lineup \S+ ready at (http:\/\/\S+)/, d.label))[1] ?? '';
      }),
    );

    say('');
    say('Lineup demo store is running.');
    say(`  Hub              ${hubUrl}`);
    say(`  Console          ${hubUrl}/  (sign in: ${admin.email} / ${admin.password})`);
    for (const d of DEMO_DEVICES) say(`  ${d.label.padEnd(16)} ${urls[d.key]}`);
    say(`  Printer (view)   ${printer.httpUrl}/receipts`);
    say(`  Messages (view)  ${viewerUrl}`);
    say(`  Phone (join)     ${hubUrl}/q/${demoStore.store.id}`);
    if (pager !== null) say(`  Pager (log)      ${pager.logPath}`);
    say(`  Data and logs    ${dataDir}`);
    say('Press Ctrl-C to stop everything.');

    if (values['state-file'] !== undefined) {
      // Written aside and renamed: whoever waits for the file never reads half of it.
      const stateFile = values['state-file'];
      writeFileSync(
        `${stateFile}.tmp`,
        JSON.stringify(
          {
            hub: hubUrl,
            console: { url: `${hubUrl}/`, email: admin.email, password: admin.password },
            ...urls,
            printer: { tcpPort: printer.tcpPort, httpUrl: printer.httpUrl },
            outboxViewer: viewerUrl,
            // null when the demo runs without a pager transmitter (no socat).
            pager:
              pager === null
                ? null
                : { device: pager.sim.hostPath, url: pager.url, log: pager.logPath },
          },
          null,
          2,
        ),
      );
      renameSync(`${stateFile}.tmp`, stateFile);
    }

    if (values['no-open'] !== true && displayAvailable()) {
      const electron = findElectron();
      const entry = electronEntry();
      for (const d of DEMO_DEVICES) {
        const url = urls[d.key];
        if (electron !== null && entry !== null) {
          windows.push(spawn(electron, [entry, '--', '--url', url], { stdio: 'ignore' }));
        } else if (findChromium() !== null) {
          const w = openChromium(url, {
            kiosk: false,
            profileDir: join(dataDir, 'chromium', d.key),
          });
          if (w !== null) windows.push(w);
        }
      }
      if (windows.length === 0)
        say('No Electron or Chromium found: open the URLs above in a browser.');
    }
  } catch (error) {
    process.stderr.write(`lineup-demo: ${(error as Error).message}\n`);
    await stopAll(1);
  }
}
