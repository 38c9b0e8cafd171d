import { heartbeat } from '@temporalio/activity';
import type Docker from 'dockerode';
import { LABEL_DEPLOYMENT, LABEL_REPLICA, LABEL_SERVICE } from '../../stack/names.js';
import type { HostDocker } from './host-docker.js';
import { removeStackNetworks } from './networks.js';
import { isRetiredName, parseRetiredName } from './retired-names.js';
import type { ObservedContainer, PruneInput, RollbackInput, ServiceSelection, SweepResult } from './types.js';

// Whole-stack steps on one host. Each finds its containers by label (never by remembered IDs), so
// it cleans up correctly even when the database or the workflow's records are behind Docker.

const nameOf = (info: Docker.ContainerInfo) => (info.Names[0] ?? info.Id).replace(/^\//, '');
const newestFirst = (a: Docker.ContainerInfo, b: Docker.ContainerInfo) => b.Created - a.Created;

export async function listStackContainers(host: HostDocker, stack: string): Promise<ObservedContainer[]> {
  const containers = await host.stackContainers(stack);
  return containers
    .map((info) => ({
      containerId: info.Id,
      name: nameOf(info),
      service: info.Labels[LABEL_SERVICE] ?? '',
      replica: Number(info.Labels[LABEL_REPLICA] ?? 0),
      deploymentId: info.Labels[LABEL_DEPLOYMENT] ?? '',
      image: info.Image,
      state: info.State,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function removeAll(host: HostDocker, containers: Docker.ContainerInfo[]): Promise<string[]> {
  const removed: string[] = [];
  for (const info of [...containers].sort(newestFirst)) {
    heartbeat({ removing: nameOf(info) });
    if (await host.remove(info.Id)) removed.push(nameOf(info));
  }
  return removed;
}

/** Drops the stack's networks once no container of the stack is left on this host. */
async function finish(host: HostDocker, stack: string, affected: string[], restored: string[] = []) {
  const remaining = await listStackContainers(host, stack);
  if (remaining.length === 0) await removeStackNetworks(host, stack);
  return { affected, restored, remaining };
}

/**
 * The saga's compensation on one host: removes every container this deployment created (newest
 * first), renames the containers it retired back and restarts those that were running.
 */
export async function rollbackDeployment(host: HostDocker, input: RollbackInput): Promise<SweepResult> {
  const created = (
    await host.stackContainers(input.stack, { [LABEL_DEPLOYMENT]: input.deploymentId })
  ).filter((info) => !isRetiredName(nameOf(info)));
  const removed = await removeAll(host, created);
  const restored: string[] = [];
  for (const info of await host.stackContainers(input.stack)) {
    const retired = parseRetiredName(nameOf(info), input.deploymentId);
    if (!retired) continue;
    heartbeat({ restoring: retired.name });
    if (!(await host.inspect(retired.name))) await host.rename(info.Id, retired.name);
    if (retired.wasRunning) await host.start(info.Id);
    restored.push(retired.name);
  }
  return finish(host, input.stack, removed, restored);
}

/** After a successful deploy: removes what the new version no longer has (old replicas, retired containers). */
export async function pruneStack(host: HostDocker, input: PruneInput): Promise<SweepResult> {
  const keep = new Set(input.keep);
  const obsolete = (await host.stackContainers(input.stack)).filter((info) => !keep.has(nameOf(info)));
  return finish(host, input.stack, await removeAll(host, obsolete));
}

/** Deletes the stack from this host and checks that nothing carrying its label is left. */
export async function removeStack(host: HostDocker, stack: string): Promise<SweepResult> {
  const result = await pruneStack(host, { stack, keep: [] });
  if (result.remaining.length > 0) {
    const names = result.remaining.map((c) => c.name).join(', ');
    throw new Error(`host ${host.hostId} still holds ${names} of stack ${stack}`);
  }
  return result;
}

export async function stopContainers(host: HostDocker, input: ServiceSelection): Promise<SweepResult> {
  return forEachSelected(host, input, (id) => host.stop(id));
}

export async function startContainers(host: HostDocker, input: ServiceSelection): Promise<SweepResult> {
  return forEachSelected(host, input, (id) => host.start(id));
}

/**
 * Applies `step` to the stack's containers of the given services, in the order the services are
 * listed (dependency order for start, its reverse for stop).
 */
async function forEachSelected(
  host: HostDocker,
  input: ServiceSelection,
  step: (containerId: string) => Promise<void>,
): Promise<SweepResult> {
  const rank = new Map(input.services.map((service, index) => [service, index]));
  const rankOf = (info: Docker.ContainerInfo) => rank.get(info.Labels[LABEL_SERVICE] ?? '') ?? -1;
  const selected = (await host.stackContainers(input.stack))
    .filter((info) => rankOf(info) >= 0 && !isRetiredName(nameOf(info)))
    .sort(
      (a, b) => rankOf(a) - rankOf(b) || Number(a.Labels[LABEL_REPLICA]) - Number(b.Labels[LABEL_REPLICA]),
    );
  for (const info of selected) {
    heartbeat({ container: nameOf(info) });
    await step(info.Id);
  }
  return {
    affected: selected.map(nameOf),
    restored: [],
    remaining: await listStackContainers(host, input.stack),
  };
}
