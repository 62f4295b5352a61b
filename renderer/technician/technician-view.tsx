// For installers: who this device is, where it syncs, how its hardware is, a test print, and a
// QR of its identity so it can be provisioned from a phone. Also what an unknown or broken
// device shows on boot, with the reason.
import { useState } from 'react';
import {
  ApplianceError,
  type ApplianceState,
  type Health,
} from '../../shared/api/appliance-api.js';
import { useApi, useBridgeStatus } from '../api/use-appliance.js';
import { isRtl } from '../../shared/i18n/index.js';
import { useDocumentLanguage } from '../common/document-language.js';
import { useQr } from '../common/use-qr.js';
import { formatDateTime, languageName, tr, type UiKey } from '../i18n/index.js';

export function identityPayload(state: ApplianceState): string {
  return JSON.stringify({
    type: 'lineup-device',
    macs: state.identity.macs,
    hostname: state.identity.hostname,
    hub: state.identity.hubUrl,
  });
}

type Light = 'ok' | 'warn' | 'bad' | 'off';

// The word people see elsewhere for each role, not the config's `machine`.
const ROLE_KEY: Record<NonNullable<ApplianceState['identity']['role']>, UiKey> = {
  machine: 'tech.roleMachine',
  desk: 'tech.roleDesk',
  screen: 'tech.roleScreen',
};

const PHASE_KEY: Record<ApplianceState['phase'], UiKey> = {
  booting: 'tech.phaseBooting',
  unprovisioned: 'tech.phaseUnprovisioned',
  ready: 'tech.phaseReady',
  error: 'tech.phaseError',
};

function printerLine(lang: string, health: Health): { light: Light; text: string } {
  const p = health.printer;
  if (p === null) return { light: 'off', text: tr(lang, 'tech.notConfigured') };
  const problems: string[] = [];
  // ESC/POS printers go offline when out of paper or with the cover open: name the cause alone.
  const explained = p.paperOut || p.coverOpen || p.cutterError;
  if (!p.online && !explained) problems.push(tr(lang, 'tech.printerOffline'));
  if (p.paperOut) problems.push(tr(lang, 'tech.paperOut'));
  else if (p.paperNearEnd) problems.push(tr(lang, 'tech.paperNearEnd'));
  if (p.coverOpen) problems.push(tr(lang, 'tech.coverOpen'));
  if (p.cutterError) problems.push(tr(lang, 'tech.cutterError'));
  if (problems.length === 0) return { light: 'ok', text: tr(lang, 'tech.healthy') };
  const bad = !p.online || p.paperOut || p.coverOpen || p.cutterError;
  const detail = p.message !== null ? ` (${p.message})` : '';
  return { light: bad ? 'bad' : 'warn', text: problems.join(', ') + detail };
}

function peripheralLine(lang: string, h: Health['pager']): { light: Light; text: string } {
  if (h === null || !h.configured) return { light: 'off', text: tr(lang, 'tech.notConfigured') };
  if (h.ok) return { light: 'ok', text: tr(lang, 'tech.healthy') };
  return { light: 'bad', text: tr(lang, 'tech.unhealthy', { reason: h.message ?? '?' }) };
}

