// The wall screen: who is called to which desk (large, with a flash), the last calls and how
// many wait per service. Names only as the store's display rule allows; never phone or email.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApplianceState, CallAnnouncement } from '../../shared/api/appliance-api.js';
import { isRtl } from '../../shared/i18n/index.js';
import { useApplianceEvent } from '../api/use-appliance.js';
import { useDocumentLanguage } from '../common/document-language.js';
import { useNow } from '../common/hooks.js';
import { Logo } from '../common/logo.js';
import { StoreQr } from '../common/store-qr.js';
import { formatTime, localText, tr } from '../i18n/index.js';
import { Announcer, type AnnouncementRecord } from './announcer.js';
import { nowCalling } from './now-calling.js';
import { createWebChime, createWebSpeech } from './web-audio.js';

declare global {
  interface Window {
    /** What the screen announced, in order: read by tests and by a technician's console. */
    __lineupAnnouncements?: readonly AnnouncementRecord[];
  }
}

// As many as fit at 1920×1080 next to the banner, without cutting a row.
const LAST_CALLS = 4;

export function ScreenView({ state }: { state: ApplianceState }) {
  const snapshot = state.store;
  const lang = snapshot?.store.langs[0] ?? 'EN';
  useDocumentLanguage(lang);
  const now = useNow(10_000);
  const [playing, setPlaying] = useState<CallAnnouncement | null>(null);
  const [flash, setFlash] = useState(0);
  const [records, setRecords] = useState<readonly AnnouncementRecord[]>([]);
  const announcer = useRef<Announcer | null>(null);
  useEffect(() => {
    const a = new Announcer({
      chime: createWebChime(),
      speech: createWebSpeech(),
      onStart: (call) => {
        setPlaying(call);
        setFlash((n) => n + 1);
      },
      onChange: (list) => {
        window.__lineupAnnouncements = list;
        setRecords(list);
      },
    });
    announcer.current = a;
    window.__lineupAnnouncements = [];
    return () => a.dispose();
  }, []);
  useApplianceEvent('call', (e) => announcer.current?.enqueue(e.call));

  const devicesById = useMemo(
    () => new Map((snapshot?.devices ?? []).map((d) => [d.id, d])),
    [snapshot?.devices],
  );
  const queuedCustomerIds = useMemo(
    () =>
      new Set(records.filter((r) => r.status === 'queued' && !r.recall).map((r) => r.customerId)),
    [records],
  );

  if (snapshot === null) return null;
  const { store, organization } = snapshot;
  const me = state.identity.deviceId;
  const { banner, others } = nowCalling({
    customers: snapshot.customers,
    deskName: (id) => devicesById.get(id ?? '')?.name ?? '',
    rule: store.display,
    playing,
    queuedCustomerIds,
    limit: LAST_CALLS,
  });
  // In the order of the kiosk's tree (root by root), not mixed across roots.
  const treeRank = new Map<string, number>();
  const walk = (ids: readonly string[]) => {
    const byOrder = ids
      .map((id) => snapshot.services.find((s) => s.id === id))
      .filter((s): s is (typeof snapshot.services)[number] => s !== undefined)
      .sort((a, b) => a.machineOrder - b.machineOrder || a.id.localeCompare(b.id));
    for (const s of byOrder) {
      if (!treeRank.has(s.id)) treeRank.set(s.id, treeRank.size);
      walk(s.childIds);
    }
  };
  walk(snapshot.services.filter((s) => s.isRoot).map((s) => s.id));
  const shownServices = snapshot.services
    .filter(
      (s) =>
        s.childIds.length === 0 &&
        (s.screenIds.length === 0 || (me !== null && s.screenIds.includes(me))),
    )
    .sort(
      (a, b) =>
        (treeRank.get(a.id) ?? Number.MAX_SAFE_INTEGER) -
          (treeRank.get(b.id) ?? Number.MAX_SAFE_INTEGER) || a.id.localeCompare(b.id),
    );
  const waitingFor = (id: string) =>
    snapshot.customers.filter((c) => c.state === 'waiting' && c.serviceId === id).length;

  return (
    <div className="screen" dir={isRtl(lang) ? 'rtl' : 'ltr'} lang={lang.toLowerCase()}>
      <header className="screen-header">
        <Logo organization={organization} />
        <h1>{store.name}</h1>
        {!state.sync.connected && (
          <p className="offline-mark" data-testid="screen-offline" role="status">
            {tr(lang, 'screen.offline')}
          </p>
        )}
        <p className="clock" aria-label={tr(lang, 'screen.time')}>
          {formatTime(now.toISOString(), lang, store.timeZone)}
        </p>
      </header>
      <main className="screen-main">
        <section
          className="now-calling"
          aria-labelledby="now-title"
          aria-live="assertive"
          data-testid="now-calling"
        >
          <h2 id="now-title">{tr(lang, 'screen.nowCalling')}</h2>
          {banner === null ? (
            <p className="now-empty">{tr(lang, 'screen.welcome')}</p>
          ) : (
            <div
              key={`${banner.key}-${flash}`}
              className={`now-card${flash > 0 ? ' flash' : ''}`}
              data-ticket={banner.ticket}
            >
              <p className="now-ticket">{banner.ticket}</p>
              <p className="now-desk">
                <span aria-hidden="true" className="arrow">
                  {isRtl(lang) ? '←' : '→'}
                </span>{' '}
                {banner.deskName}
              </p>
              {banner.display !== null && <p className="now-name">{banner.display}</p>}
            </div>
          )}
        </section>
        <section className="last-calls" aria-labelledby="last-title">
          <h2 id="last-title">{tr(lang, 'screen.lastCalls')}</h2>
          {/* No header row over an empty list */}
          {others.length > 0 && (
            <table>
              <thead>
                <tr>
                  <th scope="col">{tr(lang, 'screen.ticket')}</th>
                  <th scope="col">{tr(lang, 'screen.desk')}</th>
                </tr>
              </thead>
              <tbody>
                {others.map((c) => (
                  <tr key={c.key} data-ticket={c.ticket}>
                    <td className="last-ticket">
                      {c.ticket}
                      {c.display !== null && <span className="last-name"> {c.display}</span>}
                    </td>
                    <td>{c.deskName}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
      <footer className="screen-footer" aria-label={tr(lang, 'screen.waitingTitle')}>
        <ul className="waiting-counts">
          {shownServices.map((s) => (
            <li key={s.id} data-service-id={s.id}>
              <span className="wc-name">{localText(s.name, lang, store.langs)}</span>
              <span className="wc-count">
                {tr(lang, 'screen.waitingCount', { count: waitingFor(s.id) })}
              </span>
            </li>
          ))}
        </ul>
        <StoreQr state={state} lang={lang} />
      </footer>
      <ol className="visually-hidden" data-testid="announcements" aria-hidden="true">
        {records.map((r) => (
          <li
            key={r.key}
            data-key={r.key}
            data-ticket={r.ticket}
            data-status={r.status}
            data-speech={r.speech}
          >
            {r.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
