// The ticket machine: language, service tree, contact step, ticket; QR check-in at any time on
// the start screens; back to the start after inactivity.
import { useCallback, useState, type ReactNode } from 'react';
import type { ApplianceState } from '../../shared/api/appliance-api.js';
import { ApplianceError } from '../../shared/api/appliance-api.js';
import type { Customer, Organization, Service } from '../../shared/domain/entities.js';
import { storeOpenState } from '../../shared/domain/store-status.js';
import { isRtl } from '../../shared/i18n/index.js';
import { useApi } from '../api/use-appliance.js';
import { queryNumber, useIdle } from '../common/hooks.js';
import { initialOf, useLogoSource } from '../common/logo.js';
import { StoreQr } from '../common/store-qr.js';
import { languageName, tr } from '../i18n/index.js';
import { BackButton } from './back-button.js';
import type { ContactChoice } from './contact.js';
import { ContactStep } from './contact-step.js';
import { ServiceStep } from './service-step.js';
import { TicketStep, type TicketResult } from './ticket-step.js';
import { useWedgeScanner } from './use-wedge-scanner.js';
import { isMenu } from './services.js';
import { localText } from '../i18n/index.js';
import { keyboardLabels, OnScreenKeyboard } from '../common/keyboard.js';
import { useDocumentLanguage } from '../common/document-language.js';

type Step =
  | { kind: 'services'; path: string[] }
  | { kind: 'contact'; path: string[]; service: Service }
  /** `service` is null when reached from the footer rather than from the service tree. */
  | { kind: 'appointment'; path: string[]; service: Service | null }
  | { kind: 'ticket'; result: TicketResult }
  | { kind: 'checked-in'; customer: Customer };

type ScanFeedback = { level: 'ok' | 'error' | 'busy'; message: string } | null;

const START: Step = { kind: 'services', path: [] };

