/**
 * Pure parsers for what the egress sidecar prints: tcpdump lines from the NFLOG group and the
 * chain's iptables counters.
 */

export interface ObservedPacket {
  /** seconds since the epoch, as tcpdump printed it */
  t: number;
  src: string;
  /** ip:port/proto, or ip/proto for ICMP */
  destination: string;
  ip: string;
  port: number | null;
  proto: 'tcp' | 'udp' | 'icmp' | 'other';
  /** DNS question (name) when the packet is a DNS query */
  dnsQuestion?: string;
  /** true when sent to Docker's embedded resolver over loopback */
  embeddedDns: boolean;
}

const LINE = /^(\d+\.\d+) (IP6?) (\S+) > (\S+?): (.*)$/;

function splitAddress(addr: string, v6: boolean, hasPort: boolean): { ip: string; port: number | null } {
  if (!hasPort) return { ip: addr, port: null };
  const i = addr.lastIndexOf('.');
  if (i < 0 || (!v6 && addr.split('.').length !== 5)) return { ip: addr, port: null };
  return { ip: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

export function parseTcpdumpLine(line: string): ObservedPacket | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const [, ts = '0', family, src = '', dst = '', rest = ''] = m;
  const v6 = family === 'IP6';
  const proto: ObservedPacket['proto'] = /^Flags \[/.test(rest)
    ? 'tcp'
    : /^ICMP/.test(rest)
      ? 'icmp'
      : /UDP|^\d+\+?\*?-? \[?|\(\d+\)$/.test(rest)
        ? 'udp'
        : 'other';
  const { ip, port } = splitAddress(dst, v6, proto === 'tcp' || proto === 'udp');
  const q = /\b(?:A|AAAA|PTR|SRV|MX|TXT|CNAME|ANY|HTTPS|SVCB|NS|SOA)\? (\S+?)\.? /.exec(`${rest} `);
  const packet: ObservedPacket = {
    t: Number(ts),
    src,
    destination:
      port === null ? `${v6 ? `[${ip}]` : ip}/${proto}` : `${v6 ? `[${ip}]` : ip}:${port}/${proto}`,
    ip,
    port,
    proto,
    embeddedDns: ip === '127.0.0.11',
  };
  if (q?.[1]) packet.dnsQuestion = q[1];
  return packet;
}

export interface ChainCounters {
  /** packets matching the DNS-to-embedded-resolver rules */
  dnsPackets: number;
  /** packets matching the NEW-outbound rule: new connections leaving the namespace */
  newConnections: number;
}

/** Parse `iptables -L <chain> -v -n -x` output of the sidecar's chain. */
export function parseChainCounters(output: string): ChainCounters {
  let dnsPackets = 0;
  let newConnections = 0;
  for (const line of output.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    const pkts = Number(cols[0]);
    if (!Number.isFinite(pkts) || cols[2] !== 'NFLOG') continue;
    if (/nflog-prefix\s+"?dns/.test(line) || /\b127\.0\.0\.11\b/.test(line)) dnsPackets += pkts;
    else if (/ctstate NEW/.test(line)) newConnections += pkts;
  }
  return { dnsPackets, newConnections };
}
