// The kiosk's one "Back" button: every step that can go back shows the same large button.
import { Chevron } from '../common/chevron.js';
import { tr } from '../i18n/index.js';

export function BackButton({
  lang,
  onClick,
  disabled = false,
}: {
  lang: string;
  onClick: () => void;
  disabled?: boolean;
}) {
  return (
    <button
      type="button"
      className="btn btn-secondary btn-large"
      onClick={onClick}
      disabled={disabled}
    >
      <Chevron to="back" className="back-chevron" />
      {tr(lang, 'common.back')}
    </button>
  );
}
