// Store setup: the store's own settings (languages, names on screens, opening hours, closed days,
// ticket texts), its services and prequalification tree, what each desk serves, and its API
// keys. Every change is a PATCH/PUT through the hub's engine (logged and synced to the devices).
import { useState, type FormEvent, type ReactNode } from 'react';
import type {
  DisplayRule,
  LocalizedText,
  Service,
  Store,
} from '../../../shared/domain/entities.js';
import { SUPPORTED_LANGS } from '../../../shared/i18n/index.js';
import type {
  ApiKeyView,
  DeskSetup,
  StoreSetupResponse,
  StoreUpdateRequest,
} from '../../../shared/protocol/console.js';
import { languageName, localText } from '../../i18n/index.js';
import { call } from '../api.js';
import { useConsole, useT } from '../context.js';
import { ErrorNotice, Field, PageHeader } from '../components/ui.js';
import { useLoad } from '../components/use-load.js';

/** Runs a change, then says it was saved or why not, and reloads the setup. */
function useSave(reload: () => void) {
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const save = async (what: string, work: () => Promise<unknown>) => {
    setError(null);
    setSaved(null);
    try {
      await work();
      setSaved(what);
      reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return { error, saved, save };
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id} style={{ marginTop: 0 }}>
        {title}
      </h2>
      {children}
    </section>
  );
}

