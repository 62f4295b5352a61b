// The live queue of a store: how many wait per service and for how long, what each desk does,
// and the waiting tickets with call / transfer / cancel, as a manager does for an unmanned desk.
// Every action is an engine command, logged and synced like a desk's own.
import { useState } from 'react';
import type { DeskStatus } from '../../../shared/domain/entities.js';
import type { MessageKey } from '../../../shared/i18n/index.js';
import type {
  LiveQueueResponse,
  QueueActionRequest,
  QueueCustomer,
} from '../../../shared/protocol/console.js';
import { localText } from '../../i18n/index.js';
import { call } from '../api.js';
import { useConsole, useT } from '../context.js';
import { ErrorNotice, PageHeader, useDateTime, useMinutes } from '../components/ui.js';
import { useLoad } from '../components/use-load.js';

const POLL_MS = 3000;

function deskStatusKey(s: DeskStatus): MessageKey {
  if (!s.open) return 'console.queue.deskClosed';
  if (s.pause) return 'console.queue.deskPaused';
  return 'console.queue.deskOpen';
}

function WaitingRow({
  customer,
  queue,
  serviceName,
  act,
}: {
  customer: QueueCustomer;
  queue: LiveQueueResponse;
  serviceName: (id: string) => string;
  act: (request: QueueActionRequest, confirm?: string) => Promise<void>;
}) {
  const t = useT();
  const minutes = useMinutes();
  const openDesks = queue.desks.filter((d) => d.status.open);
  const [deskId, setDeskId] = useState(openDesks[0]?.deskId ?? queue.desks[0]?.deskId ?? '');
  const others = queue.services.filter((s) => s.serviceId !== customer.serviceId);
  const [toServiceId, setToServiceId] = useState(others[0]?.serviceId ?? '');
  const id = customer.id;
  return (
    <tr data-ticket={customer.ticket}>
      <th scope="row">
        {customer.ticket}
        {customer.displayName !== null && <span className="muted"> · {customer.displayName}</span>}
      </th>
      <td>{serviceName(customer.serviceId)}</td>
      <td>{minutes(customer.waitedSeconds)}</td>
      <td>
        <div className="actions">
          <label className="visually-hidden" htmlFor={`desk-${id}`}>
            {t('console.queue.callTo')}
          </label>
          <select id={`desk-${id}`} value={deskId} onChange={(e) => setDeskId(e.target.value)}>
            {queue.desks.map((d) => (
              <option key={d.deskId} value={d.deskId}>
                {d.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={deskId === ''}
            onClick={() => void act({ action: 'call', deskId, customerId: id })}
          >
            {t('console.queue.call')}
            <span className="visually-hidden"> {customer.ticket}</span>
          </button>
          {others.length > 0 && (
            <>
              <label className="visually-hidden" htmlFor={`to-${id}`}>
                {t('console.queue.transferTo')}
              </label>
              <select
                id={`to-${id}`}
                value={toServiceId}
                onChange={(e) => setToServiceId(e.target.value)}
              >
                {others.map((s) => (
                  <option key={s.serviceId} value={s.serviceId}>
                    {serviceName(s.serviceId)}
                  </option>
                ))}
              </select>
              <button
                type="button"
                onClick={() => void act({ action: 'transfer', customerId: id, toServiceId })}
              >
                {t('console.queue.transfer')}
                <span className="visually-hidden"> {customer.ticket}</span>
              </button>
            </>
          )}
          <button
            type="button"
            className="danger"
            onClick={() =>
              void act(
                { action: 'cancel', customerId: id },
                t('console.queue.confirmCancel', { ticket: customer.ticket }),
              )
            }
          >
            {t('console.queue.cancel')}
            <span className="visually-hidden"> {customer.ticket}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}

export function QueuePage() {
  const { store, lang } = useConsole();
  const t = useT();
  const at = useDateTime();
  const minutes = useMinutes();
  const storeId = store?.id ?? '';
  const queue = useLoad(() => call('queue', { params: { storeId } }), [storeId], POLL_MS);
  const [actionError, setActionError] = useState<unknown>(null);
  const data = queue.data;
  const serviceName = (id: string) => {
    const s = data?.services.find((x) => x.serviceId === id);
    return s === undefined ? id : localText(s.name, lang, store?.langs ?? []);
  };

  const act = async (request: QueueActionRequest, confirm?: string) => {
    if (confirm !== undefined && !window.confirm(confirm)) return;
    setActionError(null);
    try {
      await call('queueAction', { params: { storeId }, input: request });
    } catch (failure) {
      setActionError(failure);
    }
    queue.reload();
  };

  return (
    <>
      <PageHeader title={`${t('console.queue.title')} · ${store?.name ?? ''}`} />
      <ErrorNotice error={queue.error} />
      <ErrorNotice error={actionError} what="console.requestFailed" />
      {queue.loadedAt !== null && (
        <p className="muted">{t('console.updated', { time: at(queue.loadedAt.toISOString()) })}</p>
      )}
      {data !== null && (
        <>
          <h2>{t('console.queue.waiting')}</h2>
          <div className="table-scroll">
            <table className="data-table" data-testid="queue-services">
              <caption className="visually-hidden">{t('console.queue.waiting')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.queue.service')}</th>
                  <th scope="col">{t('console.queue.waiting')}</th>
                  <th scope="col">{t('console.queue.longestWait')}</th>
                </tr>
              </thead>
              <tbody>
                {data.services.map((s) => (
                  <tr key={s.serviceId} data-service={s.serviceId}>
                    <th scope="row">{serviceName(s.serviceId)}</th>
                    <td>{s.waiting}</td>
                    <td>{minutes(s.longestWaitSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2>{t('console.queue.desks')}</h2>
          <div className="table-scroll">
            <table className="data-table" data-testid="queue-desks">
              <caption className="visually-hidden">{t('console.queue.desks')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.queue.desk')}</th>
                  <th scope="col">{t('console.queue.status')}</th>
                  <th scope="col">{t('console.queue.agent')}</th>
                  <th scope="col">{t('console.queue.serving')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('console.queue.callNext')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.desks.map((d) => (
                  <tr key={d.deskId} data-desk={d.deskId}>
                    <th scope="row">{d.name}</th>
                    <td>{t(deskStatusKey(d.status))}</td>
                    <td>{d.agent?.name ?? '—'}</td>
                    <td>
                      {d.current.length === 0
                        ? '—'
                        : d.current
                            .map((c) => `${c.ticket} (${serviceName(c.serviceId)})`)
                            .join(', ')}
                    </td>
                    <td>
                      <div className="actions">
                        <button
                          type="button"
                          onClick={() => void act({ action: 'call', deskId: d.deskId })}
                        >
                          {t('console.queue.callNext')}
                          <span className="visually-hidden"> {d.name}</span>
                        </button>
                        {d.current.map((c) => (
                          <button
                            key={c.id}
                            type="button"
                            onClick={() => void act({ action: 'finish', customerId: c.id })}
                          >
                            {t('console.queue.finish', { ticket: c.ticket })}
                          </button>
                        ))}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h2>{t('console.queue.tickets')}</h2>
          {data.waiting.length === 0 ? (
            <p className="notice">{t('console.queue.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table className="data-table" data-testid="queue-waiting">
                <caption className="visually-hidden">{t('console.queue.tickets')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('console.queue.ticket')}</th>
                    <th scope="col">{t('console.queue.service')}</th>
                    <th scope="col">{t('console.queue.since')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('console.queue.call')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.waiting.map((c) => (
                    <WaitingRow
                      key={c.id}
                      customer={c}
                      queue={data}
                      serviceName={serviceName}
                      act={act}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
