// Damaged and busy databases, on real SQLite files (and a real second process for the lock):
// a bad row is set aside and reported, a lock is waited for then reported (never "damage"), and
// a file set aside gives back what it still holds: credential, unsent commands, block usage.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/common/logger.js';
import { openDatabase } from '../../../main/local-db/database.js';
import { LocalDb } from '../../../main/local-db/local-db.js';
import { openLocalDb } from '../../../main/local-db/open-local-db.js';
import { damageHeader, damageTable } from '../../support/damage-db.js';
import {
  anonymousRegister,
  DAY,
  hubCustomer,
  machine,
  machineBlock,
  snapshot,
} from './runtime-seam.js';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lineup-damaged-'));
  dirs.push(d);
  return d;
};
const log = createLogger({ quiet: true });
const credential = { deviceId: machine.id, token: 'k'.repeat(32) };
const block = machineBlock('b1', 1, 20);
const hubUrl = 'http://hub.test';

/** A provisioned kiosk's database with 3 offline tickets from block b1, closed cleanly. */
function kioskWithOfflineTickets(dir: string): string[] {
  const opened = openLocalDb(dir, log);
  if (opened.db === null) throw new Error(opened.problem);
  const db = opened.db;
  db.saveConfig({ hubUrl, device: machine, credential, savedAt: DAY });
  db.applySnapshot({ ...snapshot, blocks: [block] });
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1)
    db.issueLocalTicket(block, (n, arrival) => {
      const customer = { ...hubCustomer(`off${n}`, n), arrivalSeq: arrival };
      ids.push(customer.id);
      return {
        customer,
        envelope: {
          id: crypto.randomUUID(),
          issuedAt: DAY + 'T09:00:00.000Z',
          type: 'register_from_block',
          payload: {
            ...anonymousRegister,
            customerId: customer.id,
            blockId: block.id,
            ticketNumber: n,
            issuedAt: DAY + 'T09:00:00.000Z',
          },
        },
      };
    });
  db.close();
  return ids;
}

describe('a damaged row', () => {
  it('is set aside and reported; the other customers stay', () => {
    const dir = temp();
    const path = join(dir, 'lineup.db');
    const db = new LocalDb(openDatabase(path).db);
    db.applySnapshot({
      ...snapshot,
      customers: [hubCustomer('good1', 1), hubCustomer('good2', 2)],
    });
    db.close();
    const raw = openDatabase(path).db;
    raw.prepare(`UPDATE entities SET body = '{"id": "good1", trunc' WHERE id = 'good1'`).run();
    raw.close();

    const reports: string[] = [];
    const again = new LocalDb(openDatabase(path).db, { report: (m) => reports.push(m) });
    expect(again.customers().map((c) => c.id)).toEqual(['good2']);
    expect(reports).toEqual([
      'A damaged customer row (good1) in the local database was set aside: not valid JSON. The rest is kept.',
    ]);
    expect(again.setAside.count()).toBe(1);
    // Reported once: the row is out of the way for good.
    expect(new LocalDb(openDatabase(path).db).customers().map((c) => c.id)).toEqual(['good2']);
    again.close();
  });
});

describe('a database another program holds locked at boot', () => {
  it('is waited for and reported, never set aside; it opens once the lock is gone', async () => {
    const dir = temp();
    const path = join(dir, 'lineup.db');
    const db = new LocalDb(openDatabase(path).db);
    db.applySnapshot(snapshot);
    db.close();
    // A real second process takes an exclusive lock and keeps it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(path)});
         db.pragma('locking_mode = EXCLUSIVE'); db.exec('BEGIN EXCLUSIVE');
         db.prepare("INSERT OR REPLACE INTO config (key, value) VALUES ('x', 'y')").run();
         process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(holder);
    await new Promise<void>((ok) => holder.stdout?.once('data', () => ok()));

    const opened = openLocalDb(dir, log, () => undefined, 300);
    expect(opened.db).toBeNull();
    expect(opened.problem).toMatch(/^The local database is in use by another program: /);
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);

    holder.kill('SIGKILL');
    await new Promise((ok) => holder.once('exit', ok));
    const later = openLocalDb(dir, log);
    expect(later.problem).toBeNull();
    expect(later.db?.cursor()?.position).toEqual(snapshot.position);
    later.db?.close();
  });
});

