// What the desks tell staff of the store's devices (issue 16): a notice per device whose
// hardware is in trouble ("Ticket machine 1: out of paper"), and "back to normal" when it is.
// Pure, so the rule is tested without a browser; device-notices-view.tsx draws it.
import type { DeviceHealth, DeviceHealthEntry } from '../../shared/protocol/sync.js';
import type { UiKey } from '../i18n/index.js';

/** The problems a device's health shows, as catalog keys; none when all is well. */
export function healthProblems(health: DeviceHealth): UiKey[] {
  const problems: UiKey[] = [];
  const printer = health.printer;
  if (printer !== null && printer !== 'ready' && printer !== 'unknown')
    problems.push(`health.printer.${printer}`);
  if (health.pager !== null && !health.pager.ok) problems.push('health.pagerDown');
  if (health.scanner !== null && !health.scanner.ok) problems.push('health.scannerDown');
  return problems;
}

export interface DeviceNotice {
  /** Unique per device and change: a dismissed notice stays dismissed until the next change. */
  key: string;
  deviceId: string;
  /** The problems' keys, or empty for "back to normal". */
  problems: UiKey[];
}

/**
 * The notices after the fleet changed: a device whose problems changed gets a new notice in
 * place of its old one (problems, or back to normal when it had some); the others keep theirs
 * (dismissed or not). `seen` is each device's last problems and is updated.
 */
export function nextDeviceNotices(
  notices: readonly DeviceNotice[],
  fleet: readonly DeviceHealthEntry[],
  seen: Map<string, string>,
): DeviceNotice[] {
  let next = [...notices];
  for (const entry of fleet) {
    const problems = healthProblems(entry.health);
    const signature = problems.join(',');
    const before = seen.get(entry.deviceId);
    seen.set(entry.deviceId, signature);
    if (before === signature || (before === undefined && problems.length === 0)) continue;
    next = next.filter((n) => n.deviceId !== entry.deviceId);
    next.push({ key: `${entry.deviceId}:${entry.changedAt}`, deviceId: entry.deviceId, problems });
  }
  return next;
}