export function KioskView({ state }: { state: ApplianceState }) {
  const api = useApi();
  const snapshot = state.store;
  const langs = snapshot?.store.langs ?? ['EN'];
  const defaultLang = langs[0] ?? 'EN';
  const [lang, setLang] = useState(defaultLang);
  const [step, setStep] = useState<Step>(START);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [scan, setScan] = useState<ScanFeedback>(null);
  useDocumentLanguage(lang);

  const reset = useCallback(() => {
    setStep(START);
    setLang(defaultLang);
    setError(null);
    setScan(null);
  }, [defaultLang]);

  const atStart = step.kind === 'services' && step.path.length === 0;
  const finished = step.kind === 'ticket' || step.kind === 'checked-in';
  const idleSeconds = queryNumber('idle', finished ? 20 : 60);
  const idleLeft = useIdle(
    !atStart || lang !== defaultLang || scan !== null,
    idleSeconds * 1000,
    reset,
  );

  const checkIn = useCallback(
    (code: string) => {
      setScan({ level: 'busy', message: tr(lang, 'kiosk.checkingIn') });
      api.checkIn({ code }).then(
        ({ customer }) => {
          setScan(null);
          setStep({ kind: 'checked-in', customer });
        },
        (e: unknown) =>
          setScan({
            level: 'error',
            message: checkInError(e, lang),
          }),
      );
    },
    [api, lang],
  );
  const onBadScan = useCallback(
    () => setScan({ level: 'error', message: tr(lang, 'kiosk.scanUnknown') }),
    [lang],
  );
  const openState = snapshot === null ? 'closed' : storeOpenState(snapshot.devices);
  // Scans count on the service screens only (elsewhere the keys belong to the text fields), and
  // not while the store is closed: nobody can be checked in then, so nothing invites to scan.
  // Closing soon still checks appointments in: the desks serve whoever is already in the queue.
  const scanning =
    openState !== 'closed' && (step.kind === 'services' || step.kind === 'appointment');
  useWedgeScanner(scanning, checkIn, onBadScan);

  if (snapshot === null) return null;
  const { store, organization } = snapshot;
  const printer = state.health.printer;
  const printerTrouble =
    printer !== null && (!printer.online || printer.paperOut || printer.coverOpen);
  const rtl = isRtl(lang);
  // A wedge scanner types like a keyboard and is always listened to, but the kiosk only tells
  // people to scan when its technician view says a scanner is there.
  const hasScanner = state.health.scanner?.configured === true;
  const openAppointment = () => {
    setError(null);
    setScan(null);
    setStep({ kind: 'appointment', path: [], service: null });
  };

  const pickService = (service: Service, path: string[]) => {
    setError(null);
    setScan(null);
    const nextPath = [...path, service.id];
    if (isMenu(service)) setStep({ kind: 'services', path: nextPath });
    else if (service.appointment) setStep({ kind: 'appointment', path: nextPath, service });
    else setStep({ kind: 'contact', path: nextPath, service });
  };

  const register = (service: Service, path: string[], choice: ContactChoice) => {
    setBusy(true);
    setError(null);
    api
      .register({
        serviceId: service.id,
        servicePath: path,
        lang,
        contactMode: choice.mode,
        contact: choice.contact,
        pager: choice.pager,
      })
      .then(
        (result) => setStep({ kind: 'ticket', result }),
        (e: unknown) =>
          setError(
            e instanceof ApplianceError && e.code !== 'internal'
              ? e.message
              : tr(lang, 'common.error'),
          ),
      )
      .finally(() => setBusy(false));
  };

  const back = () => {
    setError(null);
    setScan(null);
    if (step.kind === 'services') setStep({ kind: 'services', path: step.path.slice(0, -1) });
    else if (step.kind === 'contact' || step.kind === 'appointment')
      setStep({ kind: 'services', path: step.path.slice(0, -1) });
    else reset();
  };

  let body;
  if (openState === 'closed' && !finished) {
    body = (
      <section className="kiosk-closed" aria-live="polite">
        <h2>{tr(lang, 'store.closed')}</h2>
        <p>{tr(lang, 'kiosk.closedHint')}</p>
      </section>
    );
  } else if (step.kind === 'services') {
    body = (
      <ServiceStep
        snapshot={snapshot}
        machineId={state.identity.deviceId}
        lang={lang}
        path={step.path}
        onPick={(s) => pickService(s, step.path)}
        onBack={step.path.length > 0 ? back : null}
      />
    );
  } else if (step.kind === 'contact') {
    body = (
      <ContactStep
        store={store}
        lang={lang}
        service={step.service}
        busy={busy}
        error={error}
        onBack={back}
        onSubmit={(choice) => register(step.service, step.path, choice)}
      />
    );
  } else if (step.kind === 'appointment') {
    body = (
      <AppointmentStep
        lang={lang}
        service={step.service}
        langs={store.langs}
        scanner={hasScanner}
        feedback={scan}
        onBack={back}
        onCode={checkIn}
        onEdit={() => setScan(null)}
      />
    );
  } else if (step.kind === 'ticket') {
    body = (
      <TicketStep
        lang={lang}
        snapshot={snapshot}
        result={step.result}
        secondsLeft={idleLeft}
        onDone={reset}
      />
    );
  } else {
    body = (
      <section className="kiosk-done" aria-live="polite">
        <h2>{tr(lang, 'kiosk.checkedInTitle')}</h2>
        <p className="ticket-number" data-testid="checked-in-ticket">
          {step.customer.ticket}
        </p>
        <p className="lead">{tr(lang, 'kiosk.checkedIn', { ticket: step.customer.ticket })}</p>
        <button type="button" className="btn btn-primary btn-huge" onClick={reset}>
          {tr(lang, 'common.ok')} ({idleLeft})
        </button>
      </section>
    );
  }

  return (
    <div className="kiosk" dir={rtl ? 'rtl' : 'ltr'} data-lang={lang}>
      <KioskHeader organization={organization} storeName={store.name} lang={lang}>
        {atStart && <StoreQr state={state} lang={lang} />}
      </KioskHeader>
      {langs.length > 1 && (
        <nav className="lang-picker" aria-label={tr(lang, 'kiosk.chooseLanguage')}>
          {langs.map((l) => (
            <button
              key={l}
              type="button"
              lang={l.toLowerCase()}
              dir={isRtl(l) ? 'rtl' : 'ltr'}
              className={`lang-btn${l === lang ? ' active' : ''}`}
              aria-pressed={l === lang}
              onClick={() => setLang(l)}
            >
              {languageName(l)}
            </button>
          ))}
        </nav>
      )}
      {/* A fixed slot (see app.css): a banner coming or going never moves the steps below. */}
      <div
        className="kiosk-banners"
        aria-live="polite"
        data-count={Number(openState === 'closing_soon') + Number(printerTrouble)}
      >
        {openState === 'closing_soon' && (
          <p className="banner banner-warning" data-testid="kiosk-closing-soon">
            {tr(lang, 'store.closingSoon')}
          </p>
        )}
        {printerTrouble && (
          <p className="banner banner-warning" data-testid="kiosk-printer-problem">
            {/* "Staff have been told" only once the hub acknowledged this machine's report. */}
            {tr(
              lang,
              state.healthReported
                ? printer.paperOut
                  ? 'kiosk.paperOutBanner'
                  : 'kiosk.printerOffBanner'
                : printer.paperOut
                  ? 'kiosk.paperOutUntold'
                  : 'kiosk.printerOffUntold',
            )}
          </p>
        )}
      </div>
      <main className="kiosk-main">{body}</main>
      {/* Two fixed lines: the scan line and the idle countdown come and go without moving. */}
      <footer className="kiosk-footer">
        <div className="footer-line">
          {/* On the appointment step the code's feedback is next to its field, not down here. */}
          {scan !== null && step.kind !== 'appointment' ? (
            <p
              className={`scan-feedback scan-${scan.level}`}
              role={scan.level === 'error' ? 'alert' : 'status'}
            >
              {scan.message}
            </p>
          ) : (
            scanning &&
            step.kind === 'services' && (
              <button
                type="button"
                className="scan-hint"
                data-testid="scan-hint"
                onClick={openAppointment}
              >
                {hasScanner && (
                  <span aria-hidden="true" className="scan-icon">
                    ▣
                  </span>
                )}{' '}
                {tr(lang, hasScanner ? 'kiosk.scanPromptTap' : 'kiosk.appointmentTap')}
              </button>
            )
          )}
        </div>
        <p className="idle-hint" aria-hidden="true">
          {!atStart && !finished ? tr(lang, 'kiosk.idleHint', { seconds: idleLeft }) : ''}
        </p>
      </footer>
    </div>
  );
}

