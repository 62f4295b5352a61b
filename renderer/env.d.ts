/// <reference types="vite/client" />

// Vite (and Node 20.11+) provide the directory of the config file.
interface ImportMeta {
  readonly dirname: string;
}
