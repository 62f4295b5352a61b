// When a runtime loses the hub: the screen shows an offline mark and keeps the last calls, the
// desk says in plain words that calling waits for the hub; both recover when it is back. The
// shared demo store cannot lose its hub (the launcher stops everything when one part dies), so
// this spec runs its own seeded hub with a desk and a screen runtime, and stops that hub.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  DEMO_SERVICES,
  WIDE_VIEWPORT,
  expectAccessible,
  hubApiAccount,
  hubCli,
  openView,
  registerWalkIn,
  saveScreenshot,
} from './support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Proc {
  child: ChildProcess;
  match: RegExpMatchArray;
}

const running: ChildProcess[] = [];

function start(bin: string, args: string[], ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', bin), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${bin} not ready:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match !== null) {
        clearTimeout(timer);
        ok({ child, match });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${bin} exited (${code}) before it was ready:\n${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

const HUB_READY = /Lineup hub listening on (http:\/\/\S+)/;
const RUNTIME_READY = /Lineup (\S+) ready at (http:\/\/\S+)/;

let dir: string;

test.afterAll(async () => {
  await Promise.all(running.map(stop));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('losing the hub: offline mark on the screen, plain message on the desk; both recover', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  dir = mkdtempSync(join(tmpdir(), 'lineup-e2e-offline-'));
  const hubData = join(dir, 'hub');
  hubCli(['seed', 'demo', '--data', hubData]);
  const hubArgs = (port: string) => [
    'serve',
    '--data',
    hubData,
    '--port',
    port,
    '--host',
    '127.0.0.1',
  ];
  let hub = await start('lineup-hub.js', hubArgs('0'), HUB_READY);
  const hubUrl = hub.match[1] ?? '';
  const port = new URL(hubUrl).port;
  const runtime = (key: string, mac: string, hostname: string) =>
    start(
      'lineup.js',
      [
        '--hub',
        hubUrl,
        '--data',
        join(dir, key),
        '--mac',
        mac,
        '--hostname',
        hostname,
        '--headless',
        '--reconnect-max-ms',
        '500',
      ],
      RUNTIME_READY,
    ).then((p) => p.match[2] ?? '');
  const [deskUrl, screenUrl] = await Promise.all([
    runtime('desk1', '02:00:00:00:00:02', 'lineup-desk-1'),
    runtime('screen', '02:00:00:00:00:04', 'lineup-screen-1'),
  ]);

  const ticket = await registerWalkIn(hubUrl, hubApiAccount(hubData), DEMO_SERVICES.newPhone);
  const desk = await openView(browser, deskUrl, WIDE_VIEWPORT);
  const screen = await openView(browser, screenUrl, WIDE_VIEWPORT);
  try {
    await expect(desk.getByTestId('desk-sync')).toHaveText(t('EN', 'common.online'));
    await desk.getByRole('button', { name: new RegExp(t('EN', 'desk.callNext')) }).click();
    await expect(desk.getByTestId('current-card')).toHaveAttribute('data-ticket', ticket);
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', ticket);
    await expect(screen.getByTestId('screen-offline')).toHaveCount(0);
    const card = desk.getByTestId('current-card');
    const cardBefore = await card.boundingBox();

    await stop(hub.child);

    // The screen: a discreet mark, and the last state stays up.
    await expect(screen.getByTestId('screen-offline')).toHaveText(t('EN', 'screen.offline'), {
      timeout: 20_000,
    });
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', ticket);
    await saveScreenshot(screen, 'screen-offline');
    await expectAccessible(screen, 'screen offline');

    // The desk: a sentence, not an error code; calling waits, the current card stays.
    await expect(
      desk.getByRole('alert').filter({ hasText: t('EN', 'desk.hubUnreachable') }),
    ).toBeVisible();
    await expect(desk.getByTestId('desk-sync')).toHaveText(t('EN', 'desk.hubOffline'));
    // The alert has its own slot: the card does not move under the clerk's eyes.
    expect(await card.boundingBox()).toEqual(cardBefore);
    await expect(desk.locator('[data-action="callNext"]')).toBeDisabled();
    await expect(desk.getByTestId('current-card')).toHaveAttribute('data-ticket', ticket);
    await saveScreenshot(desk, 'desk-offline');
    await expectAccessible(desk, 'desk offline');

    // The hub is back on the same address: both reconnect on their own.
    hub = await start('lineup-hub.js', hubArgs(port), HUB_READY);
    await expect(screen.getByTestId('screen-offline')).toHaveCount(0, { timeout: 30_000 });
    await expect(desk.getByTestId('desk-sync')).toHaveText(t('EN', 'common.online'), {
      timeout: 30_000,
    });
    await expect(
      desk.getByRole('alert').filter({ hasText: t('EN', 'desk.hubUnreachable') }),
    ).toHaveCount(0);
    await expect(desk.locator('[data-action="callNext"]')).toBeEnabled();
  } finally {
    await desk.context().close();
    await screen.context().close();
  }
});
