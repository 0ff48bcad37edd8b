/**
 * The shell script the egress sidecar runs inside the target's network namespace (pure builder).
 *
 * Rules go into a private chain hooked at the top of the mangle table's OUTPUT chain: mangle runs
 * after conntrack and before Docker's DNAT of the embedded DNS (nat OUTPUT), so it sees original
 * destinations and connection states.
 * - `-o lo`: DNS queries to Docker's embedded resolver 127.0.0.11 are logged (they name what the
 *   service tried to resolve); everything else on loopback is ignored.
 * - every other packet in conntrack state NEW leaving the namespace is a new outbound connection
 *   (TCP SYN, first UDP datagram of a flow, ICMP echo ...); replies to inbound connections such
 *   as health checks are ESTABLISHED and never match.
 * Matching packets are counted by the rule and copied to NFLOG group `group`, where tcpdump prints
 * them. SIGTERM removes the rules again.
 */
export interface SidecarScriptOptions {
  chain: string;
  group: number;
}

export const READY_LINE = 'listening on nflog';

export function sidecarScript({ chain, group }: SidecarScriptOptions): string {
  if (!/^[A-Z][A-Z0-9_]{0,27}$/.test(chain)) throw new Error(`invalid chain name ${chain}`);
  if (!Number.isInteger(group) || group < 1 || group > 65535) throw new Error(`invalid nflog group ${group}`);
  const log = `-j NFLOG --nflog-group ${group}`;
  const rules = (ipt: string, dns: string) =>
    [
      `${ipt} -t mangle -N ${chain}`,
      dns ? `${ipt} -t mangle -A ${chain} -o lo -d ${dns} -p udp --dport 53 ${log} --nflog-prefix dns` : '',
      dns
        ? `${ipt} -t mangle -A ${chain} -o lo -d ${dns} -p tcp --dport 53 -m conntrack --ctstate NEW ${log} --nflog-prefix dns`
        : '',
      `${ipt} -t mangle -A ${chain} -o lo -j RETURN`,
      `${ipt} -t mangle -A ${chain} -m conntrack --ctstate NEW ${log} --nflog-prefix new`,
      `${ipt} -t mangle -I OUTPUT 1 -j ${chain}`,
    ]
      .filter(Boolean)
      .join(' && ');
  const cleanup = (ipt: string) =>
    `${ipt} -t mangle -D OUTPUT -j ${chain}; ${ipt} -t mangle -F ${chain}; ${ipt} -t mangle -X ${chain}`;
  return [
    'set -u',
    `${rules('iptables', '127.0.0.11')} || { echo "HOMEIQ_EGRESS_ERROR iptables rules failed"; exit 3; }`,
    // IPv6 is best effort: Docker bridges here are IPv4 only.
    `(${rules('ip6tables', '')}) 2>/dev/null || echo "HOMEIQ_EGRESS_NOTE no ip6tables rules"`,
    `cleanup() { ${cleanup('iptables')}; ${cleanup('ip6tables')} 2>/dev/null; }`,
    "trap 'cleanup; kill $TCPDUMP 2>/dev/null; exit 0' TERM INT",
    `tcpdump -i nflog:${group} -n -l -tt 2>&1 &`,
    'TCPDUMP=$!',
    'wait $TCPDUMP',
  ].join('\n');
}

/** Shell command printing the chain's counters (exact packet counts). */
export function countersCommand(chain: string): string[] {
  return ['iptables', '-t', 'mangle', '-L', chain, '-v', '-n', '-x'];
}
