import type { Refusal, RefusalCode } from '../../shared/protocol/sync.js';

/** A typed refusal thrown inside a command; the transaction rolls back and the ack carries it. */
export class Refused extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
  toRefusal(): Refusal {
    return { code: this.code, message: this.message };
  }
}

export const refuse = (code: RefusalCode, message: string): never => {
  throw new Refused(code, message);
};
