// The Bloom API answers in JSON or XML (`/vt/api/json/...`, `/vt/api/xml/...`). XML is built and
// read with fast-xml-parser: an answer is one <response> element, each field a child element,
// an array a repeated element, null an empty element. An XML route also reads XML bodies.
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export type BloomFormat = 'json' | 'xml';

export const isBloomFormat = (s: string): s is BloomFormat => s === 'json' || s === 'xml';

const builder = new XMLBuilder({
  format: false,
  suppressEmptyNode: false,
  processEntities: true,
});

/** Arrays the Bloom requests carry: read as arrays even with one element. */
const ARRAY_FIELDS = new Set(['tickets']);

const parser = new XMLParser({
  // Values stay strings (a phone number is not a number); the route's schema coerces.
  parseTagValue: false,
  ignoreAttributes: true,
  processEntities: true,
  isArray: (name) => ARRAY_FIELDS.has(name),
});

/** Nulls and empty lists become empty elements (the builder would drop them). */
function forXml(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  // An empty list is an empty element, so that it still reads as present.
  if (Array.isArray(value)) return value.length === 0 ? '' : value.map(forXml);
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, forXml(v)]));
  }
  return value;
}

export function renderBloom(format: BloomFormat, body: unknown): { type: string; text: string } {
  if (format === 'json')
    return { type: 'application/json; charset=utf-8', text: JSON.stringify(body) };
  const xml = builder.build({ response: forXml(body) }) as string;
  return {
    type: 'application/xml; charset=utf-8',
    text: `<?xml version="1.0" encoding="UTF-8"?>${xml}`,
  };
}

/** An XML request body: the root element's children as an object, or null if not XML. */
export function parseBloomXml(text: string): unknown {
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null) return null;
  const roots = Object.entries(doc).filter(([k]) => k !== '?xml');
  const root = roots[0];
  if (roots.length !== 1 || root === undefined) return null;
  return root[1] === '' ? {} : root[1];
}
