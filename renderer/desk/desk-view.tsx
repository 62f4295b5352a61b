// The staff desk: the current customer and what can be done with them, the waiting list for
// this desk's services, the desk's own status. Every action goes to the runtime, which needs
// the hub: refusals and "hub unreachable" are shown as sentences, never swallowed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApplianceError, type ApplianceState } from '../../shared/api/appliance-api.js';
import type { Customer, Device, Service } from '../../shared/domain/entities.js';
import { deskDisplay } from '../../shared/domain/display.js';
import { canTransition } from '../../shared/domain/lifecycle.js';
import { canDeskCall, compareQueueOrder, deskServiceIds } from '../../shared/domain/queue.js';
import type { DeskStatusChange } from '../../shared/protocol/sync.js';
import { isRtl } from '../../shared/i18n/index.js';
import { useApi, useApplianceEvent } from '../api/use-appliance.js';
import { useDocumentLanguage } from '../common/document-language.js';
import { useFitZoom, useNow } from '../common/hooks.js';
import { Logo } from '../common/logo.js';
import { formatTime, localText, minutesBetween, tr } from '../i18n/index.js';
import { DeskStatusPanel } from './desk-status.js';
import { DeviceNotices } from './device-notices-view.js';
import { Modal } from './confirm-dialog.js';
import { canFinish, nextStep, type Action } from './desk-flow.js';
import { TransferDialog } from './transfer-dialog.js';

