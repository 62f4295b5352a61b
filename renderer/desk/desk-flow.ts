// The desk's flow as pure rules: which step comes next and when "Done" may be pressed.
import type { Customer } from '../../shared/domain/entities.js';
import { canTransition } from '../../shared/domain/lifecycle.js';

export type Action = 'callNext' | 'recall' | 'startServing' | 'finish' | 'noShow';

/** Done is one press from Called when the store lets desks skip "Start serving". */
export function canFinish(customer: Customer, finishFromCalled: boolean): boolean {
  return (
    canTransition(customer.state, 'finish') || (finishFromCalled && customer.state === 'called')
  );
}

/** The one obvious button for where the desk is: call, then start (unless skipped), then done. */
export function nextStep(current: Customer | null, finishFromCalled: boolean): Action {
  if (current === null) return 'callNext';
  if (current.state === 'called' && !finishFromCalled) return 'startServing';
  return 'finish';
}
