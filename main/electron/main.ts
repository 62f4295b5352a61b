// Electron is only a shell: it runs the same runtime as host mode (main/runtime, main/bridge) in
// its main process and shows the renderer from app://lineup/ with the API exposed by the
// preload over IPC. Hardened: context isolation, sandbox, CSP, no navigation, no new windows,
// no permissions, single instance per data folder, kiosk per role, keep-awake on screens, and a
// crashed renderer is reloaded once, then the app relaunches.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { app, BrowserWindow, ipcMain, powerSaveBlocker, protocol, session } from 'electron';
import {
  IPC_EVENT_CHANNEL,
  IPC_INVOKE_CHANNEL,
  type ApplianceWireEvent,
} from '../../shared/api/appliance-api.js';
import { toWireError } from '../bridge/dispatch.js';
import { bootRuntime, parseCli, UsageError, type Runtime } from '../launch/boot.js';
import { REPO_ROOT } from '../launch/displays.js';

const ORIGIN = 'app://lineup';
const CSP = [
  "default-src 'self'",
  "img-src 'self' data: blob: https:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "media-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// Arguments after `--` are the runtime's (same flags as `lineup`); `--url` only shows a page.
const separator = process.argv.indexOf('--');
const args =
  separator >= 0 ? process.argv.slice(separator + 1) : process.argv.slice(app.isPackaged ? 1 : 2);
const urlIndex = args.indexOf('--url');
const viewUrl = urlIndex >= 0 ? (args[urlIndex + 1] ?? null) : null;

function fail(message: string): never {
  process.stderr.write(`lineup: ${message}\n`);
  app.exit(2);
  throw new Error(message);
}

let options: ReturnType<typeof parseCli> | null = null;
if (viewUrl === null) {
  try {
    options = parseCli(args);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
  // One app per data folder: the lock lives in userData.
  app.setPath('userData', join(options.dataDir, 'electron'));
} else {
  app.setPath('userData', join(app.getPath('temp'), `lineup-view-${new URL(viewUrl).port}`));
}
if (!app.requestSingleInstanceLock()) app.exit(0);

function hardenContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    const allowedOrigin = viewUrl === null ? ORIGIN : new URL(viewUrl).origin;
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (new URL(url).origin !== allowedOrigin) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (new URL(url).origin !== allowedOrigin) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
    callback(false),
  );
}

async function serveRenderer(request: Request): Promise<Response> {
  const root = join(REPO_ROOT, 'dist', 'renderer');
  const { pathname } = new URL(request.url);
  const file = normalize(join(root, decodeURIComponent(pathname)));
  const inside = file.startsWith(root + sep);
  const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' };
  try {
    if (!inside || pathname === '/') throw new Error('index');
    const body = await readFile(file);
    return new Response(body, {
      headers: { ...headers, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' },
    });
  } catch {
    if (extname(pathname) !== '' && pathname !== '/index.html')
      return new Response('Not found', { status: 404 });
    const html = await readFile(join(root, 'index.html'), 'utf8').catch(
      () => '<!doctype html><p>The user interface is not built: run npm run build:renderer.</p>',
    );
    return new Response(html, { headers: { ...headers, 'content-type': 'text/html' } });
  }
}

function createWindow(runtime: Runtime | null, url: string): BrowserWindow {
  const role = runtime?.appliance.role ?? null;
  const kiosk = role === 'machine' || role === 'screen';
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#1F3A5F',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      ...(runtime === null ? {} : { preload: join(__dirname, 'preload.cjs') }),
    },
  });
  let lastCrash = 0;
  win.webContents.on('render-process-gone', (_event, details) => {
    const now = Date.now();
    process.stderr.write(`lineup: the page crashed (${details.reason})\n`);
    if (now - lastCrash < 60_000) {
      app.relaunch();
      app.exit(0);
      return;
    }
    lastCrash = now;
    win.reload();
  });
  void win.loadURL(url);
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenContents();
  if (viewUrl !== null) {
    createWindow(null, viewUrl);
    return;
  }
  if (options === null) return;
  const runtime = await bootRuntime(options);
  protocol.handle('app', serveRenderer);
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event, payload: unknown) => {
    // Only our own page may call the runtime.
    if (new URL(event.senderFrame?.url ?? 'about:blank').origin !== ORIGIN)
      return { error: { code: 'invalid', message: 'Refused: not the Lineup page.' } };
    const { method, params } = (payload ?? {}) as { method?: unknown; params?: unknown };
    if (typeof method !== 'string')
      return { error: { code: 'invalid', message: 'A call needs a method.' } };
    try {
      return { result: await runtime.bridge.dispatch(method, params) };
    } catch (error) {
      return { error: toWireError(error) };
    }
  });
  const win = createWindow(runtime, `${ORIGIN}/`);
  let keepAwake: number | null = null;
  const follow = (event: ApplianceWireEvent) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
    const state =
      event.type === 'state' ? event.state : event.type === 'state_delta' ? event.delta : null;
    if (state === null) return;
    const role = state.phase === 'ready' ? state.identity.role : null;
    // Role changes on the hub apply live: kiosk and keep-awake follow.
    if (!win.isDestroyed()) win.setKiosk(role === 'machine' || role === 'screen');
    if ((role === 'screen' || role === 'machine') && keepAwake === null)
      keepAwake = powerSaveBlocker.start('prevent-display-sleep');
    if (role !== 'screen' && role !== 'machine' && keepAwake !== null) {
      powerSaveBlocker.stop(keepAwake);
      keepAwake = null;
    }
  };
  win.webContents.on('did-finish-load', () =>
    follow({ type: 'state', state: runtime.appliance.getState() }),
  );
  const unsubscribe = runtime.appliance.subscribe(follow);
  app.on('before-quit', () => {
    unsubscribe();
    void runtime.appliance.stop();
  });
  process.stdout.write(`Lineup ${runtime.appliance.role ?? 'unprovisioned'} ready in Electron\n`);
}

app.on('window-all-closed', () => app.quit());
start().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
