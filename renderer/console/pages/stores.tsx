// The store picker: the stores this user may see (all of them for owners and admins), each a
// link to its first section the user may open.
import { languageName } from '../../i18n/index.js';
import { can, useConsole, useT } from '../context.js';
import { PageHeader } from '../components/ui.js';
import { routeHref, type Page } from '../router.js';

export function StoresPage() {
  const { user } = useConsole();
  const t = useT();
  const first: Page = can(user, 'fleet.read')
    ? 'fleet'
    : can(user, 'queue.manage')
      ? 'queue'
      : 'stores';
  return (
    <>
      <PageHeader title={t('console.stores.title')} />
      {user.stores.length === 0 ? (
        <p className="notice">{t('console.stores.empty')}</p>
      ) : (
        <ul className="cards" aria-label={t('console.nav.stores')}>
          {user.stores.map((s) => (
            <li key={s.id} className="card" style={{ listStyle: 'none' }}>
              <h2 style={{ marginTop: 0 }}>
                <a href={routeHref(first, s.id)}>{s.name}</a>
              </h2>
              <p className="muted">{s.timeZone}</p>
              <p className="muted">{s.langs.map(languageName).join(' · ')}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