interface Toast {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

type CallTarget = { kind: 'next' } | { kind: 'customer'; id: string };

const SHORTCUTS: Record<string, Action | 'transfer'> = {
  n: 'callNext',
  r: 'recall',
  s: 'startServing',
  d: 'finish',
  x: 'noShow',
  t: 'transfer',
};

export function DeskView({ state }: { state: ApplianceState }) {
  const api = useApi();
  const snapshot = state.store;
  const lang = snapshot?.store.langs[0] ?? 'EN';
  useDocumentLanguage(lang);
  // Drawn for 1600×900; zoomed to fit from a 1280×720 laptop to a 4K monitor.
  const zoom = useFitZoom(1600, 900, 0.6, 2.6);
  const now = useNow(10_000);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [filter, setFilter] = useState<string | null>(null);
  const [transferOpen, setTransferOpen] = useState(false);
  const [askCall, setAskCall] = useState<CallTarget | null>(null);
  const toastId = useRef(0);

  const pushToast = useCallback((level: Toast['level'], message: string) => {
    const id = ++toastId.current;
    setToasts((list) => [...list.slice(-3), { id, level, message }]);
    setTimeout(() => setToasts((list) => list.filter((t) => t.id !== id)), 10_000);
  }, []);
  useApplianceEvent('notice', (e) => pushToast(e.notice.level, e.notice.message));

  const me: Device | undefined = snapshot?.devices.find((d) => d.id === state.identity.deviceId);
  const servicesById = useMemo(
    () => new Map((snapshot?.services ?? []).map((s) => [s.id, s])),
    [snapshot?.services],
  );
  const served = useMemo(
    () =>
      snapshot === null || me === undefined ? new Set<string>() : deskServiceIds(me.id, snapshot),
    [snapshot, me],
  );
  const waiting = useMemo(() => {
    if (snapshot === null || me === undefined) return [];
    return snapshot.customers
      .filter(
        (c) =>
          c.state === 'waiting' &&
          // Not handed out by its kiosk yet (issue 17): not in the list until it is.
          !c.held &&
          (c.deskId !== null ? c.deskId === me.id : served.has(c.serviceId)),
      )
      .sort((a, b) => compareQueueOrder(a, b, servicesById));
  }, [snapshot, me, served, servicesById]);
  const current = useMemo(() => {
    if (snapshot === null || me === undefined) return null;
    const mine = snapshot.customers.filter(
      (c) => c.deskId === me.id && (c.state === 'called' || c.state === 'serving'),
    );
    mine.sort((a, b) => (b.calledAt ?? '').localeCompare(a.calledAt ?? ''));
    return mine[0] ?? null;
  }, [snapshot, me]);

  // A notice when someone registers for a service flagged `notify` that this desk serves.
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (snapshot === null || me === undefined) return;
    // A held ticket is news once its kiosk hands it out.
    const ids = new Set(snapshot.customers.filter((c) => !c.held).map((c) => c.id));
    if (seen.current !== null) {
      for (const c of snapshot.customers) {
        if (seen.current.has(c.id) || c.state !== 'waiting' || c.held) continue;
        if (!served.has(c.serviceId)) continue;
        const service = servicesById.get(c.serviceId);
        if (service?.notify === true || me.notifyOnRegister) {
          pushToast(
            'info',
            tr(lang, 'desk.newCustomer', {
              ticket: c.ticket,
              service: localText(service?.name, lang, snapshot.store.langs),
            }),
          );
        }
      }
    }
    seen.current = ids;
  }, [snapshot, me, served, servicesById, lang, pushToast]);

  // A customer another desk sent here (to this desk, or to a service it serves) is announced
  // and marked in the list, so the receiving desk sees it arrive.
  const before = useRef<Map<string, Customer> | null>(null);
  const [arrived, setArrived] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (snapshot === null || me === undefined) return;
    const previous = before.current;
    before.current = new Map(snapshot.customers.map((c) => [c.id, c]));
    if (previous === null) return;
    const fresh = waiting.filter((c) => {
      const was = previous.get(c.id);
      if (was === undefined) return false;
      // What this desk sent on itself (to another of its services) is not news here.
      if (was.deskId === me.id && was.state !== 'waiting') return false;
      const fromAnotherDesk = was.state === 'called' || was.state === 'serving';
      const moved = was.state === 'waiting' && (was.deskId ?? '') !== (c.deskId ?? '');
      return fromAnotherDesk || moved || was.serviceId !== c.serviceId;
    });
    if (fresh.length === 0) return;
    setArrived((set) => new Set([...set, ...fresh.map((c) => c.id)]));
    for (const c of fresh)
      pushToast('info', tr(lang, 'desk.transferArrived', { ticket: c.ticket }));
  }, [snapshot, me, waiting, lang, pushToast]);

  const online = state.sync.connected;
  const run = useCallback(
    (work: () => Promise<unknown>) => {
      setBusy(true);
      setError(null);
      work()
        .then(
          (result) => {
            if (
              result !== null &&
              typeof result === 'object' &&
              'customer' in result &&
              result.customer === null
            )
              pushToast('info', tr(lang, 'desk.queueEmpty'));
          },
          (e: unknown) => {
            if (e instanceof ApplianceError)
              setError(
                e.code === 'offline'
                  ? tr(lang, 'desk.hubUnreachable')
                  : tr(lang, 'desk.refused', { reason: e.message }),
              );
            else setError(tr(lang, 'common.error'));
          },
        )
        .finally(() => setBusy(false));
    },
    [lang, pushToast],
  );

  const can = (action: Action | 'transfer'): boolean => {
    if (busy || !online || me === undefined) return false;
    if (action === 'callNext') return canDeskCall(me);
    if (current === null) return false;
    switch (action) {
      case 'recall':
        return canTransition(current.state, 'recall');
      case 'startServing':
        return canTransition(current.state, 'start');
      case 'finish':
        return canFinish(current, snapshot?.store.finishFromCalled === true);
      case 'noShow':
        return canTransition(current.state, 'no_show');
      case 'transfer':
        return canTransition(current.state, 'transfer');
    }
  };
  // Calling while someone is still at the desk ends their visit (the hub marks them done): ask
  // first. Not an undo: "done" is final in the lifecycle and the next customer's call is already
  // on the screen and spoken, so it could not honestly be taken back; one more press (Enter) is
  // cheaper for a busy desk than a customer finished by mistake.
  const requestCall = (target: CallTarget) => {
    if (current === null) run(() => callTarget(target));
    else setAskCall(target);
  };
  const callTarget = (target: CallTarget) =>
    target.kind === 'next' ? api.callNext() : api.callCustomer({ customerId: target.id });
  const act = (action: Action | 'transfer') => {
    if (!can(action)) return;
    if (action === 'transfer') {
      setTransferOpen(true);
      return;
    }
    if (action === 'callNext') requestCall({ kind: 'next' });
    else if (current !== null) run(() => api[action]({ customerId: current.id }));
  };
  const actRef = useRef(act);
  useEffect(() => {
    actRef.current = act;
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select') || document.querySelector('dialog[open]'))
        return;
      const action = SHORTCUTS[e.key.toLowerCase()];
      if (action === undefined) return;
      e.preventDefault();
      actRef.current(action);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (snapshot === null) return null;
  if (me === undefined) {
    return (
      <main className="desk" role="main">
        <p className="banner banner-error">{tr(lang, 'desk.unknownDesk')}</p>
      </main>
    );
  }
  const langs = snapshot.store.langs;
  const filterable = [...served]
    .map((id) => servicesById.get(id))
    .filter((s): s is Service => s !== undefined && s.childIds.length === 0)
    .sort((a, b) => a.deskOrder - b.deskOrder || a.id.localeCompare(b.id));
  const shown = filter === null ? waiting : waiting.filter((c) => c.serviceId === filter);
  const countFor = (serviceId: string) => waiting.filter((c) => c.serviceId === serviceId).length;

  const primary = nextStep(current, snapshot.store.finishFromCalled);
  const button = (action: Action | 'transfer', label: string, key: string) => (
    <button
      type="button"
      className={`btn btn-large ${action === primary ? 'btn-primary' : 'btn-secondary'}`}
      aria-describedby={action === primary ? 'next-step' : undefined}
      disabled={!can(action)}
      onClick={() => act(action)}
      aria-keyshortcuts={key.toUpperCase()}
      data-action={action}
    >
      {label} <kbd aria-hidden="true">{key.toUpperCase()}</kbd>
    </button>
  );

  return (
    <div
      className="desk"
      dir={isRtl(lang) ? 'rtl' : 'ltr'}
      lang={lang.toLowerCase()}
      style={{ zoom }}
      data-zoom={zoom.toFixed(3)}
    >
      <header className="desk-header">
        <Logo organization={snapshot.organization} />
        <h1>
          {me.name} <span className="muted">· {snapshot.store.name}</span>
        </h1>
        <p className={`sync-pill ${online ? 'sync-on' : 'sync-off'}`} data-testid="desk-sync">
          {online ? tr(lang, 'common.online') : tr(lang, 'desk.hubOffline')}
        </p>
      </header>
      {/* A fixed one-line slot: the card and the buttons never move when an alert comes or
          goes. Hub lost says it all while it lasts; a refusal shows otherwise. */}
      <div className="desk-alerts" aria-live="assertive">
        {!online && (
          <p className="banner banner-error" role="alert" data-testid="desk-hub-lost">
            {tr(lang, 'desk.hubUnreachable')}
          </p>
        )}
        {online && error !== null && (
          <p className="banner banner-error" role="alert" data-testid="desk-error">
            <span className="banner-text" title={error}>
              {error}
            </span>
            <button type="button" className="btn-link" onClick={() => setError(null)}>
              {tr(lang, 'common.close')}
            </button>
          </p>
        )}
      </div>
      <main className="desk-main">
        <section className="desk-current" aria-labelledby="current-title">
          <h2 id="current-title">{tr(lang, 'desk.current')}</h2>
          <CurrentCard
            customer={current}
            lang={lang}
            langs={langs}
            servicesById={servicesById}
            now={now}
            rule={snapshot.store.display}
          />
          <div className="desk-actions">
            <span id="next-step" className="visually-hidden">
              {tr(lang, 'desk.nextStep')}
            </span>
            {button('callNext', tr(lang, 'desk.callNext'), 'n')}
            {button('recall', tr(lang, 'desk.recall'), 'r')}
            {button('startServing', tr(lang, 'desk.start'), 's')}
            {button('finish', tr(lang, 'desk.finish'), 'd')}
            {button('noShow', tr(lang, 'desk.noShow'), 'x')}
            {button('transfer', tr(lang, 'desk.transfer'), 't')}
          </div>
          <DeskStatusPanel
            desk={me}
            lang={lang}
            timeZone={snapshot.store.timeZone}
            now={now}
            disabled={busy || !online}
            onChange={(status: DeskStatusChange, pauseMinutes?: number) =>
              run(() =>
                api.setDeskStatus(
                  pauseMinutes === undefined ? { status } : { status, pauseMinutes },
                ),
              )
            }
          />
        </section>
        <section className="desk-queue" aria-labelledby="queue-title">
          <h2 id="queue-title">{tr(lang, 'desk.waiting', { count: waiting.length })}</h2>
          <div className="filter-chips" role="group" aria-label={tr(lang, 'desk.filter')}>
            <button
              type="button"
              className={`chip${filter === null ? ' active' : ''}`}
              aria-pressed={filter === null}
              onClick={() => setFilter(null)}
            >
              {tr(lang, 'desk.all')} <span className="chip-count">{waiting.length}</span>
            </button>
            {filterable.map((s) => (
              <button
                key={s.id}
                type="button"
                className={`chip${filter === s.id ? ' active' : ''}`}
                aria-pressed={filter === s.id}
                data-service-id={s.id}
                onClick={() => setFilter(filter === s.id ? null : s.id)}
              >
                {localText(s.name, lang, langs)}{' '}
                <span className="chip-count" data-testid={`count-${s.id}`}>
                  {countFor(s.id)}
                </span>
              </button>
            ))}
          </div>
          {shown.length === 0 ? (
            <p className="empty">{tr(lang, 'desk.queueEmpty')}</p>
          ) : (
            <ol className="queue-list">
              {shown.map((c) => (
                <li
                  key={c.id}
                  className={`queue-row${arrived.has(c.id) ? ' queue-arrived' : ''}`}
                  data-ticket={c.ticket}
                  data-transferred={arrived.has(c.id) ? 'true' : undefined}
                >
                  <span className="queue-ticket">
                    {c.ticket}
                    {arrived.has(c.id) && (
                      <span className="arrived-badge">{tr(lang, 'desk.transferredBadge')}</span>
                    )}
                    {c.printState !== 'printed' && (
                      <span className="not-printed-badge" data-testid="not-printed">
                        {tr(
                          lang,
                          c.printState === 'reprint' ? 'desk.reprinting' : 'desk.notPrinted',
                        )}
                      </span>
                    )}
                    {c.printState === 'not_printed' && (
                      <button
                        type="button"
                        className="btn-link reprint-link"
                        disabled={busy || !online}
                        onClick={() => run(() => api.reprint({ customerId: c.id }))}
                        aria-label={tr(lang, 'desk.reprintTicket', { ticket: c.ticket })}
                        data-testid="reprint"
                      >
                        {tr(lang, 'desk.reprint')}
                      </button>
                    )}
                  </span>
                  <span className="queue-who">
                    <span className="queue-name">{shownName(c, snapshot.store.display)}</span>
                    <span className="queue-service">
                      {localText(servicesById.get(c.serviceId)?.name, lang, langs)}
                      {c.appointment !== null &&
                        ` · ${tr(lang, 'desk.appointmentAt', { time: formatTime(c.appointment.at, lang, snapshot.store.timeZone) })}`}
                    </span>
                  </span>
                  <span className="queue-waited">
                    {tr(lang, 'desk.minutesShort', {
                      minutes: minutesBetween(c.checkedInAt ?? c.registeredAt, now),
                    })}
                  </span>
                  <button
                    type="button"
                    className="btn btn-secondary"
                    disabled={busy || !online || !canDeskCall(me)}
                    onClick={() => requestCall({ kind: 'customer', id: c.id })}
                    aria-label={tr(lang, 'desk.callTicket', { ticket: c.ticket })}
                  >
                    {tr(lang, 'desk.call')}
                  </button>
                </li>
              ))}
            </ol>
          )}
        </section>
      </main>
      <DeviceNotices fleet={state.fleet} devices={snapshot.devices} lang={lang} />
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <p key={t.id} className={`toast toast-${t.level}`} data-testid="desk-notice">
            {t.message}
          </p>
        ))}
      </div>
      {transferOpen && current !== null && (
        <TransferDialog
          lang={lang}
          customer={current}
          snapshot={snapshot}
          deskId={me.id}
          onClose={() => setTransferOpen(false)}
          onTransfer={(target) => {
            setTransferOpen(false);
            const ticket = current.ticket;
            run(async () => {
              const result = await api.transfer({ customerId: current.id, ...target });
              pushToast(
                'info',
                'toDeskId' in target
                  ? tr(lang, 'desk.transferredToDesk', {
                      ticket,
                      desk: snapshot.devices.find((d) => d.id === target.toDeskId)?.name ?? '',
                    })
                  : tr(lang, 'desk.transferredToService', {
                      ticket,
                      service: localText(servicesById.get(target.toServiceId)?.name, lang, langs),
                    }),
              );
              return result;
            });
          }}
        />
      )}
      {askCall !== null && current !== null && (
        <Modal
          title={tr(lang, 'desk.callNextTitle', { ticket: current.ticket })}
          onClose={() => setAskCall(null)}
          className="call-next-dialog"
        >
          <div className="modal-actions">
            <button
              type="button"
              className="btn btn-secondary btn-large"
              onClick={() => setAskCall(null)}
            >
              {tr(lang, 'common.cancel')}
            </button>
            {canTransition(current.state, 'no_show') && (
              <button
                type="button"
                className="btn btn-secondary btn-large"
                data-testid="no-show-and-next"
                onClick={() => {
                  const target = askCall;
                  const id = current.id;
                  setAskCall(null);
                  run(async () => {
                    await api.noShow({ customerId: id });
                    return callTarget(target);
                  });
                }}
              >
                {tr(lang, 'desk.noShowAndNext')}
              </button>
            )}
            <button
              type="button"
              className="btn btn-primary btn-large"
              data-testid="done-and-next"
              data-autofocus
              onClick={() => {
                const target = askCall;
                setAskCall(null);
                run(() => callTarget(target));
              }}
            >
              {tr(lang, 'desk.doneAndNext')}
            </button>
          </div>
        </Modal>
      )}
    </div>
  );
}

