// Hash routing (`#/fleet?store=demo-store`): the hub serves only `/` and its assets, so every
// page of the console lives after the `#`.
import { useEffect, useState } from 'react';

export const PAGES = ['stores', 'waiting', 'fleet', 'setup', 'queue', 'stats'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page | 'signin' | 'unknown';
  storeId: string | null;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const storeId = new URLSearchParams(query).get('store');
  const page = path === '' ? 'stores' : path;
  const known = page === 'signin' || (PAGES as readonly string[]).includes(page);
  return { page: known ? (page as Route['page']) : 'unknown', storeId };
}

export function routeHref(page: Route['page'], storeId: string | null): string {
  return storeId === null ? `#/${page}` : `#/${page}?store=${encodeURIComponent(storeId)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

export function navigate(page: Route['page'], storeId: string | null): void {
  window.location.hash = routeHref(page, storeId);
}
