// The FileVirtuelle search engine (`?search=name=Darty|name=Nikon`) and projections
// (`/organizations/name,colorone`, `/organizations/-name`), evaluated in JS over the wire
// objects: no part of a query ever reaches SQL. Paths walk own properties only, and the keys
// that reach an object's prototype (`__proto__`, `constructor`, `prototype`) are refused, so a
// query can neither read nor change Object.prototype.
import { FvError } from './fv-errors.js';

export type Operator = '=' | '!=' | '<' | '>' | '<=' | '>=';
export interface Term {
  path: string[];
  op: Operator;
  value: string;
}
/** OR of ANDs: `a=1&b=2|c=3` is `(a=1 AND b=2) OR c=3`. */
export type SearchQuery = Term[][];

const TERM = /^([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)(<=|>=|!=|=|<|>)(.*)$/s;

/** Keys that lead from any object to its prototype: never part of a search or projection path. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** `a.b.c` → ['a', 'b', 'c'], or null when a key reaches a prototype. */
function safePath(dotted: string): string[] | null {
  const path = dotted.split('.');
  return path.some((key) => PROTOTYPE_KEYS.has(key)) ? null : path;
}

const hasOwn = (value: object, key: string): boolean => Object.hasOwn(value, key);

/** Sets an own data property, even for a key an assignment would treat specially. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function parseSearch(search: string): SearchQuery {
  if (search.length > 2000) throw new FvError('InvalidSearch');
  return search.split('|').map((conjunction) =>
    conjunction.split('&').map((text) => {
      const m = TERM.exec(text.trim());
      const path = m === null ? null : safePath(m[1] as string);
      if (m === null || path === null) throw new FvError('InvalidSearch');
      return { path, op: m[2] as Operator, value: m[3] as string };
    }),
  );
}

function valuesAt(doc: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [doc];
  for (const key of path) {
    const next: unknown[] = [];
    for (const v of current) {
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) {
        if (item !== null && typeof item === 'object' && hasOwn(item, key)) {
          next.push((item as Record<string, unknown>)[key]);
        }
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function compare(actual: unknown, value: string): number | null {
  if (actual === null || actual === undefined) return value === 'null' ? 0 : null;
  if (typeof actual === 'boolean') {
    if (value !== 'true' && value !== 'false') return null;
    return Number(actual) - Number(value === 'true');
  }
  if (typeof actual === 'number') {
    const n = Number(value);
    if (value.trim() === '' || Number.isNaN(n)) return null;
    return actual - n;
  }
  if (typeof actual === 'string') return actual < value ? -1 : actual > value ? 1 : 0;
  return null;
}

function test(term: Term, doc: unknown): boolean {
  const values = valuesAt(doc, term.path);
  const results = values.map((v) => compare(v, term.value));
  if (term.op === '!=') return !results.some((r) => r === 0);
  return results.some((r) => {
    if (r === null) return false;
    switch (term.op) {
      case '=':
        return r === 0;
      case '<':
        return r < 0;
      case '>':
        return r > 0;
      case '<=':
        return r <= 0;
      case '>=':
        return r >= 0;
    }
  });
}

export function matches(query: SearchQuery, doc: unknown): boolean {
  return query.some((conjunction) => conjunction.every((term) => test(term, doc)));
}

export interface Projection {
  mode: 'include' | 'exclude';
  paths: string[][];
  /** Inclusion keeps `_id` unless it is excluded with `-_id` (as MongoDB does). */
  keepId: boolean;
}

const FIELD = /^-?[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$/;

export function parseProjection(text: string): Projection {
  const fields = text.split(',').map((f) => f.trim());
  if (
    fields.length > 100 ||
    fields.some((f) => !FIELD.test(f) || safePath(f.replace(/^-/, '')) === null)
  )
    throw new FvError('InvalidProjection');
  const excluded = fields.filter((f) => f.startsWith('-')).map((f) => f.slice(1));
  const included = fields.filter((f) => !f.startsWith('-'));
  const onlyIdExcluded = excluded.length === 1 && excluded[0] === '_id';
  if (included.length > 0 && excluded.length > 0 && !onlyIdExcluded)
    throw new FvError('InvalidProjection');
  if (included.length > 0) {
    return { mode: 'include', paths: included.map((f) => f.split('.')), keepId: !onlyIdExcluded };
  }
  return {
    mode: 'exclude',
    paths: excluded.map((f) => f.split('.')),
    keepId: !excluded.includes('_id'),
  };
}

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => v !== null && typeof v === 'object' && !Array.isArray(v);

function include(source: unknown, target: Doc, path: readonly string[]): void {
  if (!isDoc(source)) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (!hasOwn(source, head)) return;
  const value = source[head];
  if (rest.length === 0) {
    setOwn(target, head, value);
    return;
  }
  const current = hasOwn(target, head) ? target[head] : undefined;
  if (Array.isArray(value)) {
    const existing = Array.isArray(current) ? (current as Doc[]) : value.map(() => ({}));
    value.forEach((item, i) => include(item, existing[i] as Doc, rest));
    setOwn(target, head, existing);
  } else if (isDoc(value)) {
    const sub = isDoc(current) ? current : {};
    include(value, sub, rest);
    setOwn(target, head, sub);
  }
}

function exclude(target: unknown, path: readonly string[]): void {
  if (Array.isArray(target)) {
    for (const item of target) exclude(item, path);
    return;
  }
  if (!isDoc(target)) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (!hasOwn(target, head)) return;
  if (rest.length === 0) delete target[head];
  else exclude(target[head], rest);
}

export function project(doc: Doc, projection: Projection): Doc {
  if (projection.mode === 'include') {
    const out: Doc = {};
    if (projection.keepId && hasOwn(doc, '_id')) out._id = doc._id;
    for (const path of projection.paths) include(doc, out, path);
    return out;
  }
  const out = structuredClone(doc);
  for (const path of projection.paths) exclude(out, path);
  return out;
}
