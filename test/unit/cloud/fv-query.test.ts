import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FvError } from '../../../cloud/rest/fv-errors.js';
import { matches, parseProjection, parseSearch, project } from '../../../cloud/rest/fv-query.js';

const doc = {
  _id: '1',
  name: 'Darty',
  waiting: 7,
  root: true,
  langs: ['FR', 'EN'],
  sms: { activated: true, texts: { wait: { FR: 'attendez' } } },
};

const errorOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof FvError ? e.fv : String(e);
  }
};

describe('FileVirtuelle search', () => {
  it.each([
    ['name=Darty', true],
    ['name=Nikon', false],
    ['name=Nikon|name=Darty', true],
    ['name=Darty&waiting=8', false],
    ['name=Darty&waiting=7', true],
    ['waiting>6', true],
    ['waiting>7', false],
    ['waiting>=7', true],
    ['waiting<7', false],
    ['waiting<=7', true],
    ['name!=Darty', false],
    ['name!=Nikon', true],
    ['root=true', true],
    ['root=false', false],
    ['langs=EN', true],
    ['langs!=EN', false],
    ['sms.activated=true', true],
    ['sms.texts.wait.FR=attendez', true],
    ['missing=1', false],
    ['missing!=1', true],
    ['a=1&b=2|name=Darty', true],
    ['name=Darty&waiting>100|root=false', false],
  ])('%s → %s', (query, expected) => {
    expect(matches(parseSearch(query), doc)).toBe(expected);
  });

  it('refuses what is not key, operator, value', () => {
    for (const q of ['name', '=Darty', 'name~Darty', 'na me=x', 'name=x|', '&name=x']) {
      expect(errorOf(() => parseSearch(q))).toBe('InvalidSearch');
    }
  });

  it('never throws anything but InvalidSearch, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (q) => {
        const e = errorOf(() => matches(parseSearch(q), doc));
        expect(e === null || e === 'InvalidSearch').toBe(true);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('FileVirtuelle projection', () => {
  it('includes fields (and _id), with dot paths', () => {
    expect(project(doc, parseProjection('name,waiting'))).toEqual({
      _id: '1',
      name: 'Darty',
      waiting: 7,
    });
    expect(project(doc, parseProjection('sms.activated'))).toEqual({
      _id: '1',
      sms: { activated: true },
    });
    expect(project(doc, parseProjection('name,-_id'))).toEqual({ name: 'Darty' });
  });

  it('excludes fields with -, dot paths included, without touching the source', () => {
    expect(project(doc, parseProjection('-sms,-langs,-root'))).toEqual({
      _id: '1',
      name: 'Darty',
      waiting: 7,
    });
    const out = project(doc, parseProjection('-sms.texts'));
    expect(out.sms).toEqual({ activated: true });
    expect(doc.sms.texts).toBeDefined();
  });

  it('refuses a mix of inclusion and exclusion, and malformed fields', () => {
    expect(errorOf(() => parseProjection('-name,colorone'))).toBe('InvalidProjection');
    expect(errorOf(() => parseProjection('name,,x'))).toBe('InvalidProjection');
    expect(errorOf(() => parseProjection('name;drop'))).toBe('InvalidProjection');
  });
});

describe('FileVirtuelle queries and prototypes', () => {
  const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses %s anywhere in a search or projection path',
    (key) => {
      for (const path of [key, `${key}.toString`, `sms.${key}`, `sms.${key}.x`]) {
        expect(errorOf(() => parseSearch(`${path}=1`))).toBe('InvalidSearch');
        expect(errorOf(() => parseProjection(path))).toBe('InvalidProjection');
        expect(errorOf(() => parseProjection(`-${path}`))).toBe('InvalidProjection');
      }
    },
  );

  it('walks own properties only: inherited names neither match nor project', () => {
    expect(matches(parseSearch('toString!=x'), doc)).toBe(true);
    expect(matches(parseSearch('hasOwnProperty=x'), doc)).toBe(false);
    expect(project(doc, parseProjection('toString,valueOf'))).toEqual({ _id: '1' });
    expect(project(doc, parseProjection('-toString,-valueOf'))).toEqual(doc);
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  });

  it('keeps an own __proto__ key of a document as plain data', () => {
    const parsed = JSON.parse('{"_id":"2","__proto__":{"polluted":true},"name":"x"}') as Record<
      string,
      unknown
    >;
    const out = project(parsed, parseProjection('-name'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"_id":"2","__proto__":{"polluted":true}}');
  });
});
