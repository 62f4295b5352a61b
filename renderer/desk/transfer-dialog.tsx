// Send the current customer to another service (back into that queue) or to another desk.
import type { Customer } from '../../shared/domain/entities.js';
import type { StoreSnapshot } from '../../shared/protocol/sync.js';
import { localText, tr } from '../i18n/index.js';
import { Modal } from './confirm-dialog.js';

export function TransferDialog({
  lang,
  customer,
  snapshot,
  deskId,
  onClose,
  onTransfer,
}: {
  lang: string;
  customer: Customer;
  snapshot: StoreSnapshot;
  deskId: string;
  onClose: () => void;
  onTransfer: (target: { toServiceId: string } | { toDeskId: string }) => void;
}) {
  const langs = snapshot.store.langs;
  const services = snapshot.services
    .filter((s) => s.childIds.length === 0 && s.id !== customer.serviceId && !s.appointment)
    .sort((a, b) => a.deskOrder - b.deskOrder || a.id.localeCompare(b.id));
  const desks = snapshot.devices
    .filter((d) => d.role === 'desk' && d.id !== deskId)
    .sort((a, b) => a.name.localeCompare(b.name));
  return (
    <Modal
      title={tr(lang, 'desk.transferTitle', { ticket: customer.ticket })}
      onClose={onClose}
      className="transfer-dialog"
    >
      <div className="transfer-columns">
        <section aria-labelledby="transfer-services">
          <h3 id="transfer-services">{tr(lang, 'desk.toService')}</h3>
          <p className="transfer-hint" id="transfer-services-hint">
            {tr(lang, 'desk.transferServiceHint')}
          </p>
          <ul className="transfer-list">
            {services.map((s) => (
              <li key={s.id}>
                <button
                  type="button"
                  className="btn btn-secondary btn-block"
                  aria-describedby="transfer-services-hint"
                  onClick={() => onTransfer({ toServiceId: s.id })}
                >
                  {localText(s.name, lang, langs)}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="transfer-desks">
          <h3 id="transfer-desks">{tr(lang, 'desk.toDesk')}</h3>
          {/* A transfer never calls: the customer waits in that desk's list until it calls. */}
          <p className="transfer-hint" id="transfer-desks-hint">
            {tr(lang, 'desk.transferDeskHint')}
          </p>
          <ul className="transfer-list">
            {desks.map((d) => (
              <li key={d.id}>
                <button
                  type="button"
                  className="btn btn-secondary btn-block"
                  disabled={!d.status.open}
                  aria-describedby="transfer-desks-hint"
                  onClick={() => onTransfer({ toDeskId: d.id })}
                >
                  {d.name}
                  {!d.status.open && ` (${tr(lang, 'desk.statusClosed')})`}
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div className="modal-actions">
        <button type="button" className="btn btn-secondary btn-large" onClick={onClose}>
          {tr(lang, 'common.cancel')}
        </button>
      </div>
    </Modal>
  );
}
