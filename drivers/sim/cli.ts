// Simulators as processes, for the demo and for trying the drivers by hand:
//   node --import tsx drivers/sim/cli.ts printer [--tcp-port N] [--http-port M] [--host H] [--pty] [--paper 58|80]
//   node --import tsx drivers/sim/cli.ts pager --protocol jtech|waveware|tap|lrs [--scope] [--system-id N]
//   node --import tsx drivers/sim/cli.ts scanner [--suffix cr|crlf|tab|none]   (type codes on stdin)
// Each prints one line saying where it listens, then runs until SIGINT/SIGTERM.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startPagerSimulator } from './pager-sim.js';
import { startScannerSimulator } from './scanner-sim.js';
import { startVirtualPrinter } from './virtual-printer.js';

const USAGE = `usage: cli.ts printer [--tcp-port N] [--http-port M] [--host H] [--pty] [--paper 58|80]
       cli.ts pager --protocol jtech|waveware|tap|lrs [--scope] [--system-id N]
       cli.ts scanner [--suffix cr|crlf|tab|none]`;

function port(value: string | undefined, name: string): number {
  if (value === undefined) return 0;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new Error(`--${name} must be a port number (0-65535)`);
  return n;
}

function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      'tcp-port': { type: 'string' },
      'http-port': { type: 'string' },
      host: { type: 'string' },
      pty: { type: 'boolean' },
      paper: { type: 'string' },
      protocol: { type: 'string' },
      scope: { type: 'boolean' },
      'system-id': { type: 'string' },
      suffix: { type: 'string' },
    },
    strict: true,
  });

  if (command === 'printer') {
    const paper = values.paper ?? '80';
    if (paper !== '58' && paper !== '80') throw new Error('--paper must be 58 or 80');
    const printer = await startVirtualPrinter({
      host: values.host ?? '127.0.0.1',
      tcpPort: port(values['tcp-port'], 'tcp-port'),
      httpPort: port(values['http-port'], 'http-port'),
      pty: values.pty ?? false,
      dots: paper === '58' ? 384 : 576,
    });
    const pty = printer.ptyPath ? ` and serial:${printer.ptyPath}` : '';
    console.log(
      `Virtual printer listening on tcp://${printer.host}:${printer.tcpPort}${pty}, inspect at ${printer.httpUrl}/receipts`,
    );
    await untilSignal(() => printer.close());
    return;
  }

  if (command === 'pager') {
    const protocol = values.protocol;
    if (
      protocol !== 'jtech' &&
      protocol !== 'waveware' &&
      protocol !== 'tap' &&
      protocol !== 'lrs'
    ) {
      throw new Error('--protocol must be jtech, waveware, tap or lrs');
    }
    const systemId = values['system-id'] === undefined ? undefined : Number(values['system-id']);
    const sim = await startPagerSimulator({
      protocol,
      ...(values.scope ? { dialect: 'scope' as const } : {}),
      ...(systemId === undefined ? {} : { systemId }),
    });
    console.log(
      `Pager transmitter simulator (${protocol}${values.scope ? '/scope' : ''}) on serial:${sim.hostPath}`,
    );
    let shown = 0;
    const timer = setInterval(() => {
      for (const page of sim.pages().slice(shown)) {
        console.log(
          `page → pager ${page.pagerNumber ?? '?'} (capcode ${page.capcode}) ${JSON.stringify(page.message)}`,
        );
      }
      shown = sim.pages().length;
    }, 200);
    await untilSignal(async () => {
      clearInterval(timer);
      await sim.close();
    });
    return;
  }

  if (command === 'scanner') {
    const suffix = values.suffix ?? 'cr';
    if (!['cr', 'crlf', 'lf', 'tab', 'none'].includes(suffix))
      throw new Error('--suffix must be cr, crlf, tab or none');
    const sim = await startScannerSimulator({ suffix: suffix as 'cr' });
    console.log(
      `Scanner simulator on serial:${sim.hostPath}; type a code and press Enter to scan it`,
    );
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => void sim.scan(line));
    await untilSignal(async () => {
      lines.close();
      await sim.close();
    });
    return;
  }

  throw new Error(USAGE);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 2;
  });
}
