// A pair of linked pseudo-terminals made by socat: whatever is written to one end comes out of the
// other, like a null-modem cable. Simulators hold one end; drivers open the other as a serial port.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** The end a simulator keeps. */
  devicePath: string;
  /** The end handed to the driver under test (as `serial:<path>`). */
  hostPath: string;
  pid: number;
  close(): Promise<void>;
}

export async function createPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const child: ChildProcess = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const paths = await new Promise<string[]>((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`socat did not create ptys in time: ${stderr}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start socat (is it installed?): ${error.message}`));
    });
    const early = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`socat exited (${code}) before creating ptys: ${stderr}`));
    };
    child.once('exit', early);
    const onData = (chunk: Buffer): void => {
      stderr += chunk.toString();
      const found = [...stderr.matchAll(/PTY is (\/dev\/\S+)/g)].map((m) => m[1] as string);
      if (found.length === 2 && /starting data transfer loop/.test(stderr)) {
        clearTimeout(timer);
        child.off('exit', early);
        child.stderr?.off('data', onData);
        resolve(found);
      }
    };
    child.stderr?.on('data', onData);
  });
  child.stderr?.resume();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    devicePath: paths[0] as string,
    hostPath: paths[1] as string,
    pid: child.pid ?? -1,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
