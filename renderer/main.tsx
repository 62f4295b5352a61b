// Entry point: connect to the runtime (Electron preload or localhost WebSocket) and render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { getConnection, MissingBridgeError } from './api/get-api.js';
import { ApplianceProvider, createApplianceStore } from './api/use-appliance.js';
import './styles/app.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
try {
  const store = createApplianceStore(getConnection());
  root.render(
    <StrictMode>
      <ApplianceProvider store={store}>
        <App />
      </ApplianceProvider>
    </StrictMode>,
  );
} catch (error) {
  const message = error instanceof MissingBridgeError ? error.message : String(error);
  root.render(
    <main className="booting">
      <p role="alert">{message}</p>
    </main>,
  );
}
