// A keyboard-wedge scanner types its payload as a burst of keys ending with Enter; a person
// types slowly. The pure detector (shared/scanner) tells them apart; this hook feeds it the
// window's key presses that do not belong to a text field and hands a burst's text, as read, to
// the runtime, which parses every check-in code in one place (main/runtime/check-in.ts).
import { useEffect, useRef } from 'react';
import { createWedgeDetector } from '../../shared/scanner/index.js';

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
      handlers.current.onCode(outcome.text);
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [active]);
}
