// What every console page needs: the language (and its texts), the signed-in user and the store
// being looked at.
import { createContext, useContext } from 'react';
import type { MessageKey, MessageVars, SupportedLang } from '../../shared/i18n/index.js';
import type {
  ConsolePermission,
  ConsoleUser,
  StoreSummary,
} from '../../shared/protocol/console.js';
import { tr } from '../i18n/index.js';

export interface ConsoleContextValue {
  lang: SupportedLang;
  user: ConsoleUser;
  store: StoreSummary | null;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const value = useContext(ConsoleContext);
  if (value === null) throw new Error('useConsole outside the signed-in console');
  return value;
}

/** `t(key, vars)` in the console's language. */
export function useT(): (key: MessageKey, vars?: MessageVars) => string {
  const { lang } = useConsole();
  return (key, vars) => tr(lang, key, vars);
}

export function can(user: ConsoleUser, permission: ConsolePermission): boolean {
  return user.permissions.includes(permission);
}
