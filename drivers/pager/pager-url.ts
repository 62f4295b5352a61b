// `--pager` URLs: the transport URL of the drivers plus the transmitter's protocol and options,
// e.g. `serial:/dev/ttyUSB0?baud=1200&protocol=jtech` or `tcp://10.0.0.9:4001?protocol=lrs&system=2`.
// The pager parameters are taken out before the URL goes to the transport. Pure (no transport is
// loaded), so the CLI can check a URL before anything opens.
import { SERIAL_DEFAULTS, type PagerProtocolName } from './protocols.js';

/** The protocols the driver speaks: the keys of its serial defaults (one list). */
export const PAGER_PROTOCOLS = Object.keys(SERIAL_DEFAULTS) as PagerProtocolName[];

export interface PagerSettings {
  /** What the transport sees (the pager parameters removed). */
  transportUrl: string;
  protocol: PagerProtocolName;
  dialect?: 'waveware' | 'scope';
  systemId?: number;
  capcodeBase?: number;
  capcodeStep?: number;
  timeoutMs?: number;
  retries?: number;
}

export class PagerUrlError extends Error {
  constructor(url: string, why: string) {
    super(`--pager ${url}: ${why}`);
    this.name = 'PagerUrlError';
  }
}

/** Without `protocol=` the transmitter is taken to be JTECH (the common restaurant encoder). */
export const DEFAULT_PAGER_PROTOCOL: PagerProtocolName = 'jtech';

const NUMBERS = {
  system: ['systemId', 0, 13],
  'capcode-base': ['capcodeBase', 0, 2_097_151],
  'capcode-step': ['capcodeStep', 1, 100_000],
  'timeout-ms': ['timeoutMs', 50, 60_000],
  retries: ['retries', 0, 10],
} as const;

export function parsePagerUrl(url: string): PagerSettings {
  const q = url.indexOf('?');
  const base = q === -1 ? url : url.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
  const protocol = (params.get('protocol') ?? DEFAULT_PAGER_PROTOCOL).toLowerCase();
  if (!Object.hasOwn(SERIAL_DEFAULTS, protocol))
    throw new PagerUrlError(url, `protocol must be one of ${PAGER_PROTOCOLS.join(', ')}`);
  const settings: PagerSettings = { transportUrl: base, protocol: protocol as PagerProtocolName };
  params.delete('protocol');
  const dialect = params.get('dialect');
  if (dialect !== null) {
    if (dialect !== 'waveware' && dialect !== 'scope')
      throw new PagerUrlError(url, 'dialect must be waveware or scope');
    settings.dialect = dialect;
    params.delete('dialect');
  }
  for (const [name, [key, min, max]] of Object.entries(NUMBERS)) {
    const raw = params.get(name);
    if (raw === null) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new PagerUrlError(url, `${name} must be a whole number from ${min} to ${max}`);
    settings[key] = n;
    params.delete(name);
  }
  const rest = params.toString();
  settings.transportUrl = rest === '' ? base : `${base}?${rest}`;
  return settings;
}
