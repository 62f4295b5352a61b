// Fleet health of a store: each device's role, connection, last seen, version, printer, pager,
// scanner and sync lag, live; a device that went quiet or whose printer needs a hand is flagged.
// Technicians (devices.manage) may reset or remove a device as the CLI does.
import { useState } from 'react';
import type { FleetDevice } from '../../../shared/protocol/console.js';
import type { MessageKey } from '../../../shared/i18n/index.js';
import { call } from '../api.js';
import { can, useConsole, useT } from '../context.js';
import { ErrorNotice, PageHeader, useDateTime } from '../components/ui.js';
import { useLoad } from '../components/use-load.js';

const POLL_MS = 4000;

function flagged(d: FleetDevice): boolean {
  const f = d.flags;
  return f.quiet || f.outOfPaper || f.paperNearEnd || f.coverOpen || f.peripheralFault;
}

type Tone = 'ok' | 'warn' | 'bad' | '';

function printerBadge(d: FleetDevice): { key: MessageKey | null; tone: Tone } {
  switch (d.printer) {
    case null:
      return { key: null, tone: '' };
    case 'ready':
      return { key: 'console.fleet.ok', tone: 'ok' };
    case 'unknown':
      return { key: null, tone: '' };
    case 'paper_near_end':
      return { key: 'health.printer.paper_near_end', tone: 'warn' };
    default:
      return { key: `health.printer.${d.printer}`, tone: 'bad' };
  }
}

function Peripheral({
  report,
}: {
  report: { ok: boolean; message: string | null } | null | undefined;
}) {
  const t = useT();
  if (report === null || report === undefined) return <>{t('console.fleet.notFitted')}</>;
  return (
    <span className={`badge ${report.ok ? 'ok' : 'bad'}`} title={report.message ?? undefined}>
      {report.ok ? t('console.fleet.ok') : t('console.fleet.down')}
    </span>
  );
}

export function FleetPage() {
  const { user, store } = useConsole();
  const t = useT();
  const at = useDateTime();
  const storeId = store?.id ?? '';
  const fleet = useLoad(() => call('fleet', { params: { storeId } }), [storeId], POLL_MS);
  const [actionError, setActionError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const manage = can(user, 'devices.manage');
  const devices = fleet.data?.devices ?? [];
  const attention = devices.filter(flagged).length;

  const act = async (d: FleetDevice, what: 'reset' | 'remove') => {
    const question =
      what === 'reset'
        ? t('console.fleet.confirmReset', { name: d.device.name })
        : t('console.fleet.confirmRemove', { name: d.device.name });
    if (!window.confirm(question)) return;
    setActionError(null);
    try {
      if (what === 'reset') {
        const answer = await call('resetDevice', { params: { storeId, deviceId: d.device.id } });
        setMessage(answer.message);
      } else {
        await call('removeDevice', { params: { storeId, deviceId: d.device.id } });
        setMessage(null);
      }
      fleet.reload();
    } catch (failure) {
      setActionError(failure);
    }
  };

  return (
    <>
      <PageHeader title={`${t('console.fleet.title')} · ${store?.name ?? ''}`} />
      <ErrorNotice error={fleet.error} />
      <ErrorNotice error={actionError} what="console.requestFailed" />
      {message !== null && (
        <p className="notice ok" role="status">
          {message}
        </p>
      )}
      {attention > 0 && (
        <p className="notice error" role="status" data-testid="fleet-attention">
          {t('console.fleet.flaggedCount', { count: attention })}
        </p>
      )}
      {fleet.data !== null && devices.length === 0 && (
        <p className="notice">{t('console.fleet.empty')}</p>
      )}
      {devices.length > 0 && (
        <div className="table-scroll">
          <table className="data-table" data-testid="fleet">
            <caption className="visually-hidden">{t('console.fleet.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.fleet.device')}</th>
                <th scope="col">{t('console.fleet.role')}</th>
                <th scope="col">{t('console.fleet.connection')}</th>
                <th scope="col">{t('console.fleet.lastSeen')}</th>
                <th scope="col">{t('console.fleet.version')}</th>
                <th scope="col">{t('console.fleet.printer')}</th>
                <th scope="col">{t('console.fleet.pager')}</th>
                <th scope="col">{t('console.fleet.scanner')}</th>
                <th scope="col">{t('console.fleet.syncLag')}</th>
                {manage && (
                  <th scope="col">
                    <span className="visually-hidden">{t('console.fleet.reset')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => {
                const printer = printerBadge(d);
                const isFlagged = flagged(d);
                return (
                  <tr
                    key={d.device.id}
                    className={isFlagged ? 'flagged' : undefined}
                    data-device={d.device.id}
                    data-flagged={isFlagged}
                  >
                    <th scope="row">
                      {d.device.name}
                      <br />
                      <span className="muted">{d.device.hostname}</span>
                      {isFlagged && (
                        <>
                          <br />
                          <span className="badge warn">{t('console.fleet.flagged')}</span>
                        </>
                      )}
                    </th>
                    <td>{t(`console.role.${d.device.role}`)}</td>
                    <td>
                      <span className={`badge ${d.connection === 'online' ? 'ok' : 'bad'}`}>
                        {d.connection === 'online'
                          ? t('console.fleet.online')
                          : t('console.fleet.offline')}
                      </span>
                      {d.flags.quiet && d.lastSeen !== null && (
                        <>
                          <br />
                          <span className="muted">
                            {t('console.fleet.quiet', { time: at(d.lastSeen) })}
                          </span>
                        </>
                      )}
                    </td>
                    <td>{at(d.lastSeen)}</td>
                    <td>{d.version ?? '—'}</td>
                    <td data-testid="printer">
                      {printer.key === null ? (
                        t('console.fleet.notFitted')
                      ) : (
                        <span
                          className={`badge ${printer.tone}`}
                          title={d.printerMessage ?? undefined}
                        >
                          {t(printer.key)}
                        </span>
                      )}
                    </td>
                    <td>
                      <Peripheral report={d.health?.health.pager} />
                    </td>
                    <td>
                      <Peripheral report={d.health?.health.scanner} />
                    </td>
                    <td>{d.syncLag ?? '—'}</td>
                    {manage && (
                      <td>
                        <div className="actions">
                          <button type="button" onClick={() => void act(d, 'reset')}>
                            {t('console.fleet.reset')}
                            <span className="visually-hidden"> {d.device.name}</span>
                          </button>
                          <button
                            type="button"
                            className="danger"
                            onClick={() => void act(d, 'remove')}
                          >
                            {t('console.fleet.removeDevice')}
                            <span className="visually-hidden"> {d.device.name}</span>
                          </button>
                        </div>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
