// Typed calls of the hub console's routes (shared/protocol/console.ts): one route table, its
// schemas checking each answer, path params filled by `consolePath`.
import {
  CONSOLE_ROUTES,
  ConsoleErrorSchema,
  consolePath,
  type ConsoleError,
  type ConsoleRequest,
  type ConsoleResponse,
  type ConsoleRouteName,
} from '../../shared/protocol/console.js';
import { HttpError, request } from './http.js';

type JsonRoute = {
  [N in ConsoleRouteName]: (typeof CONSOLE_ROUTES)[N]['response'] extends null ? never : N;
}[ConsoleRouteName];

export interface CallOptions<N extends ConsoleRouteName> {
  params?: Record<string, string>;
  /** The JSON body (POST/PUT/PATCH) or the query string (GET). */
  input?: ConsoleRequest<N>;
  quietUnauthorized?: boolean;
}

export function queryString(input: unknown): string {
  if (input === undefined || input === null || typeof input !== 'object') return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(input)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

export async function call<N extends JsonRoute>(
  name: N,
  options: CallOptions<N> = {},
): Promise<ConsoleResponse<N>> {
  const route = CONSOLE_ROUTES[name];
  const path = consolePath(name, options.params);
  const isGet = route.method === 'GET';
  const schema = route.response;
  if (schema === null) throw new Error(`${name} is not a JSON route`);
  return (await request(
    route.method,
    isGet ? `${path}${queryString(options.input)}` : path,
    schema,
    isGet || route.request === null ? undefined : (options.input ?? {}),
    { quietUnauthorized: options.quietUnauthorized },
  )) as ConsoleResponse<N>;
}

/** The hub's error body when it sent one in the console's shape. */
export function consoleError(error: unknown): ConsoleError | null {
  if (!(error instanceof HttpError)) return null;
  const parsed = ConsoleErrorSchema.safeParse(error.body);
  return parsed.success ? parsed.data : null;
}
