import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectDevice, removeDir, startHubProcess, tempDataDir } from './harness.js';
import {
  checkInvariants,
  connectFleet,
  opArb,
  pullAll,
  runOps,
  seedFleet,
  type Sent,
} from './workload.js';

const KIOSKS = 4;
const DESKS = 5;

describe('hub under a concurrent workload', () => {
  it('never calls a customer twice, loses no register and keeps the log gapless (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb(KIOSKS, DESKS), { minLength: 20, maxLength: 120 }),
        async (ops) => {
          const dir = tempDataDir();
          const fleet = await seedFleet(dir, KIOSKS, DESKS);
          const hub = await startHubProcess(dir);
          const conn = await connectFleet(hub.url, fleet);
          try {
            // Two waves, so calls meet both an empty and a full queue.
            const half = Math.floor(ops.length / 2);
            const sent = [
              ...(await runOps(conn, ops.slice(0, half))),
              ...(await runOps(conn, ops.slice(half))),
            ];
            expect(sent.every((s) => s.result !== null)).toBe(true);
            const { changes, head } = await pullAll(conn.desks[0]!);
            expect(checkInvariants(sent, changes, head)).toEqual([]);
          } finally {
            conn.close();
            await hub.stop();
            removeDir(dir);
          }
        },
      ),
      { seed: 20261123, numRuns: 3, endOnFailure: true },
    );
  });

  it('loses nothing acknowledged when the hub is killed with SIGKILL mid-workload', async () => {
    const dir = tempDataDir();
    const fleet = await seedFleet(dir, KIOSKS, DESKS);
    let hub = await startHubProcess(dir);
    try {
      const conn = await connectFleet(hub.url, fleet);
      const ops = fc.sample(fc.array(opArb(KIOSKS, DESKS), { minLength: 300, maxLength: 300 }), {
        seed: 7,
        numRuns: 1,
      })[0]!;
      // Kill the hub while the commands are in flight.
      let acks = 0;
      let killed: Promise<void> | null = null;
      const victim = hub;
      const running = runOps(conn, ops, 3000, () => {
        acks += 1;
        if (acks === 40) killed = victim.kill9();
      });
      const sentOrKilled = await running;
      await (killed ?? victim.kill9());
      const sent: Sent[] = sentOrKilled;
      conn.close();
      const acked = sent.filter((s) => s.result !== null);
      expect(acked.length).toBeGreaterThan(0);

      hub = await startHubProcess(dir);
      const desk = await connectDevice(hub.url, fleet.desks[0]!);
      const { changes, head } = await pullAll(desk);
      expect(checkInvariants(acked, changes, head)).toEqual([]);
      // A retried acknowledged command gets the same answer from the restarted hub.
      const again = await runRetries(hub.url, fleet, acked.slice(0, 20));
      expect(again).toEqual(acked.slice(0, 20).map((s) => s.result));
      desk.disconnect();
    } finally {
      await hub.stop();
      removeDir(dir);
    }
  });
});

async function runRetries(url: string, fleet: Awaited<ReturnType<typeof seedFleet>>, sent: Sent[]) {
  const conn = await connectFleet(url, fleet);
  try {
    return await Promise.all(
      sent.map(async (s) => {
        const socket = s.op.kind === 'next' ? conn.desks[s.op.by]! : conn.kiosks[s.op.by]!;
        return socket
          .timeout(20_000)
          .emitWithAck('command', { id: s.id, issuedAt: new Date().toISOString(), ...s.command });
      }),
    );
  } finally {
    conn.close();
  }
}
