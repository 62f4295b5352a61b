// `--pager` URLs: the protocol and its options come out; the rest goes to the transport.
import { describe, expect, it } from 'vitest';
import { parsePagerUrl, PagerUrlError } from '../../../drivers/pager/pager-url.js';
import { parseCli, UsageError } from '../../../main/launch/boot.js';

describe('parsePagerUrl', () => {
  it('reads the protocol and keeps the serial settings for the transport', () => {
    expect(parsePagerUrl('serial:/dev/pts/5?baud=1200&protocol=jtech')).toEqual({
      transportUrl: 'serial:/dev/pts/5?baud=1200',
      protocol: 'jtech',
    });
  });

  it('reads dialect, system id, capcodes, timeout and retries', () => {
    expect(
      parsePagerUrl(
        'tcp://10.0.0.9:4001?protocol=waveware&dialect=scope&capcode-base=1000&capcode-step=8&timeout-ms=500&retries=1',
      ),
    ).toEqual({
      transportUrl: 'tcp://10.0.0.9:4001',
      protocol: 'waveware',
      dialect: 'scope',
      capcodeBase: 1000,
      capcodeStep: 8,
      timeoutMs: 500,
      retries: 1,
    });
    expect(parsePagerUrl('serial:/dev/ttyUSB0?protocol=LRS&system=2')).toMatchObject({
      protocol: 'lrs',
      systemId: 2,
    });
  });

  it('defaults to JTECH when the URL names no protocol', () => {
    expect(parsePagerUrl('serial:/dev/ttyUSB0')).toEqual({
      transportUrl: 'serial:/dev/ttyUSB0',
      protocol: 'jtech',
    });
  });

  it('refuses an unknown protocol or a bad number with a clear reason', () => {
    expect(() => parsePagerUrl('serial:/dev/x?protocol=morse')).toThrow(
      /protocol must be one of jtech, waveware, tap, lrs/,
    );
    expect(() => parsePagerUrl('serial:/dev/x?protocol=lrs&system=99')).toThrow(PagerUrlError);
    expect(() => parsePagerUrl('serial:/dev/x?retries=two')).toThrow(
      /retries must be a whole number/,
    );
    expect(() => parsePagerUrl('serial:/dev/x?dialect=tap')).toThrow(/dialect/);
  });

  it('makes the command line refuse a bad --pager before anything starts', () => {
    const base = ['--hub', 'http://127.0.0.1:1', '--data', '/tmp/x'];
    expect(() => parseCli([...base, '--pager', 'serial:/dev/x?protocol=morse'])).toThrow(
      UsageError,
    );
    expect(parseCli([...base, '--pager', 'serial:/dev/x?protocol=tap']).pager).toBe(
      'serial:/dev/x?protocol=tap',
    );
  });
});
