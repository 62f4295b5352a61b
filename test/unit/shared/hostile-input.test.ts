// Fuzz: `__proto__`-style keys and garbage thrown at every parser the hub and the runtime have at
// their doors (FileVirtuelle search and projection, the FileVirtuelle wire adapters, scan
// payloads, the sync protocol, the appliance API). Each must answer with a value or a clear
// refusal, never let another error escape, and leave Object.prototype as it was.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FvError } from '../../../cloud/rest/fv-errors.js';
import { matches, parseProjection, parseSearch, project } from '../../../cloud/rest/fv-query.js';
import {
  WireMappingError,
  applyCustomerUpdate,
  customerFromWire,
  customerToWire,
  deviceFromWire,
  deviceToWire,
  organizationFromWire,
  organizationToWire,
  registerFromWire,
  serviceFromWire,
  serviceToWire,
  storeFromWire,
  storeToWire,
} from '../../../shared/adapters/filevirtuelle.js';
import { RpcRequestSchema, applianceMethods } from '../../../shared/api/appliance-api.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { DisplayRuleSchema } from '../../../shared/domain/entities.js';
import * as sync from '../../../shared/protocol/sync.js';
import { parseScanPayload } from '../../../shared/scanner/payload.js';
import { makeCustomer } from './fixtures.js';

const RUNS = { seed: 17, numRuns: 300 } as const;

// ---- what must stay as it was -----------------------------------------------------------------

const OBJECT_NAMES = Object.getOwnPropertyNames(Object.prototype).sort();
const ARRAY_NAMES = Object.getOwnPropertyNames(Array.prototype).sort();
const OBJECT_METHODS = Object.fromEntries(
  OBJECT_NAMES.map((name) => [name, Object.getOwnPropertyDescriptor(Object.prototype, name)]),
);

function prototypesIntact(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(OBJECT_NAMES);
  expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(ARRAY_NAMES);
  for (const name of OBJECT_NAMES) {
    expect(Object.getOwnPropertyDescriptor(Object.prototype, name), name).toEqual(
      OBJECT_METHODS[name],
    );
  }
  const plain: Record<string, unknown> = {};
  expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
  expect(plain.toString()).toBe('[object Object]');
  expect(Object.prototype.hasOwnProperty.call(plain, 'x')).toBe(false);
  expect(plain.polluted).toBeUndefined();
}

afterEach(prototypesIntact);

/** Every object in a parser's output is a plain object or array: no prototype was swapped. */
function plainAllTheWay(value: unknown, seen = new Set<unknown>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return true;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  return Object.values(value).every((v) => plainAllTheWay(v, seen));
}

/** Runs `fn`: a value (plain all the way) or an error `refusal` accepts; anything else fails. */
function valueOrRefusal(fn: () => unknown, refusal: (e: unknown) => boolean): void {
  let out: unknown;
  try {
    out = fn();
  } catch (e) {
    if (!refusal(e)) throw e;
    return;
  }
  expect(plainAllTheWay(out)).toBe(true);
}

// ---- hostile values ---------------------------------------------------------------------------

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'isPrototypeOf',
  'polluted',
] as const;

const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  fc.string({ maxLength: 12 }),
);

const scalar = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.constantFrom(...PROTO_KEYS),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

/** JSON-shaped values whose objects have hostile own keys (as JSON.parse makes them). */
const { hostile } = fc.letrec<{ hostile: unknown; array: unknown[]; object: unknown }>((tie) => ({
  hostile: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('hostile'), { maxLength: 4 }),
  object: fc
    .array(fc.tuple(hostileKey, tie('hostile')), { maxLength: 5 })
    .map((entries) => Object.fromEntries(entries)),
}));

function objectsIn(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return out;
  if (!Array.isArray(value)) out.push(value as Record<string, unknown>);
  for (const v of Object.values(value)) objectsIn(v, out);
  return out;
}

