// One level of the service tree: the parent's header / subheader, then a big button per service
// with its (sanitized) html name or plain name and its subtitle.
import type { Service } from '../../shared/domain/entities.js';
import type { StoreSnapshot } from '../../shared/protocol/sync.js';
import { Chevron } from '../common/chevron.js';
import { HtmlText } from '../common/html-text.js';
import { localText, tr } from '../i18n/index.js';
import { BackButton } from './back-button.js';
import { isMenu, servicesAt } from './services.js';

export function ServiceStep({
  snapshot,
  machineId,
  lang,
  path,
  onPick,
  onBack,
}: {
  snapshot: StoreSnapshot;
  machineId: string | null;
  lang: string;
  path: string[];
  onPick: (service: Service) => void;
  onBack: (() => void) | null;
}) {
  const fallbacks = snapshot.store.langs;
  const parent = snapshot.services.find((s) => s.id === path.at(-1));
  const services = servicesAt(snapshot, path, machineId);
  const header = parent === undefined ? '' : localText(parent.header, lang, fallbacks);
  const subheader = parent === undefined ? '' : localText(parent.subheader, lang, fallbacks);
  const title =
    header !== ''
      ? header
      : parent !== undefined
        ? localText(parent.name, lang, fallbacks)
        : tr(lang, 'kiosk.chooseService');
  return (
    <section className="kiosk-services" aria-labelledby="services-title">
      <h2 id="services-title">{title}</h2>
      <p className="lead subheader">
        {subheader !== '' ? subheader : parent === undefined ? tr(lang, 'kiosk.tapService') : ''}
      </p>
      {services.length === 0 ? (
        <p className="empty">{tr(lang, 'kiosk.noService')}</p>
      ) : (
        <ul className="service-list">
          {services.map((service) => {
            const html = localText(service.htmlName, lang, fallbacks);
            const name = localText(service.name, lang, fallbacks);
            const subtitle = localText(service.subtitle, lang, fallbacks);
            return (
              <li key={service.id}>
                <button
                  type="button"
                  className={`service-btn${service.prm ? ' service-prm' : ''}`}
                  data-service-id={service.id}
                  onClick={() => onPick(service)}
                >
                  <span className="service-name">
                    {html !== '' ? <HtmlText html={html} /> : name}
                  </span>
                  {subtitle !== '' && <span className="service-subtitle">{subtitle}</span>}
                  {service.prm && (
                    <span className="service-badge" aria-hidden="true">
                      ♿
                    </span>
                  )}
                  {isMenu(service) && (
                    <span className="service-chevron" aria-hidden="true">
                      <Chevron to="forward" />
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="step-actions">
        {onBack !== null && <BackButton lang={lang} onClick={onBack} />}
      </div>
    </section>
  );
}
