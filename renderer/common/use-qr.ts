// A QR code of some text as a data: URL (null until drawn), for <img>.
import { toDataURL } from 'qrcode';
import { useEffect, useState } from 'react';

export function useQr(text: string, width = 320): string | null {
  const [url, setUrl] = useState<{ text: string; url: string } | null>(null);
  useEffect(() => {
    let live = true;
    toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width }).then(
      (u) => live && setUrl({ text, url: u }),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [text, width]);
  return url?.text === text ? url.url : null;
}
