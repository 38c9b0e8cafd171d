import type { InventoriedContainer } from '../activities/docker/types.js';
import type { DriftKind } from '../contracts/vocabulary.js';

// What a reconcile concludes from the hosts' inventories: pure, so the rules are tested on their own
// (drift.test.ts) and the workflow only gathers the facts.

export interface ExpectedContainer {
  service: string;
  replica: number;
  hostId: string;
  name: string;
  /** A one-shot the deploy saw exit 0 (`completed`): exited is its right state. */
  completes: boolean;
}

export interface DriftFinding {
  hostId: string;
  container: string;
  kind: DriftKind;
  detail?: string;
}

export interface DriftFacts {
  expected: ExpectedContainer[];
  expectRunning: boolean;
  /** Registered host ids. */
  registered: ReadonlySet<string>;
  /** Each visited host's inventory, or the reason it gave none (its agent did not answer). */
  inventories: ReadonlyMap<string, { containers: InventoriedContainer[] } | { unreachable: string }>;
  /** Placements the database keeps on hosts that are no longer registered. */
  onUnregisteredHosts: { hostId: string; name: string }[];
}

const RETIRED_MARK = '.retired-';

export function driftOf(facts: DriftFacts): DriftFinding[] {
  const items: DriftFinding[] = [];
  const expectedOn = (hostId: string) => facts.expected.filter((c) => c.hostId === hostId);
  for (const container of facts.expected) {
    if (!facts.registered.has(container.hostId)) {
      items.push({
        hostId: container.hostId,
        container: container.name,
        kind: 'unknown-host',
        detail: 'the host is no longer registered',
      });
      continue;
    }
    const inventory = facts.inventories.get(container.hostId);
    if (!inventory || 'unreachable' in inventory) {
      items.push({
        hostId: container.hostId,
        container: container.name,
        kind: 'unknown-host',
        detail: inventory ? `its agent did not answer: ${inventory.unreachable}` : 'not visited',
      });
    }
  }
  for (const [hostId, inventory] of facts.inventories) {
    if ('unreachable' in inventory) continue;
    const expected = new Map(expectedOn(hostId).map((c) => [c.name, c]));
    const own = inventory.containers.filter((c) => c.hostLabel === hostId);
    for (const want of expected.values()) {
      const found = own.find((c) => c.name === want.name);
      if (!found) {
        items.push({ hostId, container: want.name, kind: 'missing' });
      } else if (found.difference) {
        items.push({ hostId, container: want.name, kind: 'changed', detail: found.difference });
      } else if (facts.expectRunning && !isRightState(found, want)) {
        items.push({ hostId, container: want.name, kind: 'stopped', detail: stateText(found) });
      }
    }
    for (const found of own) {
      if (expected.has(found.name)) continue;
      if (found.name.includes(RETIRED_MARK)) {
        items.push({
          hostId,
          container: found.name,
          kind: 'retired',
          detail: `${found.state}, left by a deploy`,
        });
        continue;
      }
      const elsewhere = facts.expected.find(
        (c) => c.service === found.service && c.replica === found.replica,
      );
      items.push({
        hostId,
        container: found.name,
        kind: 'unexpected',
        detail: elsewhere
          ? `replica ${found.replica} of ${found.service} belongs on ${elsewhere.hostId}`
          : `no part of the deployed version (${found.state})`,
      });
    }
    // Created for a host id nobody registered (a daemon moved between hosts, a copied container).
    for (const found of inventory.containers) {
      if (found.hostLabel === hostId || facts.registered.has(found.hostLabel)) continue;
      items.push({
        hostId,
        container: found.name,
        kind: 'unknown-host',
        detail: found.hostLabel
          ? `labelled for host ${found.hostLabel}, which is not registered`
          : 'no host label',
      });
    }
  }
  for (const placed of facts.onUnregisteredHosts) {
    if (items.some((i) => i.hostId === placed.hostId && i.container === placed.name)) continue;
    items.push({
      hostId: placed.hostId,
      container: placed.name,
      kind: 'unknown-host',
      detail: 'the host is no longer registered',
    });
  }
  return items.sort((a, b) => compare(a.hostId, b.hostId) || compare(a.container, b.container));
}

/**
 * Deploys whose leftovers are on each host: containers labelled with a deploy that ended without
 * success, and containers it retired (their name carries its id's first 8 characters).
 */
export function leftoversOf(
  inventories: DriftFacts['inventories'],
  unfinished: readonly string[],
): Map<string, string[]> {
  const byHost = new Map<string, string[]>();
  for (const [hostId, inventory] of inventories) {
    if ('unreachable' in inventory) continue;
    const found = unfinished.filter((deploymentId) =>
      inventory.containers.some(
        (c) =>
          c.hostLabel === hostId &&
          (c.name.includes(RETIRED_MARK)
            ? retiredBy(c.name) === deploymentId.slice(0, 8)
            : c.deploymentId === deploymentId),
      ),
    );
    if (found.length > 0) byHost.set(hostId, found);
  }
  return byHost;
}

function retiredBy(name: string): string {
  return (name.slice(name.lastIndexOf(RETIRED_MARK) + RETIRED_MARK.length).split('-')[0] ?? '').slice(0, 8);
}

function isRightState(found: InventoriedContainer, want: ExpectedContainer): boolean {
  if (want.completes) return found.state === 'running' || (found.state === 'exited' && found.exitCode === 0);
  return found.state === 'running';
}

function stateText(found: InventoriedContainer): string {
  return found.state === 'exited' && found.exitCode !== undefined
    ? `exited (${found.exitCode})`
    : found.state;
}

// Code-unit order: workflow code must not depend on the runtime's locale data.
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
