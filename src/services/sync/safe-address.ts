import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { ForbiddenError } from '../../core/index.js';

/** Loopback, link-local, private, shared, unspecified and multicast ranges (RFC 6890 and RFC 4193, 4291). */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  BLOCKED.addSubnet(network, prefix, 'ipv6');

/** Whether an IP address is one that users' remotes may not reach (issue 13 item 4). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  // An IPv4-mapped or -compatible IPv6 address is its IPv4 address.
  const mapped = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, 'ipv6');
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Resolver = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A `lookup` for the sockets of users' remotes: resolves the name, refuses it when any of its
 * addresses is private, and hands the socket exactly the addresses it checked, so the address
 * connected to is the address checked (no second resolution an attacker's DNS could answer
 * differently). Node's connect calls it for every connection, redirects included.
 */
export function checkedLookup(resolve: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused || addresses.length === 0) {
        const denied: NodeJS.ErrnoException = new Error(
          `${hostname} resolves to ${refused?.address ?? 'no address'}, a private or loopback address that remotes may not reach (sync.allowPrivateNetworks)`,
        );
        denied.code = 'EPRIVATEADDRESS';
        return callback(denied, []);
      }
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/**
 * The connect options for a remote URL: none for the operator's remotes (or when the admin allows
 * private networks); otherwise the checked lookup, and an IP literal checked here (a socket to
 * an IP address does not look anything up).
 */
export function remoteConnectOptions(url: string, anyAddress: boolean, resolve?: Resolver): object | undefined {
  if (anyAddress) return undefined;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && isPrivateAddress(host)) {
    throw new ForbiddenError(`${host} is a private or loopback address that remotes may not reach (sync.allowPrivateNetworks)`);
  }
  return { lookup: checkedLookup(resolve) };
}
