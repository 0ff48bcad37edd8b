/**
 * Network-level egress detection for containers: a sidecar in each target's network namespace
 * counts new outbound connections (iptables, conntrack NEW, loopback excluded) and records their
 * destinations (tcpdump on NFLOG) plus the names asked of Docker's embedded DNS. Replies to inbound
 * traffic (health checks) never count. Sidecars are labelled com.homeiq.harness=1 and removed on stop.
 *
 * @example
 * import { assertNoExternalEgress, startEgressMonitor } from '../../harness/egress/index.ts';
 *
 * await using egress = await startEgressMonitor({
 *   targets: [{ service: 'weather-api', containerId }],
 * });
 * // ... run the scenario ...
 * const seen = await egress.read();
 * // seen['weather-api'] = { newConnections: 0, destinations: [], externalConnections: 0, dnsQueries: [], ... }
 * assertNoEgress(seen, ['weather-api']); // test mode: no outbound call at all
 * assertNoExternalEgress(seen);          // or: only connections inside the Docker networks
 * // Both also fail when a target restarted during monitoring (its new namespace is unobserved).
 */
export { classifyDestination, type DestinationScope, inSubnet, type NetworkRange } from './classify.ts';
export { EgressError, type EgressErrorCode } from './errors.ts';
export {
  assertNoEgress,
  assertNoExternalEgress,
  type DestinationCount,
  type EgressMonitorOptions,
  type EgressTarget,
  type ServiceEgress,
  type StartedEgressMonitor,
  startEgressMonitor,
} from './monitor.ts';
export { type ChainCounters, type ObservedPacket, parseChainCounters, parseTcpdumpLine } from './parse.ts';
