// The desk's own status: open, pause (for how long, and for how long already), pre-close,
// close, close with redirect. Closing asks first when the desk is set to `ask_before_closing`.
import { useState } from 'react';
import type { Device } from '../../shared/domain/entities.js';
import type { DeskStatusChange } from '../../shared/protocol/sync.js';
import { formatTime, minutesBetween, tr, type UiKey } from '../i18n/index.js';
import { ConfirmDialog } from './confirm-dialog.js';

const PAUSES = [5, 10, 15, 30, 60];

type StatusKey =
  | 'desk.statusOpen'
  | 'desk.statusPaused'
  | 'desk.statusPreClosed'
  | 'desk.statusClosed'
  | 'desk.statusRedirected';

const WILL: Record<StatusKey, UiKey> = {
  'desk.statusOpen': 'desk.willOpen',
  'desk.statusPaused': 'desk.willPaused',
  'desk.statusPreClosed': 'desk.willPreClosed',
  'desk.statusClosed': 'desk.willClosed',
  'desk.statusRedirected': 'desk.willRedirected',
};

export function deskStatusKey(desk: Device): StatusKey {
  const s = desk.status;
  if (!s.open) return s.redirect ? 'desk.statusRedirected' : 'desk.statusClosed';
  if (s.redirect) return 'desk.statusRedirected';
  if (s.pause) return 'desk.statusPaused';
  if (s.preClose) return 'desk.statusPreClosed';
  return 'desk.statusOpen';
}

/** What happens at the desk in its current status. */
function willText(desk: Device, lang: string, timeZone: string): string {
  const key = deskStatusKey(desk);
  if (key === 'desk.statusPaused') {
    const { since, minutes } = desk.pause;
    if (since !== null && minutes > 0) {
      const back = new Date(Date.parse(since) + minutes * 60_000).toISOString();
      return tr(lang, 'desk.willPausedUntil', { time: formatTime(back, lang, timeZone) });
    }
    return tr(lang, 'desk.willPaused');
  }
  return tr(lang, WILL[key]);
}

export function DeskStatusPanel({
  desk,
  lang,
  timeZone,
  now,
  disabled,
  onChange,
}: {
  desk: Device;
  lang: string;
  /** The store's: a pause ends at a time of the store's clock. */
  timeZone: string;
  now: Date;
  disabled: boolean;
  onChange: (status: DeskStatusChange, pauseMinutes?: number) => void;
}) {
  const [pausePicker, setPausePicker] = useState(false);
  const [confirm, setConfirm] = useState<DeskStatusChange | null>(null);
  const s = desk.status;
  const paused = s.open && s.pause;
  const since = desk.pause.since;
  const elapsed = since === null ? 0 : minutesBetween(since, now);
  const closing = (status: DeskStatusChange) => {
    if (desk.askBeforeClosing) setConfirm(status);
    else onChange(status);
  };
  const key = deskStatusKey(desk);
  return (
    <section className="desk-status" aria-labelledby="status-title">
      <h2 id="status-title" className="visually-hidden">
        {tr(lang, 'desk.statusTitle')}
      </h2>
      <p
        className={`status-pill status-${key.replace('desk.status', '').toLowerCase()}`}
        data-testid="desk-status"
      >
        {tr(lang, key)}
        {paused &&
          ` · ${desk.pause.minutes > 0 ? tr(lang, 'desk.pausedFor', { elapsed, minutes: desk.pause.minutes }) : tr(lang, 'desk.pausedSince', { elapsed })}`}
      </p>
      {/* What the desk does now, in a sentence: the status alone does not say it. */}
      <p className="status-hint" data-testid="desk-status-hint" aria-live="polite">
        {pausePicker && s.open && !s.pause
          ? tr(lang, 'desk.willPickPause')
          : willText(desk, lang, timeZone)}
      </p>
      {!pausePicker && (
        <div className="status-actions">
          <button
            type="button"
            className="btn btn-secondary"
            disabled={disabled || (s.open && !s.pause && !s.preClose && !s.redirect)}
            onClick={() => onChange('open')}
          >
            {tr(lang, 'desk.open')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={disabled || !s.open}
            aria-expanded={pausePicker}
            onClick={() => setPausePicker(!pausePicker)}
          >
            {tr(lang, 'desk.pause')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={disabled || !s.open || s.preClose}
            onClick={() => onChange('pre_close')}
          >
            {tr(lang, 'desk.preClose')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={disabled || (!s.open && !s.redirect)}
            onClick={() => closing('close')}
          >
            {tr(lang, 'desk.close')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={disabled || s.redirect}
            onClick={() => closing('close_redirect')}
          >
            {tr(lang, 'desk.closeRedirect')}
          </button>
        </div>
      )}
      {pausePicker && (
        <div className="pause-picker" role="group" aria-label={tr(lang, 'desk.pauseHowLong')}>
          {PAUSES.map((m) => (
            <button
              key={m}
              type="button"
              className="btn btn-secondary"
              disabled={disabled}
              onClick={() => {
                setPausePicker(false);
                onChange('pause', m);
              }}
            >
              {tr(lang, 'desk.pauseFor', { minutes: m })}
            </button>
          ))}
          <button type="button" className="btn btn-secondary" onClick={() => setPausePicker(false)}>
            {tr(lang, 'common.cancel')}
          </button>
        </div>
      )}
      {confirm !== null && (
        <ConfirmDialog
          title={tr(lang, confirm === 'close' ? 'desk.confirmClose' : 'desk.confirmCloseRedirect')}
          confirmLabel={tr(lang, confirm === 'close' ? 'desk.close' : 'desk.closeRedirect')}
          cancelLabel={tr(lang, 'common.cancel')}
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const status = confirm;
            setConfirm(null);
            onChange(status);
          }}
        />
      )}
    </section>
  );
}
