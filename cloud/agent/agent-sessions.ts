// An agent at a desk: signing in makes a staff member that desk's agent (written on the desk
// through the engine, so desks and the call handler see it), online/offline open and close the
// desk with the engine's `set_desk_status` command as that desk. One agent per desk and one desk
// per agent: a new sign-in revokes the tokens it replaces.
import { randomUUID } from 'node:crypto';
import {
  agentStatusToDeskChange,
  toAgentInfo,
  type AgentInfo,
} from '../../shared/adapters/agent.js';
import { canDeskCall } from '../../shared/domain/queue.js';
import { DeviceSchema, type Device } from '../../shared/domain/entities.js';
import type { Refusal } from '../../shared/protocol/sync.js';
import type { HubData } from '../db/hub-repo.js';
import type { HubEngine } from '../engine/hub-engine.js';
import type { Append } from '../engine/sequencer.js';
import { AGENT_ROLES, findStaff, mayActOn, saveStaff, type Staff } from '../staff/staff.js';

const origin = (staff: Pick<Staff, 'id'>) => `staff:${staff.id}`;

export const agentInfoOf = (staff: Staff, now: Date): AgentInfo =>
  toAgentInfo(
    {
      id: staff.id,
      name: staff.name,
      lastLoginAt: staff.agent.lastLoginAt,
      statusSince: staff.agent.statusSince,
    },
    now,
  );

/** Writes who is signed in at a desk (null: nobody) in the engine's log. */
async function setDeskAgent(
  append: Append,
  desk: Device,
  agent: Device['agent'],
  by: string,
): Promise<void> {
  const device = DeviceSchema.parse({ ...desk, agent });
  await append(desk.storeId, 'device_updated', { kind: 'device', device }, by);
}

export type SignInRefusal = 'not_found' | 'forbidden';

/**
 * Makes `staff` the agent of `deskId`. The desk's previous agent is signed out (their tokens
 * revoked); so is this staff member at any other desk. Their status is the desk's: online when
 * it can call.
 */
export async function signInAtDesk(
  engine: HubEngine,
  staff: Staff,
  deskId: string,
  now: Date,
): Promise<{ staff: Staff; desk: Device } | SignInRefusal> {
  const { repo } = engine;
  const desk = await repo.device(deskId);
  if (desk === null || desk.role !== 'desk') return 'not_found';
  if (!mayActOn(staff, desk.storeId, AGENT_ROLES)) return 'forbidden';
  const at = now.toISOString();
  const status = canDeskCall(desk) ? 'online' : 'offline';
  const signedIn: Staff = {
    ...staff,
    agent: {
      deskId,
      lastLoginAt: at,
      status,
      statusSince: staff.agent.status === status ? (staff.agent.statusSince ?? at) : at,
    },
  };
  await engine.mutate(
    async (append, tx) => {
      await tx.revokeStaffTokens({ staffId: staff.id }, at);
      await tx.revokeStaffTokens({ deskId }, at);
      const previous = desk.agent === null ? null : await findStaff(tx, { id: desk.agent.staffId });
      if (previous !== null && previous.id !== staff.id)
        await saveStaff(tx, { ...previous, agent: { ...previous.agent, deskId: null } });
      const other = staff.agent.deskId === null ? null : await tx.device(staff.agent.deskId);
      if (other !== null && other.id !== deskId && other.agent?.staffId === staff.id)
        await setDeskAgent(append, other, null, origin(staff));
      await setDeskAgent(
        append,
        desk,
        { staffId: staff.id, name: staff.name, since: at },
        origin(staff),
      );
      await saveStaff(tx, signedIn);
    },
    [desk.storeId],
  );
  return { staff: signedIn, desk: (await repo.device(deskId)) ?? desk };
}

/** Signs the agent out of their desk (the desk stays as it is) and revokes the token used. */
export async function signOut(
  engine: HubEngine,
  staff: Staff,
  jti: string,
  now: Date,
): Promise<void> {
  await engine.mutate(
    async (append, tx) => {
      await tx.revokeStaffTokens({ jti }, now.toISOString());
      await leaveDesk(tx, append, staff);
      await saveStaff(tx, { ...staff, agent: { ...staff.agent, deskId: null } });
    },
    await deskStore(engine, staff),
  );
}

async function leaveDesk(tx: HubData, append: Append, staff: Staff): Promise<void> {
  const desk = staff.agent.deskId === null ? null : await tx.device(staff.agent.deskId);
  if (desk !== null && desk.agent?.staffId === staff.id)
    await setDeskAgent(append, desk, null, origin(staff));
}

/** The store of the desk the staff member is at, read before a transaction to lock it. */
async function deskStore(engine: HubEngine, staff: Staff): Promise<string[]> {
  const desk = staff.agent.deskId === null ? null : await engine.repo.device(staff.agent.deskId);
  return desk === null ? [] : [desk.storeId];
}

/** Removes a staff account: its tokens are revoked and it leaves the desk it was at. */
export async function removeStaff(engine: HubEngine, staff: Staff, now: Date): Promise<void> {
  await engine.mutate(
    async (append, tx) => {
      await tx.revokeStaffTokens({ staffId: staff.id }, now.toISOString());
      await leaveDesk(tx, append, staff);
      await tx.deleteStaff(staff.id);
    },
    await deskStore(engine, staff),
  );
}

/**
 * Online opens the agent's desk for calls, offline closes it, through the engine as that desk.
 * Closing drops nobody: a customer called or in service stays with the desk until the desk
 * finishes, transfers or puts them back (closing only stops new calls). An unchanged status keeps
 * its start time.
 */
export async function setAgentStatus(
  engine: HubEngine,
  staff: Staff,
  deskId: string,
  status: 'online' | 'offline',
  now: Date,
): Promise<{ ok: true; staff: Staff } | { ok: false; refusal: Refusal }> {
  const result = await engine.applyCommand(
    { deviceId: deskId, origin: origin(staff) },
    {
      id: randomUUID(),
      issuedAt: now.toISOString(),
      type: 'set_desk_status',
      payload: { status: agentStatusToDeskChange(status) },
    },
  );
  if (!result.ok) return result;
  const at = now.toISOString();
  const next: Staff = {
    ...staff,
    agent: {
      ...staff.agent,
      status,
      statusSince: staff.agent.status === status ? (staff.agent.statusSince ?? at) : at,
    },
  };
  await saveStaff(engine.repo, next);
  return { ok: true, staff: next };
}
