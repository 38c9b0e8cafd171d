import type { InventoryContainer, ServiceTemplate, StackInventory } from '../../activities/docker/types.js';
import type { PlacedContainer, StackSpec } from '../../stack/types.js';
import { attachmentsFor } from '../stack-resources.js';
import { quickDockerStep } from '../timeouts.js';
import type { Operation } from './lifecycle.js';

// What each host holds of the stack, found by label on the host itself, and what that means for each
// replica of the version being placed: nothing to do, a container to create or start, or one to replace.

/**
 * - `create`: no container of that name on its host yet;
 * - `start`: there is one, unchanged, but not running;
 * - `unchanged`: there is one, unchanged and running: nothing to do, no downtime, no delay;
 * - `replace`: there is one of another definition: replaced per the service's update_config.
 */
export type ReplicaPlan = 'create' | 'start' | 'unchanged' | 'replace';

export interface PlannedReplica extends PlacedContainer {
  plan: ReplicaPlan;
  /** The container that holds the replica's name on its host now, if any. */
  current?: InventoryContainer;
}

/** A service's container template on a host: what the agent needs to compute its config hash. */
export function templateOf(stack: string, spec: StackSpec, serviceName: string): ServiceTemplate {
  const service = spec.services.find((s) => s.name === serviceName)!;
  return { stack, service, ...attachmentsFor(stack, spec, service) };
}

/**
 * Asks every host of `containers` what it holds of the stack, and the config hash each of its
 * services would have there now (so images must be on the hosts first). One step per host.
 */
export async function takeInventory(
  op: Operation,
  containers: readonly PlacedContainer[],
): Promise<Map<string, StackInventory>> {
  const { input, hosts } = op;
  const spec = input.spec!;
  const hostIds = [...new Set(containers.map((c) => c.hostId))].sort();
  const inventories = await Promise.all(
    hostIds.map((hostId) => {
      const services = [...new Set(containers.filter((c) => c.hostId === hostId).map((c) => c.service))];
      return hosts.run(hostId, quickDockerStep, (docker) =>
        docker.inventoryStack.executeWithOptions(
          { summary: `what ${hostId} holds of ${input.stack}, and what would change` },
          [{ stack: input.stack, services: services.map((name) => templateOf(input.stack, spec, name)) }],
        ),
      );
    }),
  );
  return new Map(hostIds.map((hostId, index) => [hostId, inventories[index]!]));
}

/**
 * What each placed replica needs, from its host's inventory. The config hash is read from the
 * container's label, as Compose does; replicas named in `recreate` are replaced even when it matches
 * (`docker compose up --force-recreate`): a container changed by hand keeps the label it was made with.
 */
export function planReplicas(
  containers: readonly PlacedContainer[],
  inventories: ReadonlyMap<string, StackInventory>,
  recreate: ReadonlySet<string> = new Set(),
): PlannedReplica[] {
  return containers.map((placed) => {
    const inventory = inventories.get(placed.hostId);
    const current = inventory?.containers.find((c) => c.name === placed.name);
    if (!current) return { ...placed, plan: 'create' };
    if (recreate.has(placed.name)) return { ...placed, plan: 'replace', current };
    const wanted = inventory?.hashes[placed.service];
    const plan: ReplicaPlan =
      wanted !== undefined && current.configHash === wanted
        ? current.state === 'running'
          ? 'unchanged'
          : 'start'
        : 'replace';
    return { ...placed, plan, current };
  });
}