export function TechnicianView({
  state,
  onClose,
}: {
  state: ApplianceState;
  onClose: (() => void) | null;
}) {
  const api = useApi();
  const bridge = useBridgeStatus();
  // The store's first language once known; an installer may switch to another of its languages
  // (or English) for this view only.
  const langs = [...new Set([...(state.store?.store.langs ?? []), 'EN'])];
  const [picked, setPicked] = useState<string | null>(null);
  const lang = picked ?? langs[0] ?? 'EN';
  useDocumentLanguage(lang);
  const qr = useQr(identityPayload(state));
  const [printing, setPrinting] = useState(false);
  const [printResult, setPrintResult] = useState<{ ok: boolean; text: string } | null>(null);
  const { identity, sync, health } = state;
  const printer = printerLine(lang, health);
  const pager = peripheralLine(lang, health.pager);
  const scanner = peripheralLine(lang, health.scanner);
  const problem = state.phase === 'unprovisioned' || state.phase === 'error';
  const testPrint = () => {
    setPrinting(true);
    setPrintResult(null);
    api
      .testPrint()
      .then(
        (r) =>
          setPrintResult(
            r.printed
              ? { ok: true, text: tr(lang, 'tech.testPrinted') }
              : { ok: false, text: r.reason ?? tr(lang, 'tech.testFailed') },
          ),
        (e: unknown) =>
          setPrintResult({
            ok: false,
            text: e instanceof ApplianceError ? e.message : tr(lang, 'tech.testFailed'),
          }),
      )
      .finally(() => setPrinting(false));
  };
  // This machine's tickets that did not come out on paper: reprinted here, at once.
  const notPrinted =
    identity.role === 'machine'
      ? (state.store?.customers ?? []).filter(
          (c) =>
            c.machineId === identity.deviceId &&
            c.printState !== 'printed' &&
            (c.state === 'waiting' || c.state === 'called' || c.state === 'booked'),
        )
      : [];
  const reprint = (customerId: string, ticket: string) => {
    setPrinting(true);
    setPrintResult(null);
    api
      .reprint({ customerId })
      .then(
        () => setPrintResult({ ok: true, text: tr(lang, 'tech.reprinted', { ticket }) }),
        (e: unknown) =>
          setPrintResult({
            ok: false,
            text: e instanceof ApplianceError ? e.message : tr(lang, 'tech.testFailed'),
          }),
      )
      .finally(() => setPrinting(false));
  };
  const row = (label: string, value: string | null, testId?: string, mono = true) => (
    <div className="tech-row">
      <dt>{label}</dt>
      {/* bdi: MACs, URLs and positions stay readable inside a right-to-left page */}
      <dd data-testid={testId} className={mono ? 'mono' : undefined}>
        <bdi>{value === null || value === '' ? '—' : value}</bdi>
      </dd>
    </div>
  );
  const lightRow = (label: string, line: { light: Light; text: string }, testId: string) => (
    <div className="tech-row">
      <dt>{label}</dt>
      <dd data-testid={testId} data-light={line.light}>
        <span className={`light light-${line.light}`} aria-hidden="true" /> {line.text}
      </dd>
    </div>
  );

  return (
    <div className="technician" dir={isRtl(lang) ? 'rtl' : 'ltr'} lang={lang.toLowerCase()}>
      <header className="tech-header">
        <h1>{tr(lang, 'tech.title')}</h1>
        <p className="muted">
          Lineup {identity.appVersion} · {tr(lang, PHASE_KEY[state.phase])}
        </p>
        {langs.length > 1 && (
          <div className="tech-langs" role="group" aria-label={tr(lang, 'tech.language')}>
            {langs.map((l) => (
              <button
                key={l}
                type="button"
                lang={l.toLowerCase()}
                className={`chip${l === lang ? ' active' : ''}`}
                aria-pressed={l === lang}
                onClick={() => setPicked(l)}
              >
                {languageName(l)}
              </button>
            ))}
          </div>
        )}
        {onClose !== null && (
          <button type="button" className="btn btn-secondary" onClick={onClose}>
            {tr(lang, 'common.close')}
          </button>
        )}
      </header>
      {problem && (
        <section
          className="banner banner-error tech-problem"
          role="alert"
          data-testid="tech-problem"
        >
          <h2>
            {state.phase === 'unprovisioned'
              ? tr(lang, 'tech.unprovisioned')
              : tr(lang, 'tech.errorTitle')}
          </h2>
          {state.message !== null && <p>{state.message}</p>}
          {state.phase === 'unprovisioned' && <p>{tr(lang, 'tech.provisionHint')}</p>}
        </section>
      )}
      {bridge !== 'open' && (
        <p className="banner banner-warning" role="status">
          {tr(lang, 'app.bridgeLost')}
        </p>
      )}
      <main className="tech-main">
        <section aria-labelledby="tech-identity">
          <h2 id="tech-identity">{tr(lang, 'tech.identity')}</h2>
          <dl className="tech-list">
            {row(tr(lang, 'tech.mac'), identity.macs.join(', '), 'tech-mac')}
            {row(tr(lang, 'tech.hostname'), identity.hostname, 'tech-hostname')}
            {row(tr(lang, 'tech.hub'), identity.hubUrl, 'tech-hub')}
            {row(
              tr(lang, 'tech.role'),
              identity.role === null ? null : tr(lang, ROLE_KEY[identity.role]),
              'tech-role',
              false,
            )}
            {row(
              tr(lang, 'tech.device'),
              identity.deviceName ?? identity.deviceId,
              'tech-device',
              false,
            )}
            {row(
              tr(lang, 'tech.store'),
              identity.storeName ?? identity.storeId,
              'tech-store',
              false,
            )}
            {row(tr(lang, 'tech.version'), identity.appVersion, 'tech-version')}
          </dl>
        </section>
        <section aria-labelledby="tech-sync">
          <h2 id="tech-sync">{tr(lang, 'tech.sync')}</h2>
          <dl className="tech-list">
            {lightRow(
              tr(lang, 'tech.hubLink'),
              {
                light: sync.connected ? 'ok' : 'bad',
                text: sync.connected ? tr(lang, 'common.online') : tr(lang, 'tech.disconnected'),
              },
              'tech-connected',
            )}
            {row(
              tr(lang, 'tech.cursor'),
              sync.position === null ? null : `${sync.position.epoch}:${sync.position.seq}`,
              'tech-cursor',
            )}
            {row(tr(lang, 'tech.outbox'), String(sync.outbox), 'tech-outbox')}
            {row(
              tr(lang, 'tech.lastSyncLabel'),
              sync.lastSyncAt === null
                ? null
                : formatDateTime(sync.lastSyncAt, lang, state.store?.store.timeZone ?? 'UTC'),
              'tech-last-sync',
              false,
            )}
          </dl>
        </section>
        <section aria-labelledby="tech-health">
          <h2 id="tech-health">{tr(lang, 'tech.health')}</h2>
          <dl className="tech-list">
            {lightRow(tr(lang, 'tech.printer'), printer, 'tech-printer')}
            {lightRow(tr(lang, 'tech.pager'), pager, 'tech-pager')}
            {lightRow(tr(lang, 'tech.scanner'), scanner, 'tech-scanner')}
          </dl>
          <div className="tech-actions">
            <button
              type="button"
              className="btn btn-primary btn-large"
              disabled={printing || health.printer === null}
              onClick={testPrint}
              data-testid="test-print"
            >
              {printing ? tr(lang, 'kiosk.printing') : tr(lang, 'tech.testPrint')}
            </button>
            <p
              className={`tech-print-result ${printResult?.ok === false ? 'text-bad' : ''}`}
              role="status"
              data-testid="test-print-result"
            >
              {printResult?.text ?? ''}
            </p>
          </div>
          {notPrinted.length > 0 && (
            <div className="tech-not-printed" data-testid="tech-not-printed">
              <h3>{tr(lang, 'tech.notPrintedTickets')}</h3>
              {notPrinted.map((c) => (
                <button
                  key={c.id}
                  type="button"
                  className="btn btn-secondary"
                  disabled={printing || health.printer === null}
                  onClick={() => reprint(c.id, c.ticket)}
                >
                  {tr(lang, 'desk.reprintTicket', { ticket: c.ticket })}
                </button>
              ))}
            </div>
          )}
        </section>
        <section aria-labelledby="tech-qr" className="tech-qr">
          <h2 id="tech-qr">{tr(lang, 'tech.qrTitle')}</h2>
          <div className="qr-box">
            {qr !== null && (
              <img
                src={qr}
                width={320}
                height={320}
                alt={tr(lang, 'tech.qrAlt')}
                data-testid="tech-qr"
              />
            )}
          </div>
        </section>
      </main>
    </div>
  );
}
