/**
 * Where a destination IP lives, from the Docker networks' subnets: another container on a Docker
 * network, the host (a network's gateway), or outside (external).
 */
export type DestinationScope = 'container' | 'host' | 'external';

export interface NetworkRange {
  subnet: string;
  gateway?: string;
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

export function inSubnet(ip: string, cidr: string): boolean {
  const [base = '', bitsText = '32'] = cidr.split('/');
  const a = ipv4ToInt(ip);
  const b = ipv4ToInt(base);
  const bits = Number(bitsText);
  if (a === undefined || b === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

export function classifyDestination(ip: string, ranges: readonly NetworkRange[]): DestinationScope {
  if (ranges.some((r) => r.gateway === ip)) return 'host';
  if (ranges.some((r) => inSubnet(ip, r.subnet))) return 'container';
  return 'external';
}
