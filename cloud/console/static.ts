// The hub console's web app (built from renderer/console to dist/console), served at `/`.
// Only the files the build made get a route (no wildcard), so the console can never shadow
// another hub route (/api/public/v2, /provision, /q/…, /console/api…): it uses hash routing
// and the hub serves nothing but `/` and its assets. Hashed assets are cached for a year;
// index.html is never cached, so a new build reaches browsers on their next load.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const here = dirname(fileURLToPath(import.meta.url));

/** dist/console from the sources (cloud/console) or from the compiled hub (dist/cloud/console). */
export function consoleDir(): string | null {
  const candidates = [
    process.env.LINEUP_CONSOLE_DIR,
    join(here, '..', '..', 'dist', 'console'),
    join(here, '..', '..', 'console'),
  ];
  for (const dir of candidates)
    if (dir !== undefined && dir !== '' && existsSync(join(dir, 'index.html'))) return dir;
  return null;
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lineup console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The Lineup console is not built</h1>
<p>This hub is running, but the web console has not been built on this machine.</p>
<p>Build it with <code>npm run build:console</code> (or <code>npm run build</code>) in the Lineup
checkout, then restart the hub.</p>
</body></html>`;

const YEAR_SECONDS = 365 * 24 * 3600;

export async function registerConsoleStatic(
  app: FastifyInstance,
  root: string | null = consoleDir(),
): Promise<void> {
  if (root === null) {
    app.get('/', async (_request, reply) =>
      reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(NOT_BUILT_PAGE),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    cacheControl: false,
    decorateReply: false,
    setHeaders: (reply, path) => {
      const hashed = path.startsWith(join(root, 'assets'));
      reply.header(
        'cache-control',
        hashed ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache',
      );
      reply.header('x-content-type-options', 'nosniff');
    },
  });
}
