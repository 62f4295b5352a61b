// Keyboard-wedge scanners type a whole code in a burst (a few ms per key) and end it with Enter
// or Tab; people type slower and irregularly. This pure detector watches key events with their
// timestamps (KeyboardEvent.key and .timeStamp in the renderer) and says when a burst was a scan.

export interface WedgeOptions {
  /** Longest gap between two keys of one scan. */
  maxInterKeyMs?: number;
  /** Shortest code accepted as a scan. */
  minLength?: number;
  /** Longest code; longer bursts are dropped with a reason. */
  maxLength?: number;
  /** The key the scanner sends after a code; 'none' ends a burst after idleMs of silence. */
  suffix?: 'Enter' | 'Tab' | 'none';
  idleMs?: number;
}

export interface KeyInput {
  /** KeyboardEvent.key: 'a', 'Enter', 'Shift'... */
  key: string;
  /** Milliseconds (KeyboardEvent.timeStamp or performance.now()). */
  timeMs: number;
}

export type WedgeOutcome =
  /** A scan ended: the renderer handles `text` and swallows the suffix key. */
  | { kind: 'scan'; text: string }
  /** Keys are being collected; nothing to do yet. */
  | { kind: 'pending' }
  /** What was collected was a person typing (let it through). */
  | { kind: 'typing'; text: string }
  /** A burst that cannot be a valid scan. */
  | { kind: 'rejected'; reason: string }
  /** Not a character (modifier keys): ignore. */
  | { kind: 'ignored' };

export interface WedgeDetector {
  key(input: KeyInput): WedgeOutcome;
  /** For suffix 'none' (or a lost suffix): call on a timer; ends an idle burst. */
  flush(nowMs: number): WedgeOutcome;
  reset(): void;
}

const MODIFIERS = new Set([
  'Shift',
  'Control',
  'Alt',
  'AltGraph',
  'Meta',
  'CapsLock',
  'NumLock',
  'Dead',
]);

export function createWedgeDetector(options: WedgeOptions = {}): WedgeDetector {
  const maxGap = options.maxInterKeyMs ?? 35;
  const minLength = options.minLength ?? 4;
  const maxLength = options.maxLength ?? 512;
  const suffix = options.suffix ?? 'Enter';
  const idleMs = options.idleMs ?? 80;
  let text = '';
  let last = -Infinity;
  let fast = true;

  const reset = (): void => {
    text = '';
    last = -Infinity;
    fast = true;
  };

  const end = (): WedgeOutcome => {
    const collected = text;
    const wasFast = fast;
    reset();
    if (!collected) return { kind: 'pending' };
    if (!wasFast) return { kind: 'typing', text: collected };
    if (collected.length < minLength) return { kind: 'typing', text: collected };
    return { kind: 'scan', text: collected };
  };

  return {
    key({ key, timeMs }) {
      if (MODIFIERS.has(key)) return { kind: 'ignored' };
      const gap = timeMs - last;
      if (key === suffix) {
        if (text && gap > maxGap) fast = false;
        return end();
      }
      if ([...key].length !== 1) {
        // Arrows, Backspace...: only people press these.
        const outcome: WedgeOutcome = text ? { kind: 'typing', text } : { kind: 'ignored' };
        reset();
        return outcome;
      }
      if (text && gap > maxGap) {
        if (suffix === 'none' && fast) {
          // The previous burst ended by silence: report it, and start over with this key.
          const previous = end();
          text = key;
          last = timeMs;
          return previous;
        }
        fast = false;
      }
      text += key;
      last = timeMs;
      if (text.length > maxLength) {
        reset();
        return { kind: 'rejected', reason: `burst longer than ${maxLength} characters` };
      }
      return { kind: 'pending' };
    },
    flush(nowMs) {
      if (!text || nowMs - last < idleMs) return { kind: 'pending' };
      if (suffix !== 'none') {
        // The suffix never came: a person typing, or a scanner set up without suffix.
        const collected = text;
        reset();
        return { kind: 'typing', text: collected };
      }
      return end();
    },
    reset,
  };
}
