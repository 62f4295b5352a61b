// Fleet lines and the alerts the notification path hears: quiet after the threshold with no
// connection, paper out from the last report, sync lag from the device's known position.
import { describe, expect, it } from 'vitest';
import {
  fleetOf,
  fleetTransitions,
  type FleetAlert,
  type FleetFlags,
} from '../../../cloud/console/fleet.js';
import type { FleetResponse } from '../../../shared/protocol/console.js';
import type { DevicePresence } from '../../../cloud/console/presence.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { QUIET_AFTER_SECONDS } from '../../../shared/protocol/console.js';
import type { DeviceHealthEntry } from '../../../shared/protocol/sync.js';

const kiosk = demoStore.devices.find((d) => d.id === 'demo-kiosk')!;
const t0 = new Date('2026-03-10T09:00:00.000Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);
const health = (printer: 'ready' | 'paper_out', at: Date): DeviceHealthEntry => ({
  deviceId: kiosk.id,
  storeId: kiosk.storeId,
  health: { printer, printerMessage: null, pager: null, scanner: null },
  reportedAt: at.toISOString(),
  changedAt: at.toISOString(),
});
const presence = (sockets: number, lastSeen: Date, seq: number): DevicePresence => ({
  storeId: kiosk.storeId,
  sockets,
  connectedSince: sockets > 0 ? t0.toISOString() : null,
  lastSeen: lastSeen.toISOString(),
  version: '1.2.3',
  position: { epoch: 'e', seq },
});
const head = { epoch: 'e', seq: 40 };
const fleet = (p: DevicePresence | null, h: DeviceHealthEntry | null, now: Date) =>
  fleetOf(kiosk.storeId, [kiosk], () => p, h === null ? [] : [h], head, now);

describe('fleet health', () => {
  it('reports connection, version, lag and flags', () => {
    const line = fleet(presence(1, t0, 37), health('paper_out', t0), later(600)).devices[0];
    expect(line).toMatchObject({
      connection: 'online',
      version: '1.2.3',
      printer: 'paper_out',
      syncLag: 3,
      flags: { quiet: false, outOfPaper: true },
    });
    const never = fleet(null, null, t0).devices[0];
    expect(never).toMatchObject({
      connection: 'never',
      lastSeen: null,
      syncLag: null,
      flags: { quiet: true },
    });
  });

  it('shows a device connected through another hub node as online, by its recent reports', () => {
    const reported = (at: Date): DeviceHealthEntry => ({
      ...health('ready', at),
      version: '2.0.0',
    });
    const line = (p: DevicePresence | null, h: DeviceHealthEntry, now: Date) =>
      fleet(p, h, now).devices[0];
    // Never connected here; it reported 20 s ago (through the other node).
    expect(line(null, reported(t0), later(20))).toMatchObject({
      connection: 'online',
      version: '2.0.0',
      syncLag: null,
      flags: { quiet: false },
    });
    // It left this node after its last report: offline, wherever it reported before.
    expect(line(presence(0, later(10), 40), reported(t0), later(20))).toMatchObject({
      connection: 'offline',
    });
    // It left this node, then reported again (reconnected to the other node, updated).
    expect(line(presence(0, later(10), 40), reported(later(15)), later(20))).toMatchObject({
      connection: 'online',
      version: '2.0.0',
    });
    // Reports stopped more than two heartbeats ago: offline.
    expect(line(null, reported(t0), later(70))).toMatchObject({ connection: 'offline' });
  });

  it('raises quiet and paper-out alerts on change only, and their recovery', () => {
    // What the store was last told, kept as cloud/notify/fleet-alerts.ts keeps it.
    const told = new Map<string, FleetFlags>();
    const heard: FleetAlert[] = [];
    const look = (f: FleetResponse) => {
      heard.push(...fleetTransitions(told, f));
      for (const line of f.devices) told.set(line.device.id, { ...line.flags });
    };
    // The first look only remembers.
    look(fleet(presence(1, t0, 40), health('ready', t0), t0));
    expect(heard).toEqual([]);
    // Disconnected, but not yet for long: not quiet.
    look(fleet(presence(0, t0, 40), health('ready', t0), later(QUIET_AFTER_SECONDS)));
    expect(heard).toEqual([]);
    look(fleet(presence(0, t0, 40), health('ready', t0), later(QUIET_AFTER_SECONDS + 1)));
    look(fleet(presence(0, t0, 40), health('ready', t0), later(QUIET_AFTER_SECONDS + 30)));
    expect(heard.map((a) => [a.kind, a.deviceId])).toEqual([['device_quiet', 'demo-kiosk']]);
    const back = later(QUIET_AFTER_SECONDS + 60);
    look(fleet(presence(1, back, 40), health('paper_out', back), back));
    expect(heard.map((a) => a.kind)).toEqual(['device_quiet', 'device_back', 'paper_out']);
    look(fleet(presence(1, back, 40), health('ready', back), back));
    expect(heard.at(-1)?.kind).toBe('paper_back');
  });

  it('tells of a device first seen out of paper, not of one first seen quiet', () => {
    const first = (f: FleetResponse) => fleetTransitions(new Map(), f).map((a) => a.kind);
    expect(first(fleet(presence(1, t0, 40), health('paper_out', t0), t0))).toEqual(['paper_out']);
    expect(first(fleet(null, null, t0))).toEqual([]);
    expect(first(fleet(presence(1, t0, 40), health('ready', t0), t0))).toEqual([]);
    // Quiet from the first look (never installed), then connected: not "back online".
    const untold = new Map([[kiosk.id, { quiet: true, outOfPaper: false, quietTold: false }]]);
    expect(fleetTransitions(untold, fleet(presence(1, t0, 40), null, t0))).toEqual([]);
    const told = new Map([[kiosk.id, { quiet: true, outOfPaper: false, quietTold: true }]]);
    expect(fleetTransitions(told, fleet(presence(1, t0, 40), null, t0)).map((a) => a.kind)).toEqual(
      ['device_back'],
    );
  });
});