/** The name as the store allows; blank (not the ticket a second time) when there is none. */
function shownName(customer: Customer, rule: Parameters<typeof deskDisplay>[1]): string {
  const shown = deskDisplay(customer, rule);
  return shown === customer.ticket ? '\u00a0' : shown;
}

function CurrentCard({
  customer,
  lang,
  langs,
  servicesById,
  now,
  rule,
}: {
  customer: Customer | null;
  lang: string;
  langs: string[];
  servicesById: Map<string, Service>;
  now: Date;
  rule: Parameters<typeof deskDisplay>[1];
}) {
  if (customer === null) {
    return (
      <div className="current-card current-empty" data-testid="current-card">
        <p>{tr(lang, 'desk.noCurrent')}</p>
      </div>
    );
  }
  const service = servicesById.get(customer.serviceId);
  const waitedUntil = customer.calledAt ?? now.toISOString();
  return (
    <div
      className={`current-card state-${customer.state}`}
      data-testid="current-card"
      data-ticket={customer.ticket}
    >
      <p className="current-ticket">{customer.ticket}</p>
      <div className="current-details">
        <p className="current-name">{shownName(customer, rule)}</p>
        <p>{localText(service?.name, lang, langs)}</p>
        <p className="current-state">
          <span className={`state-pill state-${customer.state}`}>
            {tr(lang, customer.state === 'serving' ? 'desk.stateServing' : 'desk.stateCalled')}
          </span>
          {customer.recalls > 0 && ` · ${tr(lang, 'desk.recalls', { count: customer.recalls })}`}
        </p>
        <p className="muted">
          {tr(lang, 'desk.waited', {
            minutes: minutesBetween(
              customer.checkedInAt ?? customer.registeredAt,
              new Date(waitedUntil),
            ),
          })}
          {(service?.prm === true || customer.prioritized) &&
            ` · ${tr(lang, service?.prm === true ? 'desk.prm' : 'desk.prioritized')}`}
        </p>
      </div>
    </div>
  );
}
