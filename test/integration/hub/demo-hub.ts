// Helpers the hub's process tests share beside harness.ts: one real hub process on a freshly
// seeded demo store for a whole describe block (started before its tests, stopped cleanly with
// exit 0 after them, the sockets the tests opened closed first), and a one-shot socket attempt.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, expect } from 'vitest';
import { seedDemo } from '../../support/processes.js';
import { connect, removeDir, startHubProcess, tempDataDir, type HubProcess } from './harness.js';

export interface DemoHub {
  /** The hub's data dir (for the CLI). */
  readonly dir: string;
  readonly hub: HubProcess;
  /** Sockets to disconnect before the hub stops. */
  readonly sockets: Socket[];
}

/** Registers the hooks; read `dir` and `hub` only inside hooks and tests. */
export function useDemoHub(): DemoHub {
  let started: { dir: string; hub: HubProcess } | undefined;
  const sockets: Socket[] = [];
  const current = () => {
    if (started === undefined) throw new Error('the demo hub is not started');
    return started;
  };
  beforeAll(async () => {
    const dir = tempDataDir();
    seedDemo(dir);
    started = { dir, hub: await startHubProcess(dir) };
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (started === undefined) return;
    expect(await started.hub.stop()).toBe(0);
    removeDir(started.dir);
  });
  return {
    get dir() {
      return current().dir;
    },
    get hub() {
      return current().hub;
    },
    sockets,
  };
}

/** The reason a socket with this auth is refused, or 'connected'; the socket is closed after. */
export async function attempt(url: string, auth: unknown): Promise<string> {
  const s = connect(url, auth);
  try {
    return await new Promise<string>((res) => {
      s.once('connect', () => res('connected'));
      s.once('connect_error', (e) => res(e.message));
    });
  } finally {
    s.disconnect();
  }
}
