// The runtime's health reports (issue 16): "reported" (what lets the kiosk say staff have been
// told) holds only while the hub has acknowledged the health as it is now and the link is up.
import { describe, expect, it } from 'vitest';
import type { DeviceHealth, HealthAck } from '../../../shared/protocol/sync.js';
import { createLogger } from '../../../main/common/logger.js';
import { HealthReporter } from '../../../main/runtime/device-health.js';
import { OfflineError } from '../../../main/sync/sync-client.js';

function scripted() {
  let current: DeviceHealth = {
    printer: 'ready',
    printerMessage: null,
    pager: null,
    scanner: null,
  };
  const hub = {
    online: true,
    answering: true,
    reports: [] as DeviceHealth[],
    async reportHealth(health: DeviceHealth): Promise<HealthAck> {
      if (!this.online || !this.answering)
        throw new OfflineError('The hub did not answer in time.');
      this.reports.push(health);
      const at = new Date(0).toISOString();
      return {
        ok: true,
        entry: { deviceId: 'k1', storeId: 's', health, reportedAt: at, changedAt: at },
      };
    },
  };
  const reporter = new HealthReporter({
    current: () => current,
    sync: () => hub,
    log: createLogger({ quiet: true }),
    changed: () => {},
  });
  return { hub, reporter, set: (h: Partial<DeviceHealth>) => (current = { ...current, ...h }) };
}

describe('health reporter', () => {
  it('is reported once the hub acknowledged the health as it is now', async () => {
    const { hub, reporter, set } = scripted();
    expect(reporter.reported).toBe(false);
    await reporter.report();
    expect(reporter.reported).toBe(true);
    set({ printer: 'paper_out' });
    expect(reporter.reported).toBe(false);
    await reporter.report();
    expect(reporter.reported).toBe(true);
    expect(hub.reports.map((h) => h.printer)).toEqual(['ready', 'paper_out']);
    expect(reporter.entries().map((e) => e.health.printer)).toEqual(['paper_out']);
  });

  it('is not reported when the hub does not answer, or once the link is down', async () => {
    const { hub, reporter, set } = scripted();
    await reporter.report();
    hub.online = false;
    expect(reporter.reported).toBe(false);
    hub.online = true;
    hub.answering = false;
    set({ printer: 'paper_out' });
    await reporter.report();
    expect(reporter.reported).toBe(false);
  });
});
