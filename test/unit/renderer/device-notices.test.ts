// The desk's device notices (issue 16): one per device in trouble, replaced by "back to normal"
// when it recovers, a dismissed one staying dismissed until the device's health changes again.
import { describe, expect, it } from 'vitest';
import type { DeviceHealth, DeviceHealthEntry } from '../../../shared/protocol/sync.js';
import { healthProblems, nextDeviceNotices } from '../../../renderer/desk/device-notices.js';

const health = (fields: Partial<DeviceHealth>): DeviceHealth => ({
  printer: 'ready',
  printerMessage: null,
  pager: null,
  scanner: null,
  ...fields,
});
const entry = (deviceId: string, h: DeviceHealth, changedAt: string): DeviceHealthEntry => ({
  deviceId,
  storeId: 'store',
  health: h,
  reportedAt: changedAt,
  changedAt,
});

describe('device notices on a desk', () => {
  it('names each problem, and none for a ready or still unknown printer', () => {
    expect(healthProblems(health({}))).toEqual([]);
    expect(healthProblems(health({ printer: 'unknown' }))).toEqual([]);
    expect(healthProblems(health({ printer: null }))).toEqual([]);
    expect(
      healthProblems(
        health({
          printer: 'paper_out',
          pager: { ok: false, message: 'no answer' },
          scanner: { ok: true, message: null },
        }),
      ),
    ).toEqual(['health.printer.paper_out', 'health.pagerDown']);
  });

  it('tells a problem, then back to normal; a heartbeat adds nothing', () => {
    const seen = new Map<string, string>();
    // A device first seen healthy is not news.
    let notices = nextDeviceNotices([], [entry('k1', health({}), 't0')], seen);
    expect(notices).toEqual([]);
    notices = nextDeviceNotices(
      notices,
      [entry('k1', health({ printer: 'paper_out' }), 't1')],
      seen,
    );
    expect(notices).toEqual([
      { key: 'k1:t1', deviceId: 'k1', problems: ['health.printer.paper_out'] },
    ]);
    // Dismissed, then the same health again (a heartbeat, a pull): stays dismissed.
    notices = nextDeviceNotices([], [entry('k1', health({ printer: 'paper_out' }), 't1')], seen);
    expect(notices).toEqual([]);
    notices = nextDeviceNotices(notices, [entry('k1', health({}), 't2')], seen);
    expect(notices).toEqual([{ key: 'k1:t2', deviceId: 'k1', problems: [] }]);
  });

  it('replaces a device’s notice, and leaves other devices’ alone', () => {
    const seen = new Map<string, string>();
    let notices = nextDeviceNotices(
      [],
      [
        entry('k1', health({ printer: 'paper_near_end' }), 't1'),
        entry('k2', health({ printer: 'cover_open' }), 't1'),
      ],
      seen,
    );
    notices = nextDeviceNotices(
      notices,
      [entry('k1', health({ printer: 'paper_out' }), 't2')],
      seen,
    );
    expect(notices.map((n) => [n.deviceId, n.problems])).toEqual([
      ['k2', ['health.printer.cover_open']],
      ['k1', ['health.printer.paper_out']],
    ]);
  });
});
