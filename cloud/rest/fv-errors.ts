// FileVirtuelle v2 errors: the documented ones word for word (from the adapter), plus two of
// ours in the same shape, since the document names no body for a malformed search or
// projection.
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
} as const;

export type FvErrorName = DocumentedName | keyof typeof OURS;

const ALL: Record<FvErrorName, { code: number; message: string }> = { ...DOCUMENTED, ...OURS };

export interface FvErrorBody {
  code: number;
  error: FvErrorName;
  message: string;
}

export function fvErrorBody(name: FvErrorName): FvErrorBody {
  return { code: ALL[name].code, error: name, message: ALL[name].message };
}

/** Thrown by a route; the error handler sends its documented status and body. */
export class FvError extends Error {
  constructor(readonly fv: FvErrorName) {
    super(ALL[fv].message);
    this.name = 'FvError';
  }
  get status(): number {
    return ALL[this.fv].code;
  }
  body(): FvErrorBody {
    return fvErrorBody(this.fv);
  }
}
