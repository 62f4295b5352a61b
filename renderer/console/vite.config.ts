import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The hub console: its own entry, built to dist/console, which the hub serves at `/`
// (cloud/console/static.ts). Paths resolve from this file so any caller can build it.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  publicDir: '../public',
  plugins: [react()],
  build: {
    outDir: '../../dist/console',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
});