function StoreForm({
  store,
  onSave,
}: {
  store: Store;
  onSave: (update: StoreUpdateRequest) => Promise<void>;
}) {
  const t = useT();
  const [langs, setLangs] = useState<string[]>(store.langs);
  const [display, setDisplay] = useState<DisplayRule>(store.display);
  const [hours, setHours] = useState(store.location.workingHours);
  const [closedDays, setClosedDays] = useState<string[]>(store.closedDays);
  const [newDay, setNewDay] = useState('');
  const [header, setHeader] = useState<LocalizedText>(store.ticketTexts.header);
  const [footer, setFooter] = useState<LocalizedText>(store.ticketTexts.footer);
  const choices = [...new Set([...SUPPORTED_LANGS, ...store.langs])];

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onSave({
      langs,
      display,
      workingHours: hours,
      closedDays: [...closedDays].sort(),
      ticketTexts: { header, footer },
    });
  };

  return (
    <form onSubmit={submit} aria-label={t('console.setup.store')}>
      <fieldset>
        <legend>{t('console.setup.languages')}</legend>
        <div className="checks">
          {choices.map((l) => (
            <label key={l}>
              <input
                type="checkbox"
                checked={langs.includes(l)}
                disabled={langs.length === 1 && langs.includes(l)}
                onChange={(e) =>
                  setLangs(e.target.checked ? [...langs, l] : langs.filter((x) => x !== l))
                }
              />
              {languageName(l)}
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('console.setup.nameRule')}</legend>
        <div className="checks">
          <Field label={t('console.setup.onScreens')}>
            <select
              value={display.screen}
              onChange={(e) =>
                setDisplay({ ...display, screen: e.target.value as DisplayRule['screen'] })
              }
            >
              <option value="ticket">{t('console.setup.rule.ticket')}</option>
              <option value="first-name">{t('console.setup.rule.first-name')}</option>
              <option value="masked-name">{t('console.setup.rule.masked-name')}</option>
            </select>
          </Field>
          <Field label={t('console.setup.onDesks')}>
            <select
              value={display.desk}
              onChange={(e) =>
                setDisplay({ ...display, desk: e.target.value as DisplayRule['desk'] })
              }
            >
              <option value="full-name">{t('console.setup.rule.full-name')}</option>
              <option value="first-name">{t('console.setup.rule.first-name')}</option>
              <option value="ticket">{t('console.setup.rule.ticket')}</option>
            </select>
          </Field>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('console.setup.hours')}</legend>
        {hours.length === 0 && <p className="muted">{t('console.setup.noHours')}</p>}
        {hours.map((h, i) => (
          <div className="checks" key={i}>
            <Field label={t('console.setup.opens')}>
              <input
                type="time"
                value={h.from}
                onChange={(e) =>
                  setHours(hours.map((x, j) => (j === i ? { ...x, from: e.target.value } : x)))
                }
              />
            </Field>
            <Field label={t('console.setup.closes')}>
              <input
                type="time"
                value={h.to}
                onChange={(e) =>
                  setHours(hours.map((x, j) => (j === i ? { ...x, to: e.target.value } : x)))
                }
              />
            </Field>
            <button type="button" onClick={() => setHours(hours.filter((_, j) => j !== i))}>
              {t('console.remove')}
              <span className="visually-hidden">
                {' '}
                {h.from}–{h.to}
              </span>
            </button>
          </div>
        ))}
        <button
          type="button"
          disabled={hours.length >= 8}
          onClick={() => setHours([...hours, { from: '09:00', to: '18:00' }])}
        >
          {t('console.setup.addPeriod')}
        </button>
      </fieldset>
      <fieldset>
        <legend>{t('console.setup.closedDays')}</legend>
        <ul>
          {closedDays.map((d) => (
            <li key={d}>
              {d}{' '}
              <button
                type="button"
                onClick={() => setClosedDays(closedDays.filter((x) => x !== d))}
              >
                {t('console.remove')}
                <span className="visually-hidden"> {d}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="checks">
          <Field label={t('console.setup.addClosedDay')}>
            <input type="date" value={newDay} onChange={(e) => setNewDay(e.target.value)} />
          </Field>
          <button
            type="button"
            disabled={newDay === '' || closedDays.includes(newDay)}
            onClick={() => {
              setClosedDays([...closedDays, newDay]);
              setNewDay('');
            }}
          >
            {t('console.add')}
          </button>
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('console.setup.ticketTexts')}</legend>
        {langs.map((l) => (
          <div className="checks" key={l}>
            <Field label={`${t('console.setup.header')} (${languageName(l)})`}>
              <input
                type="text"
                value={header[l] ?? ''}
                onChange={(e) => setHeader({ ...header, [l]: e.target.value })}
              />
            </Field>
            <Field label={`${t('console.setup.footer')} (${languageName(l)})`}>
              <input
                type="text"
                value={footer[l] ?? ''}
                onChange={(e) => setFooter({ ...footer, [l]: e.target.value })}
              />
            </Field>
          </div>
        ))}
      </fieldset>
      <button type="submit" className="primary">
        {t('console.save')}
      </button>
    </form>
  );
}

/** The prequalification tree as nested lists, roots first. */
function ServiceTree({ services, name }: { services: Service[]; name: (s: Service) => string }) {
  const byId = new Map(services.map((s) => [s.id, s]));
  const children = new Set(services.flatMap((s) => s.childIds));
  const roots = services.filter((s) => !children.has(s.id));
  const branch = (s: Service, seen: Set<string>): ReactNode => (
    <li key={s.id}>
      {name(s)} <span className="muted">({s.ticketPrefix || '—'})</span>
      {s.childIds.length > 0 && (
        <ul>
          {s.childIds
            .filter((id) => !seen.has(id))
            .map((id) => byId.get(id))
            .filter((c): c is Service => c !== undefined)
            .map((c) => branch(c, new Set([...seen, s.id])))}
        </ul>
      )}
    </li>
  );
  return <ul data-testid="service-tree">{roots.map((r) => branch(r, new Set()))}</ul>;
}

function ServiceRow({
  service,
  services,
  name,
  save,
  storeId,
}: {
  service: Service;
  services: Service[];
  name: (s: Service) => string;
  save: (what: string, work: () => Promise<unknown>) => Promise<void>;
  storeId: string;
}) {
  const t = useT();
  const { lang } = useConsole();
  const [label, setLabel] = useState(service.name[lang] ?? name(service));
  const [htmlName, setHtmlName] = useState(service.htmlName[lang] ?? '');
  const [prefix, setPrefix] = useState(service.ticketPrefix);
  const [minutes, setMinutes] = useState(service.serviceMinutes);
  const [prioritize, setPrioritize] = useState(service.prioritize);
  const [prm, setPrm] = useState(service.prm);
  const parent = services.find((s) => s.childIds.includes(service.id));
  const [parentId, setParentId] = useState(parent?.id ?? '');
  const id = service.id;
  const submit = () =>
    void save(name(service), async () => {
      await call('updateService', {
        params: { storeId, serviceId: id },
        input: {
          name: { ...service.name, [lang]: label },
          htmlName: { ...service.htmlName, [lang]: htmlName },
          ticketPrefix: prefix,
          serviceMinutes: minutes,
          prioritize,
          prm,
          isRoot: parentId === '',
        },
      });
      if (parentId === (parent?.id ?? '')) return;
      // Moving it in the tree: out of its old menu, into the new one.
      if (parent !== undefined)
        await call('updateService', {
          params: { storeId, serviceId: parent.id },
          input: { childIds: parent.childIds.filter((c) => c !== id) },
        });
      const next = services.find((s) => s.id === parentId);
      if (next !== undefined)
        await call('updateService', {
          params: { storeId, serviceId: next.id },
          input: { childIds: [...next.childIds, id] },
        });
    });
  return (
    <tr data-service={id}>
      <td>
        <input
          type="text"
          aria-label={`${t('console.setup.serviceName')} (${id})`}
          value={label}
          onChange={(e) => setLabel(e.target.value)}
        />
      </td>
      <td>
        <input
          type="text"
          aria-label={`${t('console.setup.htmlName')} (${id})`}
          value={htmlName}
          onChange={(e) => setHtmlName(e.target.value)}
        />
      </td>
      <td>
        <input
          type="text"
          size={3}
          maxLength={2}
          pattern="[A-Z]{0,2}"
          aria-label={`${t('console.setup.letter')} (${id})`}
          value={prefix}
          onChange={(e) => setPrefix(e.target.value.toUpperCase())}
        />
      </td>
      <td>
        <input
          type="number"
          min={0}
          style={{ width: '5rem' }}
          aria-label={`${t('console.setup.minutes')} (${id})`}
          value={minutes}
          onChange={(e) => setMinutes(Math.max(0, Math.round(Number(e.target.value))))}
        />
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`${t('console.setup.priority')} (${id})`}
          checked={prioritize}
          onChange={(e) => setPrioritize(e.target.checked)}
        />
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`${t('console.setup.prm')} (${id})`}
          checked={prm}
          onChange={(e) => setPrm(e.target.checked)}
        />
      </td>
      <td>
        <select
          aria-label={`${t('console.setup.parent')} (${id})`}
          value={parentId}
          onChange={(e) => setParentId(e.target.value)}
        >
          <option value="">{t('console.setup.topLevel')}</option>
          {services
            .filter((s) => s.id !== id)
            .map((s) => (
              <option key={s.id} value={s.id}>
                {name(s)}
              </option>
            ))}
        </select>
      </td>
      <td>
        <button type="button" onClick={submit}>
          {t('console.save')}
          <span className="visually-hidden"> {name(service)}</span>
        </button>
      </td>
    </tr>
  );
}

