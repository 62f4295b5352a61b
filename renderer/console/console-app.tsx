// The console: who is signed in (the session cookie, checked on load), the frame (header with
// store and language pickers, section navigation) and the page the hash names.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageKey, SupportedLang } from '../../shared/i18n/index.js';
import { formatLocaleFor } from '../../shared/i18n/index.js';
import type { ConsolePermission, SessionResponse } from '../../shared/protocol/console.js';
import { languageName, tr } from '../i18n/index.js';
import { call } from './api.js';
import { ConsoleContext, can, type ConsoleContextValue } from './context.js';
import { setCsrfToken, setUnauthorizedHandler } from './http.js';
import { SUPPORTED_LANGS, useConsoleLanguage } from './language.js';
import { FleetPage } from './pages/fleet.js';
import { QueuePage } from './pages/queue.js';
import { SetupPage } from './pages/setup.js';
import { SignInPage } from './pages/sign-in.js';
import { StatsPage } from './pages/stats.js';
import { StoresPage } from './pages/stores.js';
import { WaitingPage } from './pages/waiting.js';
import { navigate, routeHref, useRoute, type Page } from './router.js';

const SECTIONS: readonly { page: Page; label: MessageKey; needs: ConsolePermission }[] = [
  { page: 'stores', label: 'console.nav.stores', needs: 'stores.read' },
  { page: 'waiting', label: 'console.nav.waiting', needs: 'devices.manage' },
  { page: 'fleet', label: 'console.nav.fleet', needs: 'fleet.read' },
  { page: 'setup', label: 'console.nav.setup', needs: 'setup.manage' },
  { page: 'queue', label: 'console.nav.queue', needs: 'queue.manage' },
  { page: 'stats', label: 'console.nav.stats', needs: 'stats.read' },
];

type Session =
  | { state: 'checking' }
  | { state: 'out'; notice: string | null }
  | ({ state: 'in' } & SessionResponse);

function useSession(lang: SupportedLang) {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const langRef = useRef(lang);
  useEffect(() => {
    langRef.current = lang;
  });
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setSession({ state: 'out', notice: tr(langRef.current, 'console.sessionExpired') });
    });
    call('whoAmI', { quietUnauthorized: true }).then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setSession({ state: 'in', ...s });
      },
      () => setSession({ state: 'out', notice: null }),
    );
  }, []);
  const signedIn = useCallback((s: SessionResponse) => {
    setCsrfToken(s.csrfToken);
    setSession({ state: 'in', ...s });
  }, []);
  const signOut = useCallback(async () => {
    try {
      await call('signOut', { quietUnauthorized: true });
    } finally {
      setCsrfToken(null);
      setSession({ state: 'out', notice: null });
    }
  }, []);
  return { session, signedIn, signOut };
}

function PageFor({ page }: { page: Page }) {
  switch (page) {
    case 'stores':
      return <StoresPage />;
    case 'waiting':
      return <WaitingPage />;
    case 'fleet':
      return <FleetPage />;
    case 'setup':
      return <SetupPage />;
    case 'queue':
      return <QueuePage />;
    case 'stats':
      return <StatsPage />;
  }
}

export function ConsoleApp() {
  const [lang, setLang] = useConsoleLanguage();
  const { session, signedIn, signOut } = useSession(lang);
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    document.title = tr(lang, 'console.title');
  }, [lang]);

  // A new page moves focus to its title, as a page load would for screen readers.
  useEffect(() => {
    mainRef.current?.querySelector<HTMLElement>('#page-title')?.focus();
  }, [route.page, route.storeId]);

  if (session.state === 'checking') return <p className="notice">{tr(lang, 'common.loading')}</p>;
  if (session.state === 'out')
    return (
      <SignInPage lang={lang} setLang={setLang} notice={session.notice} onSignedIn={signedIn} />
    );

  const user = session.user;
  const store =
    user.stores.find((s) => s.id === route.storeId) ??
    (route.storeId === null ? (user.stores[0] ?? null) : null);
  const storeId = store?.id ?? null;
  const allowed = SECTIONS.filter((s) => can(user, s.needs));
  const page: Page | 'unknown' = route.page === 'signin' ? 'stores' : route.page;
  const context: ConsoleContextValue = { lang, user, store };
  const section = allowed.find((s) => s.page === page);

  return (
    <ConsoleContext.Provider value={context}>
      <div className="console">
        <a
          className="skip-link"
          href="#main"
          onClick={(e) => {
            e.preventDefault();
            mainRef.current?.focus();
          }}
        >
          {tr(lang, 'console.skipToContent')}
        </a>
        <header className="console-header">
          <span className="wordmark">{tr(lang, 'console.title')}</span>
          {user.stores.length > 0 && (
            <label>
              {tr(lang, 'console.stores.current')}
              <select
                value={storeId ?? ''}
                onChange={(e) => navigate(page === 'unknown' ? 'fleet' : page, e.target.value)}
              >
                {storeId === null && <option value="">—</option>}
                {user.stores.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {tr(lang, 'common.language')}
            <select value={lang} onChange={(e) => setLang(e.target.value as SupportedLang)}>
              {SUPPORTED_LANGS.map((l) => (
                <option key={l} value={l} lang={formatLocaleFor(l).slice(0, 2)}>
                  {languageName(l)}
                </option>
              ))}
            </select>
          </label>
          <span className="who" data-testid="signed-in-as">
            {tr(lang, 'console.signedInAs', {
              name: user.name,
              role: tr(lang, `console.role.${user.role}`),
            })}
          </span>
          <button type="button" onClick={() => void signOut()}>
            {tr(lang, 'console.signOut')}
          </button>
        </header>
        <nav className="console-nav" aria-label={tr(lang, 'console.nav')}>
          <ul>
            {allowed.map((s) => (
              <li key={s.page}>
                <a
                  href={routeHref(s.page, storeId)}
                  aria-current={s.page === page ? 'page' : undefined}
                >
                  {tr(lang, s.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main className="console-main" id="main" ref={mainRef} tabIndex={-1}>
          {route.storeId !== null && store === null ? (
            <p className="notice error" role="alert">
              {tr(lang, 'console.forbidden')}
            </p>
          ) : section === undefined ? (
            <p className="notice error" role="alert">
              {tr(lang, page === 'unknown' ? 'console.notFound' : 'console.forbidden')}
            </p>
          ) : (
            <PageFor key={`${section.page}:${storeId ?? ''}`} page={section.page} />
          )}
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}