function AppointmentStep({
  lang,
  service,
  langs,
  scanner,
  feedback,
  onBack,
  onCode,
  onEdit,
}: {
  lang: string;
  service: Service | null;
  langs: string[];
  scanner: boolean;
  feedback: ScanFeedback;
  onBack: () => void;
  onCode: (code: string) => void;
  onEdit: () => void;
}) {
  const [code, setCode] = useState('');
  const edit = (next: string) => {
    onEdit();
    setCode(next.slice(0, 64));
  };
  const busy = feedback?.level === 'busy';
  const failed = feedback?.level === 'error';
  return (
    <section className="kiosk-appointment" aria-labelledby="appointment-title">
      <h2 id="appointment-title">
        {service === null
          ? tr(lang, 'kiosk.appointmentTitle')
          : localText(service.name, lang, langs)}
      </h2>
      <p className="lead">
        {tr(lang, scanner ? 'kiosk.appointmentScan' : 'kiosk.appointmentTypeOnly')}
      </p>
      {scanner && (
        <div className="scan-arrow" aria-hidden="true">
          ↓
        </div>
      )}
      <form
        className="code-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (code.trim() !== '' && !busy) onCode(code.trim());
        }}
      >
        <label htmlFor="appointment-code" className="field-label">
          {tr(lang, scanner ? 'kiosk.appointmentCode' : 'kiosk.bookingCode')}
        </label>
        <input
          id="appointment-code"
          className="field-input"
          dir="ltr"
          value={code}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          inputMode="none"
          aria-invalid={failed}
          aria-describedby="appointment-code-feedback"
          onChange={(e) => edit(e.target.value)}
        />
        {/* Right under the field: a wrong code is said where the customer is looking. */}
        <p
          id="appointment-code-feedback"
          className={`field-error code-feedback${feedback === null ? '' : ` scan-${feedback.level}`}`}
          role={failed ? 'alert' : 'status'}
          data-testid="appointment-feedback"
        >
          {feedback?.message ?? ''}
        </p>
        <OnScreenKeyboard
          layout="code"
          lang={lang}
          labels={keyboardLabels(lang)}
          onKey={(k) => edit(code + k)}
          onBackspace={() => edit(code.slice(0, -1))}
          onClear={() => edit('')}
        />
        <div className="step-actions">
          <BackButton lang={lang} onClick={onBack} />
          <button
            type="submit"
            className="btn btn-primary btn-large"
            disabled={code.trim() === '' || busy}
            data-testid="check-in"
          >
            {tr(lang, busy ? 'kiosk.checkingIn' : 'kiosk.checkInButton')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A refused check-in in the customer's language; the runtime's reasons are for staff. */
function checkInError(e: unknown, lang: string): string {
  if (!(e instanceof ApplianceError)) return tr(lang, 'kiosk.scanUnknown');
  if (e.code === 'offline') return tr(lang, 'kiosk.checkInOffline');
  // Refused by the hub (no such booking) or not a code at all: the customer checks what they typed.
  if (e.code === 'refused' || e.code === 'invalid') return tr(lang, 'kiosk.codeNotFound');
  return tr(lang, 'kiosk.scanUnknown');
}

/**
 * The store's logo and the welcome; without a logo, the store's name set as a wordmark in its
 * colours, with a monogram tile, so the header never looks like a missing image.
 */
function KioskHeader({
  organization,
  storeName,
  lang,
  children,
}: {
  organization: Organization;
  storeName: string;
  lang: string;
  /** At the header's end (the store's join QR on the home step). */
  children?: ReactNode;
}) {
  const { src, onError } = useLogoSource(organization);
  if (src !== null) {
    return (
      <header className="kiosk-header">
        <img className="logo" src={src} alt={organization.name} onError={onError} />
        <div className="kiosk-welcome">
          <h1>{tr(lang, 'kiosk.welcome', { store: storeName })}</h1>
        </div>
        {children}
      </header>
    );
  }
  return (
    <header className="kiosk-header kiosk-header-wordmark">
      <span className="monogram" aria-hidden="true">
        {initialOf(storeName)}
      </span>
      <div className="kiosk-welcome">
        <p className="welcome-line">{tr(lang, 'kiosk.welcomeShort')}</p>
        <h1 className="store-wordmark" data-testid="store-wordmark">
          {storeName}
        </h1>
      </div>
      {children}
    </header>
  );
}
