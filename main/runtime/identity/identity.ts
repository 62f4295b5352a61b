// Who this device is: its MAC addresses and hostname, as the hub's device records know them.
// Loopback and virtual interfaces (docker, bridges, VPN tunnels...) are skipped; flags override
// both so several simulated devices can run on one machine.
import { hostname as osHostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { MacSchema } from '../../../shared/domain/entities.js';

export interface DeviceIdentity {
  macs: string[];
  hostname: string;
}

const VIRTUAL_INTERFACE =
  /^(lo|docker|br-|veth|virbr|vmnet|vboxnet|tun|tap|wg|zt|tailscale|utun|awdl|llw|bridge|cni|flannel|kube|lxc|lxd|podman)/i;

/** MACs of physical-looking interfaces, sorted and de-duplicated. */
export function macsFromInterfaces(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const macs = new Set<string>();
  for (const [name, infos] of Object.entries(interfaces)) {
    if (VIRTUAL_INTERFACE.test(name)) continue;
    for (const info of infos ?? []) {
      if (info.internal || info.mac === '00:00:00:00:00:00') continue;
      const mac = MacSchema.safeParse(info.mac);
      if (mac.success) macs.add(mac.data);
    }
  }
  return [...macs].sort();
}

export class IdentityError extends Error {}

/** The identity from the OS, with `--mac` (repeatable) and `--hostname` taking precedence. */
export function detectIdentity(
  overrides: { macs?: readonly string[]; hostname?: string | undefined } = {},
  os: { interfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>; hostname: () => string } = {
    interfaces: networkInterfaces,
    hostname: osHostname,
  },
): DeviceIdentity {
  let macs: string[];
  if (overrides.macs !== undefined && overrides.macs.length > 0) {
    macs = overrides.macs.map((raw) => {
      const mac = MacSchema.safeParse(raw);
      if (!mac.success)
        throw new IdentityError(`--mac ${raw}: not a MAC address such as 02:00:00:00:00:01`);
      return mac.data;
    });
  } else {
    macs = macsFromInterfaces(os.interfaces());
  }
  if (macs.length === 0)
    throw new IdentityError('No network interface with a MAC address was found; pass --mac.');
  const hostname = (overrides.hostname ?? os.hostname()).trim();
  if (hostname === '' || hostname.length > 253)
    throw new IdentityError(`Hostname "${hostname}" is not usable; pass --hostname.`);
  return { macs, hostname };
}
