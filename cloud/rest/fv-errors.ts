// FileVirtuelle v2 errors: the documented ones word for word (from the adapter), plus ours in the
// same `{ code, error, message }` shape for what the document names no body for: a malformed
// search or projection, a body field with no documented error, and what the HTTP layer refuses
// before a route runs (not JSON, wrong content type, too large).
import {
  FV_ERRORS as DOCUMENTED,
  type FvErrorName as DocumentedName,
} from '../../shared/adapters/filevirtuelle.js';

const OURS = {
  InvalidSearch: {
    code: 422,
    message: 'Invalid search. Use key, operator (=, <, >, <=, >=, !=) and value, joined by & or |.',
  },
  InvalidProjection: {
    code: 422,
    message: 'Projection cannot have a mix of inclusion and exclusion.',
  },
  InvalidField: { code: 422, message: 'A field of the body is invalid.' },
  InvalidJson: { code: 400, message: 'The body is not valid JSON.' },
  BadRequest: { code: 400, message: 'The request is malformed.' },
  PayloadTooLarge: { code: 413, message: 'The body is too large.' },
  UnsupportedMediaType: {
    code: 415,
    message: 'Send the body as JSON, with Content-Type: application/json.',
  },
  InternalError: { code: 500, message: 'The hub could not handle this request.' },
} as const;

export type FvErrorName = DocumentedName | keyof typeof OURS;

const ALL: Record<FvErrorName, { code: number; message: string }> = { ...DOCUMENTED, ...OURS };

export interface FvErrorBody {
  code: number;
  error: FvErrorName;
  message: string;
}

/** The body of `name`; `message` replaces ours only (documented messages are word for word). */
export function fvErrorBody(name: FvErrorName, message?: string): FvErrorBody {
  const own = message !== undefined && Object.hasOwn(OURS, name);
  return { code: ALL[name].code, error: name, message: own ? message : ALL[name].message };
}

/** Thrown by a route; the error handler sends its documented status and body. */
export class FvError extends Error {
  constructor(
    readonly fv: FvErrorName,
    /** A more precise message, for our own errors only (e.g. which field is invalid). */
    readonly detail?: string,
  ) {
    super(fvErrorBody(fv, detail).message);
    this.name = 'FvError';
  }
  get status(): number {
    return ALL[this.fv].code;
  }
  body(): FvErrorBody {
    return fvErrorBody(this.fv, this.detail);
  }
}

/** A body field that has no documented error, named in the message. */
export function invalidField(field: string): FvError {
  return new FvError('InvalidField', `Invalid ${field.slice(0, 60)}: check its type and value.`);
}

/** What Fastify itself refused (parsing, content type, size) as one of our errors. */
export function fvErrorOfHttp(error: { statusCode?: number; code?: string }): FvError {
  switch (error.statusCode) {
    case 400:
      return new FvError(error.code === INVALID_JSON_CODE ? 'InvalidJson' : 'BadRequest');
    case 413:
      return new FvError('PayloadTooLarge');
    case 415:
      return new FvError('UnsupportedMediaType');
    default:
      return new FvError(
        error.statusCode !== undefined && error.statusCode < 500 ? 'BadRequest' : 'InternalError',
      );
  }
}

/** The `code` of the error the hub's JSON body parser raises for a body that is not JSON. */
export const INVALID_JSON_CODE = 'LINEUP_INVALID_JSON';
