// Decides which host runs each replica, with Swarm's constraint semantics. Pure and deterministic. The
// API calls it (api/services/operations.ts) before it starts an operation; workflows get its result.

import { containerName } from './names.js';
import { type Issue as ComposeIssue, PlacementError, type PlacementErrorReason } from './placement-error.js';
import type { PlacedContainer, PlacementConstraint, PlacementHost, ServiceSpec, StackSpec } from './types.js';

/** Swarm compares constraint values case-insensitively. */
function sameValue(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function hostValue(host: PlacementHost, constraint: PlacementConstraint): string | undefined {
  if (constraint.field === 'node.id') return host.id;
  if (constraint.field === 'node.hostname') return host.name;
  return host.labels[constraint.label ?? ''];
}

/** A missing label equals nothing, so `!=` holds for a host without the label, as in Swarm. */
function satisfies(host: PlacementHost, constraint: PlacementConstraint): boolean {
  const value = hostValue(host, constraint);
  const equal = value !== undefined && sameValue(value, constraint.value);
  return constraint.operator === '==' ? equal : !equal;
}

/** `node.hostname == vm9` with no vm9 registered is most likely a typo or a forgotten host: say that. */
function unknownHostIssues(service: ServiceSpec, hosts: PlacementHost[]): ComposeIssue[] {
  const path = `services.${service.name}.deploy.placement.constraints`;
  return service.constraints.flatMap((constraint) => {
    if (constraint.operator !== '==' || constraint.field === 'node.labels') return [];
    if (hosts.some((host) => satisfies(host, constraint))) return [];
    const what = constraint.field === 'node.id' ? 'has id' : 'is named';
    return [{ path, message: `no registered host ${what} "${constraint.value}" (${constraint.expression})` }];
  });
}

function byId(a: PlacementHost, b: PlacementHost): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Where a service's replicas may go: `fresh` for new replicas (online hosts when there are any;
 * Temporal holds an offline host's tasks until its agent returns), `sticky` for replicas that
 * already run somewhere. A replica stays on a host that is only briefly unreachable: moving it
 * would start a second copy while the first may still run, and keep running once the host is back.
 */
function candidateHosts(
  service: ServiceSpec,
  hosts: PlacementHost[],
): { eligible: PlacementHost[]; fresh: PlacementHost[]; sticky: PlacementHost[] } {
  const eligible = hosts.filter((host) => service.constraints.every((c) => satisfies(host, c)));
  const online = eligible.filter((host) => host.online);
  const fresh = online.length > 0 ? online : eligible;
  const sticky = online.length > 0 ? eligible.filter((host) => host.online || host.recentlySeen) : eligible;
  return { eligible, fresh, sticky };
}

/**
 * Places every replica of every service. A replica stays on the host `current` puts it on while that host
 * satisfies the constraints and is online or only briefly unreachable, so a redeploy does not move
 * containers; the rest spread over the fewest-loaded online hosts.
 */
export function placeContainers(
  stack: string,
  spec: StackSpec,
  hosts: PlacementHost[],
  current: PlacedContainer[] = [],
): PlacedContainer[] {
  const sortedHosts = [...hosts].sort(byId);
  const stackLoad = new Map<string, number>();
  const placed: PlacedContainer[] = [];
  const failures: { reason: PlacementErrorReason; issue: ComposeIssue }[] = [];

  for (const service of spec.services) {
    if (service.replicas === 0) continue;
    if (sortedHosts.length === 0) {
      failures.push({
        reason: 'unsatisfiable',
        issue: { path: `services.${service.name}`, message: 'no hosts are registered' },
      });
      continue;
    }
    const unknown = unknownHostIssues(service, sortedHosts);
    if (unknown.length > 0) {
      failures.push(...unknown.map((issue) => ({ reason: 'unknown_host' as const, issue })));
      continue;
    }
    const { eligible, fresh: candidates, sticky } = candidateHosts(service, sortedHosts);
    if (eligible.length === 0) {
      const expressions = JSON.stringify(service.constraints.map((c) => c.expression));
      failures.push({
        reason: 'unsatisfiable',
        issue: {
          path: `services.${service.name}.deploy.placement.constraints`,
          message: `no host satisfies ${expressions}`,
        },
      });
      continue;
    }

    const assigned = new Map<number, string>();
    const serviceLoad = new Map<string, number>();
    const assign = (replica: number, hostId: string) => {
      assigned.set(replica, hostId);
      serviceLoad.set(hostId, (serviceLoad.get(hostId) ?? 0) + 1);
      stackLoad.set(hostId, (stackLoad.get(hostId) ?? 0) + 1);
    };
    // Sticky replicas first, so the spread of the others accounts for where those already run.
    for (const container of current) {
      const keep =
        container.service === service.name &&
        container.replica >= 1 &&
        container.replica <= service.replicas &&
        !assigned.has(container.replica) &&
        sticky.some((host) => host.id === container.hostId);
      if (keep) assign(container.replica, container.hostId);
    }
    for (let replica = 1; replica <= service.replicas; replica++) {
      if (assigned.has(replica)) continue;
      const load = (host: PlacementHost): [number, number] => [
        serviceLoad.get(host.id) ?? 0,
        stackLoad.get(host.id) ?? 0,
      ];
      // Candidates are sorted by id, so the first of equally loaded hosts has the lowest id.
      const best = candidates.reduce((a, b) => {
        const [aService, aStack] = load(a);
        const [bService, bStack] = load(b);
        return bService < aService || (bService === aService && bStack < aStack) ? b : a;
      });
      assign(replica, best.id);
    }
    for (let replica = 1; replica <= service.replicas; replica++) {
      const hostId = assigned.get(replica)!;
      placed.push({
        service: service.name,
        replica,
        hostId,
        // `container_name` comes with one replica only (the loader refuses more).
        name: service.containerName ?? containerName(stack, service.name, replica),
      });
    }
  }

  if (failures.length > 0) {
    const reason = failures.some((f) => f.reason === 'unknown_host') ? 'unknown_host' : 'unsatisfiable';
    throw new PlacementError(
      reason,
      failures.map((f) => f.issue),
    );
  }
  return placed;
}
