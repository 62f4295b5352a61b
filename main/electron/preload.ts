// The only door from the page to the runtime in Electron: `window.lineup`, the same ApplianceApi
// the browser builds over the WebSocket (shared/api/client.ts), here over IPC. Bundled to one
// CommonJS file because sandboxed preloads cannot load modules.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from '../../shared/api/appliance-api.js';
import { createApplianceClient } from '../../shared/api/client.js';

type Answer = { result: unknown } | { error: unknown };

const api = createApplianceClient({
  async invoke(method, params) {
    const answer = (await ipcRenderer.invoke(IPC_INVOKE_CHANNEL, { method, params })) as Answer;
    if ('error' in answer) throw answer.error;
    return answer.result;
  },
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
});

// One function per capability; nothing else of Electron reaches the page.
contextBridge.exposeInMainWorld('lineup', { ...api });
