// Runs statistics on a worker thread (stats-worker.ts) that reads the hub's file on its own
// read-only connection: the sequencer's thread and connection never wait for a year of log.
import { Worker } from 'node:worker_threads';
import type { StatsResponse } from '../../shared/protocol/console.js';
import type { HubDbLocation } from '../db/open-hub-repo.js';
import type { StatsInput } from './statistics.js';

export interface StatsJob {
  id: number;
  input: StatsInput;
}
export type StatsReply =
  { id: number; ok: true; stats: StatsResponse } | { id: number; ok: false; message: string };

export interface StatsRunner {
  stats(input: StatsInput): Promise<StatsResponse>;
  close(): Promise<void>;
}

/** A worker for the hub's storage (started on first use; in a checkout it loads its source through tsx). */
export function startStatsRunner(location: HubDbLocation): StatsRunner {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<
    number,
    { resolve: (s: StatsResponse) => void; reject: (e: Error) => void }
  >();
  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
    worker = null;
  };
  const start = (): Worker => {
    const fromSource = import.meta.url.endsWith('.ts');
    const entry = new URL(fromSource ? './stats-worker.ts' : './stats-worker.js', import.meta.url);
    const w = fromSource
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
            `.then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
          { eval: true, workerData: { location } },
        )
      : new Worker(entry, { workerData: { location } });
    w.on('message', (reply: StatsReply) => {
      const waiting = pending.get(reply.id);
      if (waiting === undefined) return;
      pending.delete(reply.id);
      // Idle, the worker does not keep the process alive (nor does the hub wait for it to stop).
      if (pending.size === 0) w.unref();
      if (reply.ok) waiting.resolve(reply.stats);
      else waiting.reject(new Error(reply.message));
    });
    w.on('error', failAll);
    w.on('exit', () => failAll(new Error('The statistics worker stopped.')));
    w.unref();
    return w;
  };
  return {
    stats: (input) =>
      new Promise<StatsResponse>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        const w = (worker ??= start());
        w.ref();
        w.postMessage({ id, input } satisfies StatsJob);
      }),
    close: async () => {
      const w = worker;
      worker = null;
      if (w !== null) await w.terminate();
    },
  };
}