function NewService({
  storeId,
  save,
}: {
  storeId: string;
  save: (what: string, work: () => Promise<unknown>) => Promise<void>;
}) {
  const t = useT();
  const { lang } = useConsole();
  const [label, setLabel] = useState('');
  const [prefix, setPrefix] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (label.trim() === '') return;
    void save(label, async () => {
      await call('createService', {
        params: { storeId },
        input: {
          name: { [lang]: label.trim() },
          // A new service starts at the top of the tree; "Under" moves it into a menu.
          isRoot: true,
          ticketPrefix: prefix === '' ? undefined : prefix,
        },
      });
      setLabel('');
      setPrefix('');
    });
  };
  return (
    <form className="toolbar" onSubmit={submit} aria-label={t('console.setup.newService')}>
      <Field label={t('console.setup.serviceName')}>
        <input type="text" value={label} onChange={(e) => setLabel(e.target.value)} required />
      </Field>
      <Field label={t('console.setup.letter')}>
        <input
          type="text"
          size={3}
          maxLength={2}
          value={prefix}
          onChange={(e) => setPrefix(e.target.value.toUpperCase())}
        />
      </Field>
      <div className="field">
        <button type="submit">{t('console.setup.newService')}</button>
      </div>
    </form>
  );
}

function DeskRow({
  desk,
  services,
  name,
  save,
  storeId,
}: {
  desk: DeskSetup;
  services: Service[];
  name: (s: Service) => string;
  save: (what: string, work: () => Promise<unknown>) => Promise<void>;
  storeId: string;
}) {
  const t = useT();
  const leaves = services.filter((s) => s.childIds.length === 0);
  const [ids, setIds] = useState(desk.serviceIds);
  return (
    <tr data-desk={desk.deviceId}>
      <th scope="row">{desk.name}</th>
      <td>
        <fieldset>
          <legend className="visually-hidden">
            {t('console.setup.deskServices')} {desk.name}
          </legend>
          <div className="checks">
            {leaves.map((s) => (
              <label key={s.id}>
                <input
                  type="checkbox"
                  checked={ids.includes(s.id)}
                  onChange={(e) =>
                    setIds(e.target.checked ? [...ids, s.id] : ids.filter((x) => x !== s.id))
                  }
                />
                {name(s)}
                {desk.servesAll.includes(s.id) && (
                  <span className="muted"> ({t('console.setup.everyDesk')})</span>
                )}
              </label>
            ))}
          </div>
        </fieldset>
      </td>
      <td>
        <button
          type="button"
          onClick={() =>
            void save(desk.name, () =>
              call('setDeskServices', {
                params: { storeId, deskId: desk.deviceId },
                input: { serviceIds: ids },
              }),
            )
          }
        >
          {t('console.save')}
          <span className="visually-hidden"> {desk.name}</span>
        </button>
      </td>
    </tr>
  );
}

