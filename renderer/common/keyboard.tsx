// An on-screen keyboard for touch kiosks: big keys, layouts for names (Latin with the accents
// of FR/SV, or Arabic), emails, phone numbers and pager numbers. Keys are real buttons, so it
// works with a mouse, a finger and assistive technology alike.
import { useState } from 'react';

export type KeyboardLayout = 'text' | 'email' | 'phone' | 'digits';

// Rows are lists of keys, not strings: a key may be more than one character (لا).
const LATIN = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'].map((r) => [...r]);
const ACCENTS: Record<string, string> = { FR: 'éèêàçùôî', SV: 'åäöé' };
const ARABIC = [
  [...'١٢٣٤٥٦٧٨٩٠'],
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
  const [arabic, setArabic] = useState(lang === 'AR');
  const key = (text: string, label?: string, wide = false) => (
    <button
      key={text + (label ?? '')}
      type="button"
      className={`key${wide ? ' key-wide' : ''}`}
      aria-label={label ?? text}
      onClick={() => {
        onKey(text);
        if (layout === 'text' && shift && !arabic) setShift(false);
      }}
    >
      {text}
    </button>
  );
  const row = (keys: readonly string[], i: number) => (
    <div className="key-row" key={i}>
      {keys.map((c) => key(layout === 'text' && shift && !arabic ? c.toUpperCase() : c))}
    </div>
  );
  const controls = (
    <div className="key-row">
      {layout === 'text' && !arabic && (
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
      {layout === 'text' && key(' ', labels.space, true)}
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
  const rows = arabic && layout === 'text' ? ARABIC : LATIN;
  const accents = layout === 'text' && !arabic ? ACCENTS[lang] : undefined;
  return (
    <div className="keyboard" dir={arabic && layout === 'text' ? 'rtl' : 'ltr'}>
      {rows.map(row)}
      {accents !== undefined && row([...accents], 99)}
      {controls}
    </div>
  );
}
