import { describe, expect, it } from 'vitest';
import { classifyDestination, inSubnet } from './classify.ts';
import { EgressError } from './errors.ts';
import { assertNoEgress, assertNoExternalEgress, type ServiceEgress } from './monitor.ts';
import { parseChainCounters, parseTcpdumpLine } from './parse.ts';
import { sidecarScript } from './sidecar-script.ts';

// Captured from a real sidecar (Docker 20.10, iptables 1.8.9 nf_tables, tcpdump 4.99).
const COUNTERS = `Chain HQEG_ABC (1 references)
    pkts      bytes target     prot opt in     out     source               destination
       4      244 NFLOG      17   --  *      lo      0.0.0.0/0            127.0.0.11           udp dpt:53 nflog-prefix dns nflog-group 321
       0        0 NFLOG      6    --  *      lo      0.0.0.0/0            127.0.0.11           tcp dpt:53 ctstate NEW nflog-prefix dns nflog-group 321
       6      366 RETURN     0    --  *      lo      0.0.0.0/0            0.0.0.0/0
       2      120 NFLOG      0    --  *      *       0.0.0.0/0            0.0.0.0/0            ctstate NEW nflog-prefix new nflog-group 321
`;

describe('parseChainCounters', () => {
  it('separates embedded-DNS packets from new outbound connections', () => {
    expect(parseChainCounters(COUNTERS)).toEqual({ dnsPackets: 4, newConnections: 2 });
  });
});

describe('parseTcpdumpLine', () => {
  it('parses a TCP SYN', () => {
    expect(
      parseTcpdumpLine(
        '1795348609.659113 IP 172.17.0.2.45946 > 172.17.0.1.9: Flags [S], seq 3249714867, win 64240, options [mss 1460], length 0',
      ),
    ).toMatchObject({
      destination: '172.17.0.1:9/tcp',
      ip: '172.17.0.1',
      port: 9,
      proto: 'tcp',
      embeddedDns: false,
    });
  });

  it('parses a DNS query to the embedded resolver with its question', () => {
    expect(
      parseTcpdumpLine('1795348094.519184 IP 127.0.0.1.54820 > 127.0.0.11.53: 4660+ A? influxdb. (26)'),
    ).toMatchObject({
      destination: '127.0.0.11:53/udp',
      embeddedDns: true,
      dnsQuestion: 'influxdb',
    });
  });

  it('parses forwarded DNS, plain UDP and ICMP', () => {
    expect(
      parseTcpdumpLine(
        '1.5 IP 172.18.0.2.50723 > 10.255.255.53.53: 1234+ AAAA? api.openweathermap.org. (40)',
      ),
    ).toMatchObject({ destination: '10.255.255.53:53/udp', dnsQuestion: 'api.openweathermap.org' });
    expect(parseTcpdumpLine('1.5 IP 172.18.0.2.4000 > 172.18.0.9.8125: UDP, length 33')?.destination).toBe(
      '172.18.0.9:8125/udp',
    );
    expect(
      parseTcpdumpLine('1.5 IP 172.18.0.2 > 172.18.0.1: ICMP echo request, id 7, seq 1, length 64')
        ?.destination,
    ).toBe('172.18.0.1/icmp');
  });

  it('ignores tcpdump banner lines', () => {
    expect(parseTcpdumpLine('listening on nflog:321, link-type NFLOG')).toBeUndefined();
  });
});

describe('classifyDestination', () => {
  const ranges = [{ subnet: '172.25.0.0/16', gateway: '172.25.0.1' }, { subnet: '172.17.0.0/16' }];
  it('tells containers, the host gateway and external hosts apart', () => {
    expect(classifyDestination('172.25.3.4', ranges)).toBe('container');
    expect(classifyDestination('172.25.0.1', ranges)).toBe('host');
    expect(classifyDestination('10.255.255.53', ranges)).toBe('external');
    expect(inSubnet('10.1.2.3', '0.0.0.0/0')).toBe(true);
  });
});

describe('assertNoExternalEgress', () => {
  it('names the service, expected and measured connections, destinations and DNS names', () => {
    const err = (() => {
      try {
        assertNoExternalEgress({
          'weather-api': {
            newConnections: 2,
            destinations: ['10.255.255.53:53/udp'],
            byDestination: [{ destination: '10.255.255.53:53/udp', scope: 'external', count: 2 }],
            externalConnections: 2,
            externalDestinations: ['10.255.255.53:53/udp'],
            dnsQueries: ['api.openweathermap.org'],
            dnsLookups: 1,
            monitoring: 'intact',
          },
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EgressError);
    expect((err as Error).message).toBe(
      'weather-api: expected 0 external connections, measured 2 to 10.255.255.53:53/udp (DNS asked: api.openweathermap.org)',
    );
  });
});

describe('sidecarScript', () => {
  it('hooks a private chain into mangle OUTPUT, excludes loopback and cleans up on SIGTERM', () => {
    const s = sidecarScript({ chain: 'HQEG_ABC', group: 321 });
    expect(s).toContain('iptables -t mangle -A HQEG_ABC -o lo -j RETURN');
    expect(s).toContain('-m conntrack --ctstate NEW -j NFLOG --nflog-group 321 --nflog-prefix new');
    expect(s).toContain('iptables -t mangle -I OUTPUT 1 -j HQEG_ABC');
    expect(s).toContain("trap 'cleanup;");
    expect(s).toContain('tcpdump -i nflog:321 -n -l -tt');
    expect(() => sidecarScript({ chain: 'bad;rm', group: 1 })).toThrow(/invalid chain/);
  });
});

describe('assertNoEgress', () => {
  const quiet: ServiceEgress = {
    newConnections: 0,
    destinations: [],
    byDestination: [],
    externalConnections: 0,
    externalDestinations: [],
    dnsQueries: [],
    dnsLookups: 0,
    monitoring: 'intact',
  };
  it('passes for a quiet service and fails for any connection, even to a container', () => {
    expect(() => assertNoEgress({ weather: quiet })).not.toThrow();
    const chatty = {
      ...quiet,
      newConnections: 1,
      destinations: ['172.18.0.5:8086/tcp'],
      dnsQueries: ['influxdb'],
      dnsLookups: 2,
    };
    expect(() => assertNoEgress({ weather: chatty })).toThrow(
      'weather: expected 0 outbound connections and 0 DNS lookups, measured 1 to 172.18.0.5:8086/tcp and 2 DNS lookups (DNS asked: influxdb)',
    );
    // A lookup alone (no connection followed: the name did not resolve) is outbound traffic too.
    const lookupOnly = { ...quiet, dnsQueries: ['api.example.org'], dnsLookups: 1 };
    expect(() => assertNoEgress({ weather: lookupOnly })).toThrow(
      'weather: expected 0 outbound connections and 0 DNS lookups, measured 0 to - and 1 DNS lookups (DNS asked: api.example.org)',
    );
    expect(() => assertNoEgress({ weather: quiet }, ['carbon'])).toThrow('carbon: not monitored');
  });

  it('refuses to prove absence when the target restarted during monitoring', () => {
    const restarted = { ...quiet, monitoring: 'target-restarted' as const };
    expect(() => assertNoEgress({ weather: restarted })).toThrow(
      /weather: cannot prove the absence of egress, monitoring target-restarted/,
    );
    expect(() => assertNoExternalEgress({ weather: restarted })).toThrow(/cannot prove/);
  });
});
