// A keyboard-wedge scanner types its payload as a burst of keys ending with Enter; a person
// types slowly. The pure detector (shared/scanner) tells them apart; this hook feeds it the
// window's key presses that do not belong to a text field, and turns a recognised payload into
// the code the hub looks appointments up by.
import { useEffect, useRef } from 'react';
import {
  createWedgeDetector,
  parseScanPayload,
  type ScanPayload,
} from '../../shared/scanner/index.js';

/** The id the hub checks in by: a customer id, or the partner's appointment id. */
export function checkInCode(payload: ScanPayload): string {
  switch (payload.kind) {
    case 'ombori-check-in':
      return payload.positionId;
    case 'lineup-ticket':
    case 'lineup-appointment':
      return payload.customerId;
    case 'appointment':
      return payload.externalId;
  }
}

export function useWedgeScanner(
  active: boolean,
  onCode: (code: string) => void,
  onUnreadable: (reason: string) => void,
): void {
  const handlers = useRef({ onCode, onUnreadable });
  useEffect(() => {
    handlers.current = { onCode, onUnreadable };
  });
  useEffect(() => {
    if (!active) return;
    const detector = createWedgeDetector({ suffix: 'Enter' });
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const outcome = detector.key({ key: e.key, timeMs: e.timeStamp });
      if (outcome.kind === 'rejected') {
        handlers.current.onUnreadable(outcome.reason);
        return;
      }
      if (outcome.kind !== 'scan') return;
      e.preventDefault();
      const parsed = parseScanPayload(outcome.text);
      if (parsed.ok) handlers.current.onCode(checkInCode(parsed.payload));
      else handlers.current.onUnreadable(parsed.reason);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [active]);
}
