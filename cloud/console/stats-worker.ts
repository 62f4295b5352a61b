// The statistics thread: its own read-only connection to the hub's storage, so a year of log is
// read and folded without holding the event loop or the connection the sequencer writes with.
import { parentPort, workerData } from 'node:worker_threads';
import { openHubLogReader } from '../db/open-log-reader.js';
import type { HubDbLocation } from '../db/open-hub-repo.js';
import { computeStats, logWindow, STATS_CUSTOMER_FIELDS, type StatsEntry } from './statistics.js';
import type { StatsJob, StatsReply } from './stats-runner.js';

const { location } = workerData as { location: HubDbLocation };
const reader = openHubLogReader(location);

async function answer(job: StatsJob): Promise<void> {
  let reply: StatsReply;
  try {
    const { fromIso, toIso } = logWindow(job.input.from, job.input.to, job.input.timeZone);
    // The reader hands back exactly the fields the statistics read (STATS_CUSTOMER_FIELDS).
    const changes = (await reader.customerChanges(
      job.input.storeId,
      fromIso,
      toIso,
      STATS_CUSTOMER_FIELDS,
    )) as unknown as StatsEntry[];
    reply = { id: job.id, ok: true, stats: computeStats(changes, job.input) };
  } catch (error) {
    reply = {
      id: job.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(reply);
}

parentPort?.on('message', (job: StatsJob) => void answer(job));
