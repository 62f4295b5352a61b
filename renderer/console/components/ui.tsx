// Small pieces every console page uses: the failure notice, times in the store's zone,
// durations, and a labelled field.
import type { ReactNode } from 'react';
import type { MessageKey } from '../../../shared/i18n/index.js';
import { formatLocaleFor } from '../../../shared/i18n/index.js';
import { useConsole, useT } from '../context.js';
import { failureText, OfflineError } from '../http.js';
import { consoleError } from '../api.js';

/** A failure in words: the hub's own message when it gave one. */
export function ErrorNotice({
  error,
  what = 'console.loadFailed',
}: {
  error: unknown;
  what?: MessageKey;
}) {
  const t = useT();
  if (error === null || error === undefined) return null;
  const known = consoleError(error);
  const reason =
    error instanceof OfflineError
      ? t('console.offline')
      : known?.error === 'forbidden' || known?.error === 'not_found'
        ? t(known.error === 'forbidden' ? 'console.forbidden' : 'console.notFound')
        : (known?.message ?? failureText(error));
  return (
    <p className="notice error" role="alert">
      {t(what, { reason })}
    </p>
  );
}

/** Date and time in the store's zone (the browser's when no store is chosen). */
export function useDateTime(): (iso: string | null) => string {
  const { lang, store } = useConsole();
  const t = useT();
  return (iso) => {
    if (iso === null) return t('console.never');
    const options: Intl.DateTimeFormatOptions = { dateStyle: 'short', timeStyle: 'medium' };
    try {
      return new Intl.DateTimeFormat(formatLocaleFor(lang), {
        ...options,
        timeZone: store?.timeZone,
      }).format(new Date(iso));
    } catch {
      return new Intl.DateTimeFormat(formatLocaleFor(lang), options).format(new Date(iso));
    }
  };
}

/** Seconds as whole minutes ("12 min"); a dash for none. */
export function useMinutes(): (seconds: number | null) => string {
  const t = useT();
  return (seconds) =>
    seconds === null ? '—' : t('console.queue.minutes', { minutes: Math.round(seconds / 60) });
}

export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
    </label>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <>
      <h1 id="page-title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </>
  );
}
