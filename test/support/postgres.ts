// A throw-away Postgres cluster for tests: initdb in a fresh temp dir, pg_ctl start on a free
// loopback port (its unix socket in the temp dir too), one database per suite on demand, stopped
// and removed at the end (also when a run fails or the process exits). Postgres refuses to run
// as root, so when we are root its binaries run as the `postgres` user (runuser).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const APT_PACKAGE = 'postgresql';

/** The directory holding initdb and pg_ctl: `pg_config --bindir`, else the newest Debian one. */
export function postgresBinDir(): string {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (has(dir)) return dir;
  } catch {
    // No pg_config: look where Debian puts the server.
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const dir = join(root, v, 'bin');
    if (has(dir)) return dir;
  }
  throw new Error(
    `No Postgres server found (initdb/pg_ctl): install the Debian package "${APT_PACKAGE}" ` +
      `(apt-get install ${APT_PACKAGE}); .ci/run installs it.`,
  );
}

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

export interface PgCluster {
  /** The superuser's URL for database `db` (default `postgres`). */
  url(db?: string): string;
  /** Creates a fresh empty database and returns its URL. */
  createDatabase(prefix?: string): string;
  /** `pg_ctl restart` (fast shutdown): every connection is dropped, then the server is back. */
  restart(): void;
  stop(): void;
}

const asRoot = userInfo().uid === 0;

/** Runs a Postgres binary as the `postgres` user when we are root; throws with its output. */
function runPg(bin: string, args: string[]): void {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`${bin} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  }
}

/**
 * Starts a new cluster; `stop()` (or the process exiting) stops it and removes its files.
 * `durable`: commits wait for the disk as in production (fsync, synchronous_commit); tests
 * leave it off (the cluster is thrown away), benches of durable writes turn it on.
 */
export async function startPostgres(options: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'lineup-pg-'));
  const data = join(dir, 'data');
  if (asRoot) chownSync(dir, ...postgresIds());
  const port = await freePort();
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    try {
      if (existsSync(join(data, 'postmaster.pid'))) {
        runPg(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.on('exit', stop);
  try {
    runPg(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    // Loopback and our own socket dir only.
    const durability = options.durable
      ? []
      : [`fsync = off`, `synchronous_commit = off`, `full_page_writes = off`];
    writeFileSync(
      join(data, 'postgresql.auto.conf'),
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${dir}'`,
        ...durability,
        `max_connections = 200`,
        '',
      ].join('\n'),
    );
    if (asRoot) chownSync(join(data, 'postgresql.auto.conf'), ...postgresIds());
    runPg(join(bin, 'pg_ctl'), ['start', '-D', data, '-w', '-l', join(dir, 'server.log')]);
  } catch (error) {
    stop();
    throw error;
  }
  const url = (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let made = 0;
  return {
    url,
    createDatabase(prefix = 'test') {
      const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${++made}`;
      return createDatabaseSync(url(), name);
    },
    restart() {
      runPg(join(bin, 'pg_ctl'), [
        'restart',
        '-D',
        data,
        '-m',
        'fast',
        '-w',
        '-l',
        join(dir, 'server.log'),
      ]);
    },
    stop,
  };
}

/** Creates database `name` on the cluster at `adminUrl` (synchronously) and returns its URL. */
export function createDatabaseSync(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  const r = spawnSync(
    join(postgresBinDir(), 'createdb'),
    ['-h', url.hostname, '-p', url.port, '-U', url.username || 'postgres', name],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (r.status !== 0) throw new Error(`createdb ${name} failed: ${r.stderr}${r.stdout}`);
  url.pathname = `/${name}`;
  return url.toString();
}

function postgresIds(): [number, number] {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return [uid, gid];
}
