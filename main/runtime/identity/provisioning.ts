// Asks the hub who this device is: `POST /provision` with its MACs and hostname, and the
// credential it holds if any (the hub hands a credential out once; holding it is what lets a
// device ask for its current record again).
import {
  PROVISION_PATH,
  ProvisionResponseSchema,
  type DeviceCredential,
  type ProvisionRequest,
  type ProvisionResponse,
} from '../../../shared/protocol/sync.js';
import type { DeviceIdentity } from './identity.js';

/** The hub could not be asked, or answered something that is not a provisioning answer. */
export class HubUnreachableError extends Error {}

export async function requestProvision(
  hubUrl: string,
  identity: DeviceIdentity,
  credential: DeviceCredential | null = null,
  timeoutMs = 5000,
): Promise<ProvisionResponse> {
  const request: ProvisionRequest = {
    macs: identity.macs,
    hostname: identity.hostname,
    ...(credential !== null ? { credential } : {}),
  };
  let response: Response;
  try {
    response = await fetch(new URL(PROVISION_PATH, hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new HubUnreachableError(
      `Cannot reach the hub at ${hubUrl} (${cause ?? (error as Error).message}).`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new HubUnreachableError(
      `The hub at ${hubUrl} answered HTTP ${response.status} without a provisioning answer; is it a Lineup hub?`,
    );
  }
  const parsed = ProvisionResponseSchema.safeParse(body);
  if (!parsed.success)
    throw new HubUnreachableError(
      `The hub at ${hubUrl} answered HTTP ${response.status} with an unexpected provisioning answer.`,
    );
  return parsed.data;
}
