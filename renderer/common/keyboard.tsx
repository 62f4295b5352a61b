// An on-screen keyboard for touch kiosks: big keys, layouts for names (Latin with the accents
// of FR/SV, or Arabic), emails, phone numbers, pager numbers and booking codes. Keys are real buttons, so it
// works with a mouse, a finger and assistive technology alike.
import { useState } from 'react';
import { t } from '../../shared/i18n/index.js';

export type KeyboardLayout = 'text' | 'email' | 'phone' | 'digits' | 'code';

// Rows are lists of keys, not strings: a key may be more than one character (لا). Digits are
// Latin in every language, Arabic too: the one digit style of tickets, phones and the whole UI.
const LATIN = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'].map((r) => [...r]);
const ACCENTS: Record<string, string> = { FR: 'éèêàçùôî', SV: 'åäöé' };
const ARABIC = [
  [...'1234567890'],
  [...'ضصثقفغعهخحج'],
  [...'شسيبلاتنمكط'],
  ['ئ', 'ء', 'ؤ', 'ر', 'لا', 'ى', 'ة', 'و', 'ز', 'ظ', 'د', 'ذ'],
];
const DIGITS = ['123', '456', '789'].map((r) => [...r]);

export interface KeyboardLabels {
  backspace: string;
  space: string;
  shift: string;
  switchScript: string;
  clear: string;
}

/** The keys' names in `lang`. */
export function keyboardLabels(lang: string): KeyboardLabels {
  return {
    backspace: t(lang, 'keyboard.backspace'),
    space: t(lang, 'keyboard.space'),
    shift: t(lang, 'keyboard.shift'),
    switchScript: t(lang, 'keyboard.switchScript'),
    clear: t(lang, 'keyboard.clear'),
  };
}

export function OnScreenKeyboard({
  layout,
  lang,
  labels,
  onKey,
  onBackspace,
  onClear,
}: {
  layout: KeyboardLayout;
  lang: string;
  labels: KeyboardLabels;
  onKey: (text: string) => void;
  onBackspace: () => void;
  onClear: () => void;
}) {
  const [shift, setShift] = useState(true);
  // Names take a capital first letter; booking codes stay in capitals until Shift is pressed.
  const shifting = layout === 'text' || layout === 'code';
  const [arabic, setArabic] = useState(lang === 'AR');
  // Only names are typed in Arabic script; every other layout is Latin.
  const arabicRows = layout === 'text' && arabic;
  const key = (text: string, label?: string, wide = false) => (
    <button
      key={text + (label ?? '')}
      type="button"
      className={`key${wide ? ' key-wide' : ''}`}
      aria-label={label ?? text}
      onClick={() => {
        onKey(text);
        if (layout === 'text' && shift && !arabicRows) setShift(false);
      }}
    >
      {text}
    </button>
  );
  const row = (keys: readonly string[], i: number) => (
    <div className="key-row" key={i}>
      {keys.map((c) => key(shifting && shift && !arabicRows ? c.toUpperCase() : c))}
    </div>
  );
  const controls = (
    <div className="key-row">
      {shifting && !arabicRows && (
        <button
          type="button"
          className={`key key-wide${shift ? ' key-on' : ''}`}
          aria-pressed={shift}
          onClick={() => setShift(!shift)}
        >
          {labels.shift}
        </button>
      )}
      {layout === 'text' && (lang === 'AR' || arabic) && (
        <button type="button" className="key key-wide" onClick={() => setArabic(!arabic)}>
          {arabic ? 'ABC' : 'أبج'}
          <span className="visually-hidden"> {labels.switchScript}</span>
        </button>
      )}
      {layout === 'text' && (
        // The space key shows its name: a blank key reads as nothing to people and to readers.
        <button
          type="button"
          className="key key-wide key-space"
          aria-label={labels.space}
          onClick={() => onKey(' ')}
        >
          {labels.space}
        </button>
      )}
      {layout === 'code' && ['-', '_'].map((s) => key(s))}
      {layout === 'email' && ['@', '.', '-', '_', '.com'].map((s) => key(s))}
      <button type="button" className="key key-wide" onClick={onClear}>
        {labels.clear}
      </button>
      <button
        type="button"
        className="key key-wide"
        aria-label={labels.backspace}
        onClick={onBackspace}
      >
        ⌫
      </button>
    </div>
  );

  if (layout === 'digits' || layout === 'phone') {
    return (
      <div className="keyboard keyboard-digits" dir="ltr">
        {DIGITS.map(row)}
        <div className="key-row">
          {layout === 'phone' ? key('+') : <span className="key-spacer" />}
          {key('0')}
          <button type="button" className="key" aria-label={labels.backspace} onClick={onBackspace}>
            ⌫
          </button>
        </div>
      </div>
    );
  }
  const rows = arabicRows ? ARABIC : LATIN;
  const accents = layout === 'text' && !arabic ? ACCENTS[lang] : undefined;
  return (
    <div className="keyboard" dir={arabicRows ? 'rtl' : 'ltr'}>
      {rows.map(row)}
      {accents !== undefined && row([...accents], 99)}
      {controls}
    </div>
  );
}
