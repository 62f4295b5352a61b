// A plain line logger: stderr, and a file in the data folder when given (what a technician
// reads after the fact). stdout is kept for the one "ready" line scripts wait for.
import { appendFileSync } from 'node:fs';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export function createLogger(options: { file?: string; quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string) => {
    const line = `${new Date().toISOString()} ${level} ${message}\n`;
    if (options.quiet !== true) process.stderr.write(line);
    if (options.file !== undefined) {
      try {
        appendFileSync(options.file, line);
      } catch {
        // A full or read-only disk must not stop the queue.
      }
    }
  };
  return {
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}