/** A valid wire object with hostile own keys set in one of its objects (top or nested). */
function overlaid(base: unknown): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.array(fc.tuple(hostileKey, hostile), { minLength: 1, maxLength: 4 }), fc.nat())
    .map(([entries, pick]) => {
      const copy = JSON.parse(JSON.stringify(base)) as unknown;
      const objects = objectsIn(copy);
      const target = objects[pick % objects.length] as Record<string, unknown>;
      for (const [key, value] of entries) {
        Object.defineProperty(target, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return copy;
    });
}

/** Hostile text: raw strings, the JSON of hostile values, and their escaping. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 80 }),
  hostile.map((v) => JSON.stringify(v) ?? ''),
  fc.array(fc.constantFrom(...PROTO_KEYS), { minLength: 1, maxLength: 4 }).map((k) => k.join('.')),
);

// ---- the parsers ------------------------------------------------------------------------------

describe('hostile input', () => {
  const storeWire = storeToWire(demoStore.store);
  const isFvRefusal = (names: string[]) => (e: unknown) =>
    e instanceof FvError && names.includes(e.fv);

  describe('FileVirtuelle search and projection', () => {
    // Chains of prototype keys (`__proto__.toString`, `constructor.prototype.valueOf`) are what
    // reach Object.prototype: weight them well above plain garbage.
    const path = fc
      .oneof(
        {
          weight: 2,
          arbitrary: fc.array(fc.constantFrom(...PROTO_KEYS), { minLength: 1, maxLength: 3 }),
        },
        fc.array(hostileKey, { minLength: 1, maxLength: 4 }),
      )
      .map((keys) => keys.join('.'));
    /** Whether a text names a key a search or projection path must never contain. */
    const forbidden = (text: string) =>
      /(^|[.,|&-])(__proto__|constructor|prototype)(?=$|[.,=<>!&|])/.test(text);
    const search = fc.oneof(
      hostileText,
      fc
        .array(
          fc.tuple(
            path,
            fc.constantFrom('=', '!=', '<', '>', '<=', '>='),
            fc.string({ maxLength: 8 }),
          ),
          { minLength: 1, maxLength: 4 },
        )
        .chain((terms) =>
          fc
            .array(fc.constantFrom('&', '|'), {
              minLength: terms.length - 1,
              maxLength: terms.length - 1,
            })
            .map((joins) =>
              terms.map(([p, op, v], i) => `${i > 0 ? joins[i - 1] : ''}${p}${op}${v}`).join(''),
            ),
        ),
    );
    const projection = fc.oneof(
      hostileText,
      fc
        .array(fc.tuple(fc.boolean(), path), { minLength: 1, maxLength: 4 })
        .map((fields) => fields.map(([minus, p]) => `${minus ? '-' : ''}${p}`).join(',')),
    );
    const doc = fc.oneof(fc.constant(storeWire as unknown), overlaid(storeWire));

    it('searches: a refusal (InvalidSearch) or a verdict, over hostile documents', () => {
      fc.assert(
        fc.property(search, doc, (q, d) => {
          if (forbidden(q)) expect(() => parseSearch(q)).toThrow(FvError);
          valueOrRefusal(() => matches(parseSearch(q), d), isFvRefusal(['InvalidSearch']));
          prototypesIntact();
        }),
        RUNS,
      );
    });

    it('projects: a refusal (InvalidProjection) or a plain document, over hostile documents', () => {
      fc.assert(
        fc.property(projection, doc, (p, d) => {
          if (forbidden(p)) expect(() => parseProjection(p)).toThrow(FvError);
          valueOrRefusal(
            () => project(d as Record<string, unknown>, parseProjection(p)),
            isFvRefusal(['InvalidProjection']),
          );
          prototypesIntact();
        }),
        RUNS,
      );
    });
  });

  describe('FileVirtuelle wire adapters', () => {
    const customer = makeCustomer('c1', { contact: { name: 'Ann Lee' } });
    const customerWire = customerToWire(customer, { display: DisplayRuleSchema.parse({}) });
    const service = demoStore.services[0];
    const device = demoStore.devices[0];
    if (service === undefined || device === undefined) throw new Error('the demo store is empty');
    const isMappingError = (e: unknown) => e instanceof WireMappingError;
    const cases: [string, unknown, (input: unknown) => unknown][] = [
      ['organizationFromWire', organizationToWire(demoStore.organization), organizationFromWire],
      ['storeFromWire', storeWire, storeFromWire],
      ['deviceFromWire', deviceToWire(device), deviceFromWire],
      ['serviceFromWire', serviceToWire(service), (w) => serviceFromWire(w)],
      [
        'customerFromWire',
        customerWire,
        (w) => customerFromWire(w, { base: customer, timeZone: 'Europe/Paris' }),
      ],
      [
        'applyCustomerUpdate',
        { _id: 'c1', name: 'New', called: true },
        (w) => applyCustomerUpdate(customer, w),
      ],
    ];

    it.each(cases)('%s: a Lineup entity or a WireMappingError', (_name, valid, fromWire) => {
      fc.assert(
        fc.property(fc.oneof(hostile, overlaid(valid)), (input) => {
          valueOrRefusal(() => fromWire(input), isMappingError);
          prototypesIntact();
        }),
        RUNS,
      );
    });

    it('registerFromWire: a registration or the field at fault, never a throw', () => {
      const documented = {
        lang: 'FR',
        phone: '0689091314',
        prequalification: '507f1f77bcf86cd799439011',
        prequalifications_path: ['507f1f77bcf86cd799439011'],
        machine: '508f1f79bcf97cd799439018',
      };
      fc.assert(
        fc.property(fc.oneof(hostile, overlaid(documented)), (input) => {
          const r = registerFromWire(input);
          expect(plainAllTheWay(r)).toBe(true);
          if (!r.ok) expect(typeof r.field).toBe('string');
          prototypesIntact();
        }),
        RUNS,
      );
    });
  });

  describe('scan payloads', () => {
    const lineup = fc
      .array(fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 10 })), {
        maxLength: 5,
      })
      .map((parts) => ['LINEUP', ...parts].join(':'));
    const omboriLike = overlaid({
      type: 'check-in-position',
      positionId: '3f2b8f0e-8a51-4c61-9d0b-7d1c6b0f9a11',
    }).map((v) => JSON.stringify(v));

    // Ticket page URLs with hostile pieces where the host, port, path and token go.
    const piece = fc.oneof(
      fc.constantFrom(...PROTO_KEYS, '..', '@', '\\', '%2e', '?', '#', ':', '[::1]', ''),
      fc.string({ maxLength: 12 }),
    );
    const pageUrl = fc
      .tuple(fc.constantFrom('http', 'https', 'HTTPS', 'ftp'), piece, piece, piece, piece)
      .map(
        ([scheme, host, port, prefix, id]) =>
          `${scheme}://${host}.example${port === '' ? '' : `:${port}`}/${prefix}/t/${id}.${'A'.repeat(27)}`,
      );

    it('parseScanPayload answers ok or a reason, whatever is scanned', () => {
      fc.assert(
        fc.property(
          fc.oneof(hostileText, lineup, omboriLike, pageUrl),
          fc.boolean(),
          (text, hub) => {
            const r = parseScanPayload(text, hub ? { hubUrl: 'https://x.example' } : {});
            expect(plainAllTheWay(r)).toBe(true);
            expect(r.ok || typeof r.reason === 'string').toBe(true);
            prototypesIntact();
          },
        ),
        RUNS,
      );
    });
  });

  describe('schemas at the doors', () => {
    const schemas = Object.entries(sync as Record<string, unknown>).filter(
      (entry): entry is [string, { safeParse: (v: unknown) => { success: boolean } }] =>
        entry[0].endsWith('Schema') &&
        typeof (entry[1] as { safeParse?: unknown }).safeParse === 'function',
    );
    const doors = [
      ...schemas,
      ['RpcRequestSchema', RpcRequestSchema] as const,
      ...Object.entries(applianceMethods).map(([method, { params }]) => [
        `appliance ${method} params`,
        params,
      ]),
    ] as [string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }][];

    it('covers the sync protocol and every appliance method', () => {
      expect(schemas.map(([name]) => name)).toEqual(
        expect.arrayContaining(['CommandEnvelopeSchema', 'PullRequestSchema', 'ChangeSchema']),
      );
      expect(doors.length).toBeGreaterThan(schemas.length + Object.keys(applianceMethods).length);
    });

    it.each(doors)('%s: safeParse answers, with plain data when it accepts', (_name, schema) => {
      const envelope = {
        id: 'cmd-1',
        issuedAt: '2025-03-10T09:00:00.000Z',
        type: 'register',
        payload: { serviceId: 'demo-repair', lang: 'EN', contactMode: 'anonymous' },
      };
      fc.assert(
        fc.property(fc.oneof(hostile, overlaid(envelope)), (input) => {
          const r = schema.safeParse(input);
          if (r.success) expect(plainAllTheWay(r.data)).toBe(true);
          prototypesIntact();
        }),
        { ...RUNS, numRuns: 100 },
      );
    });
  });
});
