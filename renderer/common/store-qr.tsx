// "Join from your phone": a QR of the store's join page (HUB/q/STORE) with its caption, on the
// kiosk's home and the screen. Only when the store takes phone tickets. Kept while the device is
// offline: the link goes to the hub, which a phone on the mobile network can still reach.
import type { ApplianceState } from '../../shared/api/appliance-api.js';
import { storeJoinUrl } from '../../shared/protocol/ticket-page.js';
import { tr } from '../i18n/index.js';
import { useQr } from './use-qr.js';

export function StoreQr({ state, lang }: { state: ApplianceState; lang: string }) {
  const store = state.store?.store;
  const url = store === undefined ? null : storeJoinUrl(state.identity.hubUrl, store);
  return url === null ? null : <StoreQrImage url={url} lang={lang} />;
}

function StoreQrImage({ url, lang }: { url: string; lang: string }) {
  const image = useQr(url, 240);
  const caption = tr(lang, 'phone.storeQr');
  return (
    <figure className="store-qr" data-testid="store-qr" data-url={url}>
      <figcaption>{caption}</figcaption>
      {image !== null && <img src={image} alt={caption} width={120} height={120} />}
    </figure>
  );
}
