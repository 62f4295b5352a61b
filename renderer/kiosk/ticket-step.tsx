// The confirmation: the number large enough to read from a step back, the service, the people
// before and the wait, and what to do when the ticket could not be printed.
import type { MethodResult } from '../../shared/api/appliance-api.js';
import type { StoreSnapshot } from '../../shared/protocol/sync.js';
import { waitText } from '../../shared/i18n/index.js';
import { localText, tr } from '../i18n/index.js';
import { waitAdvice } from './wait-advice.js';

export type TicketResult = MethodResult<'register'>;

export function TicketStep({
  lang,
  snapshot,
  result,
  secondsLeft,
  onDone,
}: {
  lang: string;
  snapshot: StoreSnapshot;
  result: TicketResult;
  secondsLeft: number;
  onDone: () => void;
}) {
  const { customer, print } = result;
  const service = snapshot.services.find((s) => s.id === customer.serviceId);
  const serviceName =
    service === undefined ? '' : localText(service.name, lang, snapshot.store.langs);
  return (
    <section
      className="kiosk-ticket"
      aria-labelledby="ticket-title"
      data-testid="ticket-confirmation"
    >
      <h2 id="ticket-title">{tr(lang, 'ticket.yourNumber')}</h2>
      <p className="ticket-number" data-testid="ticket-number">
        {customer.ticket}
      </p>
      <p className="ticket-service">{serviceName}</p>
      <dl className="ticket-facts">
        <div>
          <dt>{tr(lang, 'kiosk.peopleBeforeLabel')}</dt>
          <dd data-testid="people-before">{result.peopleBefore}</dd>
        </div>
        <div>
          <dt>{tr(lang, 'kiosk.waitLabel')}</dt>
          <dd data-testid="wait-minutes">
            {waitText(lang, result.peopleBefore, result.waitMinutes)}
          </dd>
        </div>
      </dl>
      {customer.pager !== null && (
        <p className="banner banner-info" data-testid="ticket-pager">
          {tr(lang, 'kiosk.keepPager', { pager: customer.pager })}
        </p>
      )}
      {print.printed ? (
        <p className="banner banner-ok" data-testid="print-status" data-printed="true">
          <span aria-hidden="true">⬇ </span>
          {tr(lang, 'kiosk.takeTicket')}
        </p>
      ) : (
        <div
          className="banner banner-error"
          role="alert"
          data-testid="print-status"
          data-printed="false"
        >
          <p>
            <strong>{tr(lang, 'kiosk.notPrinted')}</strong>
          </p>
          <p>{tr(lang, 'kiosk.printerProblem', { ticket: customer.ticket })}</p>
        </div>
      )}
      {result.offline && <p className="note">{tr(lang, 'kiosk.offlineTicket')}</p>}
      <p className="lead">{tr(lang, waitAdvice(customer))}</p>
      <button type="button" className="btn btn-primary btn-huge" onClick={onDone}>
        {tr(lang, 'kiosk.done')} ({secondsLeft})
      </button>
    </section>
  );
}
