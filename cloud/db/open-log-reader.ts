// Picks the statistics' log reader for the hub's storage engine (see open-hub-repo.ts).
import type { HubDbLocation } from './open-hub-repo.js';
import { openPgLogReader } from './pg-log-reader.js';
import { openLogReader, type LogReader } from './sqlite-log-reader.js';

export function openHubLogReader(location: HubDbLocation): LogReader {
  return location.engine === 'postgres'
    ? openPgLogReader(location.url)
    : openLogReader(location.dataDir);
}
