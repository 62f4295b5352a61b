// Zero-touch provisioning: devices that knocked on /provision and are not known yet, live
// (polled every few seconds); a technician picks store, role, name and services, and the device
// boots into its role on its next knock.
import { useEffect, useState, type FormEvent } from 'react';
import type { DeviceRole, Service } from '../../../shared/domain/entities.js';
import type { WaitingDevice } from '../../../shared/protocol/console.js';
import { localText } from '../../i18n/index.js';
import { call } from '../api.js';
import { useConsole, useT } from '../context.js';
import { ErrorNotice, Field, PageHeader, useDateTime } from '../components/ui.js';
import { useLoad } from '../components/use-load.js';

const POLL_MS = 3000;
const ROLES: readonly DeviceRole[] = ['machine', 'desk', 'screen'];

/** The services a store offers (leaves and menus), when this user may read its setup. */
function useStoreServices(storeId: string): Service[] | null {
  const [loaded, setLoaded] = useState<{ storeId: string; services: Service[] } | null>(null);
  useEffect(() => {
    let live = true;
    call('setup', { params: { storeId } }).then(
      (s) => live && setLoaded({ storeId, services: s.services }),
      // Technicians may not read a store's setup: they provision without picking services.
      () => live && setLoaded({ storeId, services: [] }),
    );
    return () => {
      live = false;
    };
  }, [storeId]);
  return loaded?.storeId === storeId ? loaded.services : null;
}

function ProvisionForm({
  device,
  onDone,
  onCancel,
}: {
  device: WaitingDevice;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const { user, store, lang } = useConsole();
  const t = useT();
  const [storeId, setStoreId] = useState(store?.id ?? user.stores[0]?.id ?? '');
  const [role, setRole] = useState<DeviceRole>('desk');
  const [name, setName] = useState(device.hostname);
  const [serviceIds, setServiceIds] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const services = useStoreServices(storeId);
  const langs = user.stores.find((s) => s.id === storeId)?.langs ?? [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await call('provisionWaiting', {
        params: { waitingId: device.id },
        input: { storeId, role, name: name.trim() === '' ? undefined : name.trim(), serviceIds },
      });
      onDone(
        t('console.waiting.done', {
          name: answer.device.name,
          role: t(`console.role.${answer.device.role}`),
        }),
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const titleId = `provision-${device.id}`;
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby={titleId}>
      <h2 id={titleId} style={{ marginTop: 0 }}>
        {t('console.waiting.provisionTitle', { hostname: device.hostname })}
      </h2>
      <ErrorNotice error={error} what="console.requestFailed" />
      <Field label={t('console.waiting.store')}>
        <select
          value={storeId}
          onChange={(e) => {
            setStoreId(e.target.value);
            setServiceIds([]);
          }}
        >
          {user.stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </Field>
      <fieldset>
        <legend>{t('console.waiting.role')}</legend>
        <div className="checks">
          {ROLES.map((r) => (
            <label key={r}>
              <input
                type="radio"
                name={`role-${device.id}`}
                value={r}
                checked={role === r}
                onChange={() => setRole(r)}
              />
              {t(`console.role.${r}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <Field label={t('console.waiting.name')}>
        <input type="text" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      </Field>
      <fieldset>
        <legend>{t('console.waiting.services')}</legend>
        {services === null ? (
          <p>{t('common.loading')}</p>
        ) : services.length === 0 ? (
          <p className="muted">{t('console.none')}</p>
        ) : (
          <div className="checks">
            {services
              .filter((s) => s.childIds.length === 0)
              .map((s) => (
                <label key={s.id}>
                  <input
                    type="checkbox"
                    checked={serviceIds.includes(s.id)}
                    onChange={(e) =>
                      setServiceIds((ids) =>
                        e.target.checked ? [...ids, s.id] : ids.filter((id) => id !== s.id),
                      )
                    }
                  />
                  {localText(s.name, lang, langs)}
                </label>
              ))}
          </div>
        )}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || storeId === ''}>
          {t('console.waiting.submit')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

export function WaitingPage() {
  const t = useT();
  const at = useDateTime();
  const waiting = useLoad(() => call('waitingDevices'), [], POLL_MS);
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const devices = waiting.data?.devices ?? [];
  const chosen = devices.find((d) => d.id === open);

  return (
    <>
      <PageHeader title={t('console.waiting.title')}>
        <p className="page-intro">{t('console.waiting.intro')}</p>
      </PageHeader>
      <p className="muted" role="status">
        {t('console.waiting.live')}
      </p>
      {done !== null && (
        <p className="notice ok" role="status" data-testid="provisioned">
          {done}
        </p>
      )}
      <ErrorNotice error={waiting.error} />
      {waiting.data !== null && devices.length === 0 && (
        <p className="notice">{t('console.waiting.empty')}</p>
      )}
      {devices.length > 0 && (
        <div className="table-scroll">
          <table className="data-table" data-testid="waiting-devices">
            <caption className="visually-hidden">{t('console.waiting.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.waiting.hostname')}</th>
                <th scope="col">{t('console.waiting.macs')}</th>
                <th scope="col">{t('console.waiting.address')}</th>
                <th scope="col">{t('console.waiting.firstSeen')}</th>
                <th scope="col">{t('console.waiting.lastSeen')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('console.waiting.provision')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr key={d.id} data-hostname={d.hostname}>
                  <th scope="row">{d.hostname}</th>
                  <td>{d.macs.join(', ')}</td>
                  <td>{d.address}</td>
                  <td>{at(d.firstSeen)}</td>
                  <td>{at(d.lastSeen)}</td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={open === d.id}
                      aria-label={`${t('console.waiting.provision')} ${d.hostname}`}
                      onClick={() => {
                        setDone(null);
                        setOpen(open === d.id ? null : d.id);
                      }}
                    >
                      {t('console.waiting.provision')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {chosen !== undefined && (
        <ProvisionForm
          key={chosen.id}
          device={chosen}
          onCancel={() => setOpen(null)}
          onDone={(message) => {
            setOpen(null);
            setDone(message);
            waiting.reload();
          }}
        />
      )}
    </>
  );
}
