// The desk's notices of device trouble (see device-notices.ts): in the staff's language, each
// dismissable; fixed in a corner so the desk's card and buttons never move.
import { useEffect, useRef, useState } from 'react';
import type { Device } from '../../shared/domain/entities.js';
import type { DeviceHealthEntry } from '../../shared/protocol/sync.js';
import { tr } from '../i18n/index.js';
import { nextDeviceNotices, type DeviceNotice } from './device-notices.js';

export function DeviceNotices({
  fleet,
  devices,
  lang,
}: {
  fleet: readonly DeviceHealthEntry[];
  devices: readonly Device[];
  lang: string;
}) {
  const seen = useRef(new Map<string, string>());
  const [notices, setNotices] = useState<DeviceNotice[]>([]);
  useEffect(() => setNotices((now) => nextDeviceNotices(now, fleet, seen.current)), [fleet]);
  if (notices.length === 0) return null;
  return (
    <div className="device-notices" role="status" aria-live="assertive">
      {notices.map((n) => {
        const device = devices.find((d) => d.id === n.deviceId)?.name ?? n.deviceId;
        const problem =
          n.problems.length === 0
            ? tr(lang, 'health.backToNormal')
            : n.problems.map((k) => tr(lang, k)).join(', ');
        return (
          <p
            key={n.key}
            className={`banner ${n.problems.length === 0 ? 'banner-info' : 'banner-warning'}`}
            data-testid="device-notice"
            data-device-id={n.deviceId}
          >
            <span className="banner-text">{tr(lang, 'health.notice', { device, problem })}</span>
            <button
              type="button"
              className="btn-link"
              onClick={() => setNotices((now) => now.filter((x) => x.key !== n.key))}
            >
              {tr(lang, 'common.close')}
            </button>
          </p>
        );
      })}
    </div>
  );
}
