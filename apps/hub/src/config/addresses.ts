// The addresses devices on the school network can use to reach the hub, printed at start so the
// person installing it need not work them out (issue 9): the URL localhost would give is of no
// use to an iPad.
import type { NetworkInterfaceInfo } from 'node:os';

/** What the hub prints at start about where it can be reached. */
export interface HubAddresses {
  /** The URL that works on this machine (localhost, or the one address the hub is bound to). */
  local: string;
  /** URLs for other devices on the network, IPv4 first; empty when none can reach it. */
  network: string[];
  /** True when HUB_HOST keeps the hub to this machine (127.0.0.1, ::1, localhost). */
  loopbackOnly: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

function url(scheme: 'http' | 'https', address: string, port: number): string {
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/**
 * The addresses the hub can be reached at, from its bind address (HUB_HOST) and this machine's
 * network interfaces (`os.networkInterfaces()`). Internal interfaces are left out, and so are
 * IPv6 link-local addresses (fe80::/10), which need an interface name a device cannot know.
 * Bound to `0.0.0.0` the hub answers on IPv4 only; bound to `::` on both (Node's dual stack).
 */
export function hubAddresses(
  host: string,
  port: number,
  scheme: 'http' | 'https',
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
): HubAddresses {
  if (LOOPBACK_HOSTS.has(host) || host.startsWith('127.')) {
    return {
      local: url(scheme, host === '::1' ? host : 'localhost', port),
      network: [],
      loopbackOnly: true,
    };
  }
  const all = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((info) => !info.internal)
    .filter((info) => !(info.family === 'IPv6' && /^fe[89ab]/i.test(info.address)));
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard) {
    // Bound to one address: that one, whatever interface it is on.
    return {
      local: url(scheme, host, port),
      network: [url(scheme, host, port)],
      loopbackOnly: false,
    };
  }
  const usable = all.filter((info) => host === '::' || info.family === 'IPv4');
  const ordered = [
    ...usable.filter((info) => info.family === 'IPv4'),
    ...usable.filter((info) => info.family === 'IPv6'),
  ];
  return {
    local: url(scheme, 'localhost', port),
    network: [...new Set(ordered.map((info) => url(scheme, info.address, port)))],
    loopbackOnly: false,
  };
}

/** The plain lines printed under "Hub listening on …" for the person at the console. */
export function describeAddresses(addresses: HubAddresses, host: string): string[] {
  if (addresses.loopbackOnly) {
    return [
      `Only this computer can reach the hub: it is bound to ${host} (HUB_HOST).`,
      'Set HUB_HOST=0.0.0.0 for devices on the network, or put a reverse proxy on this computer in front of it.',
    ];
  }
  if (addresses.network.length === 0) {
    return ['No network address found: devices on the network cannot reach this computer yet.'];
  }
  return ['Devices on the network can reach it at:', ...addresses.network.map((u) => `  ${u}`)];
}
