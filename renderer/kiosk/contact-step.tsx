// How the customer wants to be told it is their turn, as the store allows: a name called out,
// a text message, an email, a pager, or just the ticket; typed on an on-screen keyboard.
import { useState } from 'react';
import type { ContactMode, Service, Store } from '../../shared/domain/entities.js';
import { keyboardLabels, OnScreenKeyboard, type KeyboardLayout } from '../common/keyboard.js';
import { localText, tr, type UiKey } from '../i18n/index.js';
import { BackButton } from './back-button.js';
import { contactModes, validateContact, type ContactChoice } from './contact.js';
import { callingCode } from './phone.js';
import { screenDisplay } from '../../shared/domain/display.js';

const MODE_LABEL: Record<ContactMode, UiKey> = {
  name: 'kiosk.byName',
  phone: 'kiosk.byPhone',
  email: 'kiosk.byEmail',
  pager: 'kiosk.byPager',
  anonymous: 'kiosk.anonymous',
};
const FIELD_LABEL: Record<ContactMode, UiKey> = {
  name: 'kiosk.enterName',
  phone: 'kiosk.enterPhone',
  email: 'kiosk.enterEmail',
  pager: 'kiosk.enterPager',
  anonymous: 'kiosk.enterName',
};
const LAYOUT: Record<ContactMode, KeyboardLayout> = {
  name: 'text',
  phone: 'phone',
  email: 'email',
  pager: 'digits',
  anonymous: 'text',
};
const MAX_LENGTH: Record<ContactMode, number> = {
  name: 100,
  phone: 20,
  email: 254,
  pager: 5,
  anonymous: 0,
};

export function ContactStep({
  store,
  lang,
  service,
  busy,
  error,
  onBack,
  onSubmit,
}: {
  store: Store;
  lang: string;
  service: Service;
  busy: boolean;
  error: string | null;
  onBack: () => void;
  onSubmit: (choice: ContactChoice) => void;
}) {
  const modes = contactModes(store);
  const [mode, setMode] = useState<ContactMode>(modes[0] ?? 'anonymous');
  const [values, setValues] = useState<Partial<Record<ContactMode, string>>>({});
  const [invalid, setInvalid] = useState<UiKey | null>(null);
  const value = values[mode] ?? '';
  const setValue = (next: string) => {
    setInvalid(null);
    setValues({ ...values, [mode]: next.slice(0, MAX_LENGTH[mode]) });
  };
  const submit = () => {
    const result = validateContact(mode, value, store);
    if (result.ok) onSubmit(result.choice);
    else setInvalid(result.error);
  };
  const code = callingCode(store.sms.defaultCountry);
  const fieldId = `contact-${mode}`;
  const errorId = `${fieldId}-error`;

  return (
    <section className="kiosk-contact" aria-labelledby="contact-title">
      <p className="chosen-service">{localText(service.name, lang, store.langs)}</p>
      <h2 id="contact-title">{tr(lang, 'kiosk.howToNotify')}</h2>
      {modes.length > 1 && (
        <div className="mode-picker" role="radiogroup" aria-labelledby="contact-title">
          {modes.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={m === mode}
              className={`mode-btn${m === mode ? ' active' : ''}`}
              data-mode={m}
              onClick={() => {
                setMode(m);
                setInvalid(null);
              }}
            >
              {tr(lang, MODE_LABEL[m])}
            </button>
          ))}
        </div>
      )}
      <form
        className="contact-form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        {mode === 'anonymous' ? (
          <p className="lead contact-anonymous">{tr(lang, 'kiosk.anonymousHint')}</p>
        ) : (
          <>
            <label htmlFor={fieldId} className="field-label">
              {tr(lang, FIELD_LABEL[mode])}
              {mode === 'phone' && code !== null && (
                <span className="field-hint">
                  {' '}
                  {tr(lang, 'kiosk.phoneHint', { code: `+${code}` })}
                </span>
              )}
              {mode === 'pager' && (
                <span className="field-hint"> {tr(lang, 'kiosk.pagerHint')}</span>
              )}
            </label>
            <div className="field-row">
              {mode === 'phone' && code !== null && !value.trim().startsWith('+') && (
                <span className="field-prefix" dir="ltr" aria-hidden="true">
                  +{code}
                </span>
              )}
              <input
                id={fieldId}
                className="field-input"
                dir={mode === 'name' ? 'auto' : 'ltr'}
                value={value}
                inputMode="none"
                autoComplete="off"
                autoCapitalize="off"
                spellCheck={false}
                aria-invalid={invalid !== null}
                aria-describedby={invalid !== null ? errorId : undefined}
                onChange={(e) => setValue(e.target.value)}
              />
            </div>
            {/* One slot under the field: the error when there is one, else (for a name) what the
                screen will show; the keyboard and the buttons below never move. */}
            <div className="field-message">
              <p id={errorId} className="field-error" role="alert">
                {invalid !== null ? tr(lang, invalid) : ''}
              </p>
              {mode === 'name' && invalid === null && (
                <ScreenPreview store={store} lang={lang} name={value} />
              )}
            </div>
            <OnScreenKeyboard
              key={lang /* a new language starts on its own script */}
              layout={LAYOUT[mode]}
              lang={lang}
              labels={keyboardLabels(lang)}
              onKey={(k) => setValue(value + k)}
              onBackspace={() => setValue([...value].slice(0, -1).join(''))}
              onClear={() => setValue('')}
            />
          </>
        )}
        {error !== null && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div className="step-actions">
          <BackButton lang={lang} onClick={onBack} disabled={busy} />
          <button
            type="submit"
            className="btn btn-primary btn-large"
            disabled={busy}
            data-testid="get-ticket"
          >
            {busy ? tr(lang, 'kiosk.printing') : tr(lang, 'kiosk.getTicket')}
          </button>
        </div>
      </form>
    </section>
  );
}

const RULE_TEXT: Record<Store['display']['screen'], UiKey> = {
  ticket: 'kiosk.screenShowsTicket',
  'first-name': 'kiosk.screenShowsFirstName',
  'masked-name': 'kiosk.screenShowsMasked',
};

/** What the public screen will show of the name being typed, by the store's display rule. */
function ScreenPreview({ store, lang, name }: { store: Store; lang: string; name: string }) {
  const shown = screenDisplay({ ticket: '', contact: { name } }, store.display);
  return (
    <p className="field-hint screen-preview" data-testid="screen-preview" aria-live="polite">
      {tr(lang, RULE_TEXT[store.display.screen])}
      {shown !== null && (
        <>
          {' '}
          {tr(lang, 'kiosk.screenPreview', { shown: '' })}
          <bdi className="preview-name">{shown}</bdi>
        </>
      )}
    </p>
  );
}