describe('a read-only database file', () => {
  it('is reported plainly and left where it is', () => {
    const dir = temp();
    kioskWithOfflineTickets(dir);
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'lineup.db'), 0o444);
    // Root writes through file modes: open it as an unprivileged user in a real process.
    const asUser =
      process.getuid?.() === 0
        ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath]
        : [process.execPath];
    const script = `import('./main/local-db/open-local-db.ts').then(async (m) => {
      const { createLogger } = await import('./main/common/logger.ts');
      const o = m.openLocalDb(${JSON.stringify(dir)}, createLogger({ quiet: true }));
      process.stdout.write(JSON.stringify({ problem: o.problem }));
    })`;
    const run = spawnSync(
      asUser[0] as string,
      [...asUser.slice(1), '--import', 'tsx', '-e', script],
      {
        encoding: 'utf8',
        env: { ...process.env, HOME: dir },
      },
    );
    const { problem } = JSON.parse(run.stdout) as { problem: string | null };
    expect(problem).toMatch(/^The local database is read-only: .*lineup\.db cannot be written/);
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
  });
});

describe('a database set aside as damaged', () => {
  it('gives back its credential, unsent tickets and block usage: no number is issued twice', () => {
    const dir = temp();
    const ids = kioskWithOfflineTickets(dir);
    damageTable(join(dir, 'lineup.db'), 'announced');

    const opened = openLocalDb(dir, log);
    const db = opened.db;
    if (db === null) throw new Error(opened.problem);
    expect(opened.notice).toMatch(/set aside as .*lineup\.db\.corrupt-/);
    expect(opened.notice).toContain('3 unsent command(s)');
    expect(db.loadConfig().config?.credential).toEqual(credential);
    expect(
      db
        .outbox()
        .map((e) => e.envelope.type === 'register_from_block' && e.envelope.payload.customerId),
    ).toEqual(ids);
    expect(
      db
        .customers()
        .map((c) => c.id)
        .sort(),
    ).toEqual([...ids].sort());
    // The next offline ticket continues the block where it was.
    expect(db.usableBlocks(machine.id, 'svc-a', DAY, 'A')[0]?.left).toBe(17);
    db.close();
  });

  it('unreadable: the credential comes from credential.json (0600) and held blocks are burned', () => {
    const dir = temp();
    kioskWithOfflineTickets(dir);
    expect(statSync(join(dir, 'credential.json')).mode & 0o777).toBe(0o600);
    // Garbage over the whole header: nothing can be read from the file.
    const path = join(dir, 'lineup.db');
    damageHeader(path);

    const opened = openLocalDb(dir, log);
    const db = opened.db;
    if (db === null) throw new Error(opened.problem);
    expect(opened.notice).toContain('ticket blocks held now will not be used');
    expect(db.loadConfig().config).toBeNull();
    expect(db.savedCredential(hubUrl)).toEqual(credential);
    expect(db.savedCredential('http://another.hub')).toBeNull();
    // The hub's snapshot says block b1 is ours: its numbers may have been handed out, so none
    // is used again; a block reserved afterwards is used normally.
    db.applySnapshot({ ...snapshot, blocks: [block] });
    expect(db.usableBlocks(machine.id, 'svc-a', DAY, 'A')).toEqual([]);
    db.putBlock({ ...block, id: 'b2', first: 21, last: 40 }, snapshot.position);
    expect(db.usableBlocks(machine.id, 'svc-a', DAY, 'A').map((b) => b.block.id)).toEqual(['b2']);
    expect(existsSync(path)).toBe(true);
    db.close();
  });
});
