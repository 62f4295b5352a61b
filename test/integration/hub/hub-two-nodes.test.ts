// Two `lineup-hub serve` processes on one Postgres database, devices spread over both: a seeded
// concurrent workload of registers and calls through both nodes keeps every invariant of one hub
// (no customer called twice, no number issued twice per store and day, a gapless log), a command
// retried through the other node gets its first answer (also when sent to both at once), and
// ticket blocks reserved through both nodes at once never overlap. Postgres only: two SQLite hubs
// on one file are not a supported setup.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Change, CommandResult, TicketBlock } from '../../../shared/protocol/sync.js';
import { HUB_ENGINE } from '../../support/hub-engine.js';
import { envelope, removeDir, startHubProcess, tempDataDir } from './harness.js';
import {
  LEAF_SERVICES,
  checkInvariants,
  connectFleet,
  opArb,
  settledPulls,
  runOps,
  seedFleet,
} from './workload.js';

const KIOSKS = 4;
const DESKS = 6;

/** Blocks of one prefix and day that share a number. */
function overlaps(changes: readonly Change[]): string[] {
  const blocks: TicketBlock[] = changes.flatMap((c) =>
    c.entity.kind === 'block' ? [c.entity.block] : [],
  );
  const broken: string[] = [];
  blocks.forEach((a, i) =>
    blocks.slice(i + 1).forEach((b) => {
      const same = a.ticketPrefix === b.ticketPrefix && a.ticketDay === b.ticketDay;
      if (same && a.first <= b.last && b.first <= a.last) {
        broken.push(
          `blocks ${a.id} and ${b.id} overlap (${a.first}-${a.last}, ${b.first}-${b.last})`,
        );
      }
    }),
  );
  return broken;
}

describe.skipIf(HUB_ENGINE !== 'postgres')('two hub nodes on one Postgres database', () => {
  it('keep one store exclusive, gapless and idempotent across nodes (seeded)', async () => {
    const dir = tempDataDir();
    const fleet = await seedFleet(dir, KIOSKS, DESKS);
    const nodes = await Promise.all([startHubProcess(dir), startHubProcess(dir)]);
    const urls = nodes.map((n) => n.url);
    try {
      const conn = await connectFleet(urls, fleet);
      const ops = fc.sample(fc.array(opArb(KIOSKS, DESKS), { minLength: 160, maxLength: 160 }), {
        seed: 20261202,
        numRuns: 1,
      })[0]!;
      const sent = [
        ...(await runOps(conn, ops.slice(0, 80))),
        ...(await runOps(conn, ops.slice(80))),
      ];
      expect(sent.every((s) => s.result !== null)).toBe(true);

      // Blocks reserved through both nodes at once: every kiosk, every service, twice.
      const reserves = await Promise.all(
        conn.kiosks.flatMap((kiosk) =>
          [...LEAF_SERVICES, ...LEAF_SERVICES].map(
            async (serviceId) =>
              (await kiosk
                .timeout(20_000)
                .emitWithAck(
                  'command',
                  envelope({ type: 'reserve_block', payload: { serviceId, size: 25 } }),
                )) as CommandResult,
          ),
        ),
      );
      expect(reserves.every((r) => r.ok && r.block !== null)).toBe(true);
      conn.close();

      // Every device now on the other node: the acknowledged commands retried there, and a few
      // new ones sent to both nodes at the same moment, get one answer each.
      const swapped = await connectFleet(urls, fleet, 1);
      const again = await Promise.all(
        sent.slice(0, 40).map(async (s) => {
          const socket = s.op.kind === 'next' ? swapped.desks[s.op.by]! : swapped.kiosks[s.op.by]!;
          return (await socket
            .timeout(20_000)
            .emitWithAck('command', { ...envelope(s.command, s.id) })) as CommandResult;
        }),
      );
      expect(again).toEqual(sent.slice(0, 40).map((s) => s.result));
      const both = await connectFleet(urls, fleet);
      const twice = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const command = envelope({ type: 'call_next', payload: {} }, randomUUID());
          const desk = i % DESKS;
          return Promise.all(
            [both.desks[desk]!, swapped.desks[desk]!].map(
              async (socket) =>
                (await socket.timeout(20_000).emitWithAck('command', command)) as CommandResult,
            ),
          );
        }),
      );
      for (const [a, b] of twice) expect(a).toEqual(b);

      // Both nodes serve the same log, and it keeps every invariant.
      const [fromA, fromB] = await settledPulls([both.desks[0]!, swapped.desks[0]!]);
      expect(fromB).toEqual(fromA);
      expect(checkInvariants(sent, fromA.changes, fromA.head)).toEqual([]);
      expect(overlaps(fromA.changes)).toEqual([]);
      both.close();
      swapped.close();
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      removeDir(dir);
    }
  });
});
