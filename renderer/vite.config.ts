import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Paths are resolved from this file (not the cwd) so any caller can build it. Relative base:
// the runtime serves dist/renderer from its own origin and Electron may load it from a file URL.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
