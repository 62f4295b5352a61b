// Chaos on Postgres: two `lineup-hub serve` nodes on one throw-away cluster of this test's own,
// a seeded concurrent workload of kiosks and desks spread over both; one node is killed with
// SIGKILL mid-workload and restarted, then Postgres itself is restarted mid-workload. After the
// devices resend what they got no answer for (as their outbox does): nothing acknowledged is
// lost, no customer is called by two desks, no ticket number is issued twice per day, the log is
// gapless, and every device, on either node, pulls the same log. Postgres only.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_ENGINE, hubDataAt } from '../../support/hub-engine.js';
import { waitFor } from '../../support/processes.js';
import { startPostgres, type PgCluster } from '../../support/postgres.js';
import { removeDir, startHubProcess, type HubProcess } from './harness.js';
import {
  answered,
  checkInvariants,
  connectFleet,
  opArb,
  settledPulls,
  runOps,
  seedFleet,
  type Connected,
  type Sent,
} from './workload.js';

const KIOSKS = 4;
const DESKS = 6;

const acknowledged = (s: Sent): boolean => answered(s.result);

/** Resends every command without a reliable answer (same id) until each has one. */
async function resendUnanswered(conn: Connected, sent: Sent[]): Promise<Sent[]> {
  let all = sent;
  for (let round = 0; round < 5; round++) {
    all = await Promise.all(
      all.map(async (s) => {
        if (acknowledged(s)) return s;
        const socket = s.op.kind === 'next' ? conn.desks[s.op.by]! : conn.kiosks[s.op.by]!;
        try {
          const result = (await socket.timeout(20_000).emitWithAck('command', {
            id: s.id,
            issuedAt: new Date().toISOString(),
            ...s.command,
          })) as Sent['result'];
          return { ...s, result };
        } catch {
          return s;
        }
      }),
    );
    if (all.every(acknowledged)) break;
  }
  return all;
}

/** Connects the fleet as devices do after an outage: retrying until the hub nodes take them. */
async function reconnectFleet(
  nodes: readonly HubProcess[],
  fleet: Parameters<typeof connectFleet>[1],
  shift = 0,
): Promise<Connected> {
  return waitFor('the fleet to connect again', () =>
    connectFleet(
      nodes.map((n) => n.url),
      fleet,
      shift,
    ).catch(() => null),
  );
}

describe.skipIf(HUB_ENGINE !== 'postgres')('two hub nodes through crashes (Postgres)', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres();
  });
  afterAll(() => cluster?.stop());

  it('lose nothing acknowledged when a node is killed and Postgres restarts (seeded)', async () => {
    const dir = hubDataAt(cluster.createDatabase('chaos'), 'hub-chaos');
    const fleet = await seedFleet(dir, KIOSKS, DESKS);
    let nodes: HubProcess[] = await Promise.all([startHubProcess(dir), startHubProcess(dir)]);
    try {
      const waves = fc.sample(fc.array(opArb(KIOSKS, DESKS), { minLength: 160, maxLength: 160 }), {
        seed: 20261202,
        numRuns: 2,
      });
      const wave1 = waves[0]!;
      const wave2 = waves[1]!;

      // Wave 1: node 1 is killed with SIGKILL after 30 answers, commands still in flight.
      let conn = await connectFleet(
        nodes.map((n) => n.url),
        fleet,
      );
      let acks = 0;
      let killed: Promise<void> | null = null;
      const victim = nodes[1]!;
      const sent1 = await runOps(conn, wave1, 3000, () => {
        if (++acks === 30) killed = victim.kill9();
      });
      await (killed ?? victim.kill9());
      conn.close();
      nodes = [nodes[0]!, await startHubProcess(dir)];

      // Wave 2: Postgres restarts after 30 answers, with commands in flight on both nodes.
      // The kiosks go on from the numbers they already took from their blocks.
      const taken = conn.nextInBlock;
      conn = await reconnectFleet(nodes, fleet);
      conn.nextInBlock = taken;
      acks = 0;
      const sent2 = await runOps(conn, wave2, 5000, () => {
        if (++acks === 30) cluster.restart();
      });
      conn.close();

      // Every device resends what it had no answer for, through the other node this time.
      const swapped = await reconnectFleet(nodes, fleet, 1);
      const sent = await resendUnanswered(swapped, [...sent1, ...sent2]);
      expect(sent.every(acknowledged)).toBe(true);

      const logs = await settledPulls([...swapped.kiosks, ...swapped.desks]);
      const [first] = logs;
      expect(checkInvariants(sent, first!.changes, first!.head)).toEqual([]);
      // Every device, on either node, pulls the same log.
      for (const log of logs) expect(log).toEqual(first);
      swapped.close();
    } finally {
      await Promise.all(nodes.map((n) => n.stop()));
      removeDir(dir);
    }
  });
});