function ApiKeyRow({
  apiKey,
  save,
  storeId,
}: {
  apiKey: ApiKeyView;
  save: (what: string, work: () => Promise<unknown>) => Promise<void>;
  storeId: string;
}) {
  const t = useT();
  const [limit, setLimit] = useState(apiKey.maxHitsPerMinute);
  const update = (input: { locked?: boolean; maxHitsPerMinute?: number }) =>
    void save(apiKey.name, () =>
      call('updateApiKey', { params: { storeId, key: apiKey.key }, input }),
    );
  return (
    <tr data-key={apiKey.key}>
      <th scope="row">{apiKey.name}</th>
      <td>
        <code>{apiKey.key}</code>
      </td>
      <td>{apiKey.locked ? t('console.yes') : t('console.no')}</td>
      <td>
        <input
          type="number"
          min={1}
          style={{ width: '7rem' }}
          aria-label={`${t('console.setup.apiKeyLimit')} (${apiKey.name})`}
          value={limit}
          onChange={(e) => setLimit(Math.max(1, Math.round(Number(e.target.value))))}
        />
      </td>
      <td>
        <div className="actions">
          <button type="button" onClick={() => update({ maxHitsPerMinute: limit })}>
            {t('console.save')}
            <span className="visually-hidden"> {apiKey.name}</span>
          </button>
          <button type="button" onClick={() => update({ locked: !apiKey.locked })}>
            {apiKey.locked ? t('console.setup.unlock') : t('console.setup.lock')}
            <span className="visually-hidden"> {apiKey.name}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}

function NewApiKey({ storeId, reload }: { storeId: string; reload: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ key: string; secret: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const answer = await call('createApiKey', {
        params: { storeId },
        input: { name: name.trim() },
      });
      setCreated({ key: answer.apiKey.key, secret: answer.secret });
      setName('');
      reload();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <ErrorNotice error={error} what="console.requestFailed" />
      {created !== null && (
        <div className="notice ok" role="status">
          <p>{t('console.setup.secretOnce')}</p>
          <p>
            <code>{created.key}</code> · <code data-testid="api-secret">{created.secret}</code>
          </p>
        </div>
      )}
      <form className="toolbar" onSubmit={(e) => void submit(e)}>
        <Field label={t('console.setup.apiKeyName')}>
          <input type="text" value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <div className="field">
          <button type="submit" disabled={name.trim() === ''}>
            {t('console.setup.createKey')}
          </button>
        </div>
      </form>
    </>
  );
}

function SetupSections({ setup, reload }: { setup: StoreSetupResponse; reload: () => void }) {
  const t = useT();
  const { lang } = useConsole();
  const { error, saved, save } = useSave(reload);
  const store = setup.store;
  const name = (s: Service) => localText(s.name, lang, store.langs) || s.id;
  return (
    <>
      <ErrorNotice error={error} what="console.requestFailed" />
      {saved !== null && (
        <p className="notice ok" role="status" data-testid="setup-saved">
          {t('console.setup.savedWhat', { what: saved })}
        </p>
      )}
      <Section id="setup-store" title={t('console.setup.store')}>
        <StoreForm
          key={JSON.stringify(store)}
          store={store}
          onSave={(update) =>
            save(store.name, () =>
              call('updateStore', { params: { storeId: store.id }, input: update }),
            )
          }
        />
      </Section>
      <Section id="setup-services" title={t('console.setup.services')}>
        <h3>{t('console.setup.tree')}</h3>
        <ServiceTree services={setup.services} name={name} />
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">{t('console.setup.services')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('console.setup.serviceName')}</th>
                <th scope="col">{t('console.setup.htmlName')}</th>
                <th scope="col">{t('console.setup.letter')}</th>
                <th scope="col">{t('console.setup.minutes')}</th>
                <th scope="col">{t('console.setup.priority')}</th>
                <th scope="col">{t('console.setup.prm')}</th>
                <th scope="col">{t('console.setup.parent')}</th>
                <th scope="col">
                  <span className="visually-hidden">{t('console.save')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {setup.services.map((s) => (
                <ServiceRow
                  key={JSON.stringify(s)}
                  service={s}
                  services={setup.services}
                  name={name}
                  save={save}
                  storeId={store.id}
                />
              ))}
            </tbody>
          </table>
        </div>
        <NewService storeId={store.id} save={save} />
      </Section>
      <Section id="setup-desks" title={t('console.setup.desks')}>
        {setup.desks.length === 0 ? (
          <p className="muted">{t('console.none')}</p>
        ) : (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">{t('console.setup.desks')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.setup.deskName')}</th>
                  <th scope="col">{t('console.setup.deskServices')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('console.save')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {setup.desks.map((d) => (
                  <DeskRow
                    key={JSON.stringify(d)}
                    desk={d}
                    services={setup.services}
                    name={name}
                    save={save}
                    storeId={store.id}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      <Section id="setup-keys" title={t('console.setup.apiKeys')}>
        {setup.apiKeys.length > 0 && (
          <div className="table-scroll">
            <table className="data-table">
              <caption className="visually-hidden">{t('console.setup.apiKeys')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('console.setup.apiKeyName')}</th>
                  <th scope="col">{t('console.setup.apiKeyId')}</th>
                  <th scope="col">{t('console.setup.apiKeyLocked')}</th>
                  <th scope="col">{t('console.setup.apiKeyLimit')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('console.save')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {setup.apiKeys.map((k) => (
                  <ApiKeyRow key={JSON.stringify(k)} apiKey={k} save={save} storeId={store.id} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <NewApiKey storeId={store.id} reload={reload} />
      </Section>
    </>
  );
}

export function SetupPage() {
  const { store } = useConsole();
  const t = useT();
  const storeId = store?.id ?? '';
  const setup = useLoad(() => call('setup', { params: { storeId } }), [storeId]);
  return (
    <>
      <PageHeader title={`${t('console.setup.title')} · ${store?.name ?? ''}`} />
      <ErrorNotice error={setup.error} />
      {setup.data === null ? (
        setup.error === null && <p>{t('common.loading')}</p>
      ) : (
        <SetupSections setup={setup.data} reload={setup.reload} />
      )}
    </>
  );
}
