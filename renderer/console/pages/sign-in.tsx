// Sign in: email and password; a wrong pair, a locked account and an address that failed too
// often are told apart and said in plain words (with when to try again), in the chosen language.
import { useState, type FormEvent } from 'react';
import type { SupportedLang } from '../../../shared/i18n/index.js';
import type { SessionResponse } from '../../../shared/protocol/console.js';
import { formatLocaleFor } from '../../../shared/i18n/index.js';
import { languageName, tr } from '../../i18n/index.js';
import { call, consoleError } from '../api.js';
import { failureText, OfflineError } from '../http.js';
import { SUPPORTED_LANGS } from '../language.js';

function signInFailure(lang: SupportedLang, error: unknown, now: Date): string {
  const known = consoleError(error);
  if (known?.error === 'bad_credentials') return tr(lang, 'console.signIn.invalid');
  if (known?.error === 'locked') {
    if (known.lockedUntil === undefined) return tr(lang, 'console.signIn.lockedNow');
    const minutes = Math.max(
      1,
      Math.ceil((Date.parse(known.lockedUntil) - now.getTime()) / 60_000),
    );
    return tr(lang, 'console.signIn.locked', { minutes });
  }
  if (known?.error === 'too_many_attempts') {
    const minutes = Math.max(1, Math.ceil((known.retryAfterSeconds ?? 60) / 60));
    return tr(lang, 'console.signIn.throttled', { minutes });
  }
  if (known?.error === 'invalid') return tr(lang, 'console.signIn.missing');
  if (error instanceof OfflineError) return tr(lang, 'console.offline');
  return tr(lang, 'console.requestFailed', { reason: known?.message ?? failureText(error) });
}

export function SignInPage({
  lang,
  setLang,
  notice,
  onSignedIn,
}: {
  lang: SupportedLang;
  setLang: (lang: SupportedLang) => void;
  notice: string | null;
  onSignedIn: (session: SessionResponse) => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (email.trim() === '' || password === '') {
      setError(tr(lang, 'console.signIn.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const session = await call('signIn', {
        input: { email: email.trim(), password },
        quietUnauthorized: true,
      });
      onSignedIn(session);
    } catch (failure) {
      setError(signInFailure(lang, failure, new Date()));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={(e) => void submit(e)} noValidate aria-labelledby="signin-title">
        <h1 id="signin-title">{tr(lang, 'console.signIn.title')}</h1>
        {notice !== null && error === null && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {error !== null && (
          <p className="notice error" role="alert" data-testid="signin-error">
            {error}
          </p>
        )}
        <label className="field">
          <span>{tr(lang, 'console.signIn.email')}</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            aria-invalid={error !== null}
          />
        </label>
        <label className="field">
          <span>{tr(lang, 'console.signIn.password')}</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            aria-invalid={error !== null}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? tr(lang, 'console.signIn.busy') : tr(lang, 'console.signIn.submit')}
        </button>
        <label className="field lang">
          <span>{tr(lang, 'common.language')}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as SupportedLang)}>
            {SUPPORTED_LANGS.map((l) => (
              <option key={l} value={l} lang={formatLocaleFor(l).slice(0, 2)}>
                {languageName(l)}
              </option>
            ))}
          </select>
        </label>
      </form>
    </main>
  );
}
