// Picks the face from what the runtime says this device is. Unknown or broken devices show the
// technician view with the reason; `#technician`, Ctrl+Shift+T or a 3-second press on the top
// corner opens it on any role (installers need it on a kiosk without a keyboard).
import { useEffect, useRef, useState } from 'react';
import type { ApplianceState } from '../shared/api/appliance-api.js';
import { useApplianceState, useBridgeStatus } from './api/use-appliance.js';
import { brandStyle, templateClass } from './common/brand.js';
import { useDocumentLanguage } from './common/document-language.js';
import { DeskView } from './desk/desk-view.js';
import { tr } from './i18n/index.js';
import { KioskView } from './kiosk/kiosk-view.js';
import { ScreenView } from './screen/screen-view.js';
import { TechnicianView } from './technician/technician-view.js';

export type Face = 'booting' | 'technician' | 'kiosk' | 'desk' | 'screen';

export function faceFor(state: ApplianceState | null, technicianRequested: boolean): Face {
  if (state === null || state.phase === 'booting') return 'booting';
  if (technicianRequested || state.phase !== 'ready' || state.store === null) return 'technician';
  switch (state.identity.role) {
    case 'machine':
      return 'kiosk';
    case 'desk':
      return 'desk';
    case 'screen':
      return 'screen';
    default:
      return 'technician';
  }
}

function useTechnicianToggle(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => window.location.hash === '#technician');
  useEffect(() => {
    const onHash = () => setOn(window.location.hash === '#technician');
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey && e.shiftKey && e.key.toLowerCase() === 't') {
        e.preventDefault();
        window.location.hash = window.location.hash === '#technician' ? '' : '#technician';
      }
    };
    window.addEventListener('hashchange', onHash);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('hashchange', onHash);
      window.removeEventListener('keydown', onKey);
    };
  }, []);
  const set = (next: boolean) => {
    window.location.hash = next ? '#technician' : '';
    setOn(next);
  };
  return [on, set];
}

/** An invisible corner: holding it for 3 s opens the technician view. */
function LongPressCorner({ onLongPress }: { onLongPress: () => void }) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  };
  return (
    <div
      className="tech-corner"
      aria-hidden="true"
      onPointerDown={() => {
        cancel();
        timer.current = setTimeout(onLongPress, 3000);
      }}
      onPointerUp={cancel}
      onPointerLeave={cancel}
      onPointerCancel={cancel}
    />
  );
}

function Booting({ lang }: { lang: string }) {
  useDocumentLanguage(lang);
  return (
    <main className="booting" aria-busy="true">
      <p>{tr(lang, 'app.connecting')}</p>
    </main>
  );
}

export function App() {
  const state = useApplianceState();
  const bridge = useBridgeStatus();
  const [technician, setTechnician] = useTechnicianToggle();
  const face = faceFor(state, technician);
  const snapshot = state?.store ?? null;
  const style = brandStyle(snapshot?.organization);
  const template = templateClass(snapshot?.store.cssTemplate);
  const lang = snapshot?.store.langs[0] ?? 'EN';

  let view;
  if (state === null || face === 'booting') {
    view = <Booting lang={lang} />;
  } else if (face === 'technician') {
    view = (
      <TechnicianView
        state={state}
        onClose={technician && state.phase === 'ready' ? () => setTechnician(false) : null}
      />
    );
  } else if (face === 'kiosk') {
    view = <KioskView state={state} />;
  } else if (face === 'desk') {
    view = <DeskView state={state} />;
  } else {
    view = <ScreenView state={state} />;
  }
  return (
    <div
      className={`app face-${face} ${template}`}
      style={style}
      data-face={face}
      data-bridge={bridge}
    >
      {view}
      {face !== 'technician' && face !== 'booting' && (
        <LongPressCorner onLongPress={() => setTechnician(true)} />
      )}
      {bridge !== 'open' && state !== null && (
        <p className="bridge-lost" role="status">
          {tr(lang, 'app.bridgeLost')}
        </p>
      )}
    </div>
  );
}
