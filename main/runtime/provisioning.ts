// Asks the hub who this device is: `POST /provision` with its MACs and hostname.
import {
  PROVISION_PATH,
  ProvisionResponseSchema,
  type ProvisionResponse,
} from '../../shared/protocol/sync.js';
import type { DeviceIdentity } from './identity.js';

/** The hub could not be asked, or answered something that is not a provisioning answer. */
export class HubUnreachableError extends Error {}

export async function requestProvision(
  hubUrl: string,
  identity: DeviceIdentity,
  timeoutMs = 5000,
): Promise<ProvisionResponse> {
  let response: Response;
  try {
    response = await fetch(new URL(PROVISION_PATH, hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ macs: identity.macs, hostname: identity.hostname }),
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
