import { heartbeat } from '@temporalio/activity';
import type Docker from 'dockerode';
import { LABEL_DEPLOYMENT, LABEL_REPLICA, LABEL_SERVICE } from '../../contracts/vocabulary.js';
import { replicaNameOf } from '../../stack/names.js';
import { pruneBundles, removeStackFiles } from './bundles.js';
import type { HostDocker } from './host-docker.js';
import { removeStackNetworks, removeStackVolumes } from './networks.js';
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

/** How many containers of one host are stopped or started at once: a grace period each, not their sum. */
const PER_HOST_CONCURRENCY = 8;

/** Docker states in which a container gets `docker stop` before removal (Graphium never pauses one). */
const STOPPABLE_STATES = new Set(['running', 'restarting']);

/**
 * Removes the containers, newest first. `graceful` stops each running one first, with its own
 * stop signal and grace period, at most PER_HOST_CONCURRENCY at once; without it a running
 * container is killed (rollback: containers this deployment just created, never serving yet).
 * Returns the names removed, in that order.
 */
async function removeAll(
  host: HostDocker,
  containers: Docker.ContainerInfo[],
  { graceful }: { graceful: boolean },
): Promise<string[]> {
  const ordered = [...containers].sort(newestFirst);
  const removed = ordered.map(() => false);
  await forEachBounded(ordered, graceful ? PER_HOST_CONCURRENCY : 1, async (info, index) => {
    heartbeat({ removing: nameOf(info) });
    if (graceful && STOPPABLE_STATES.has(info.State)) await host.stop(info.Id);
    removed[index] = await host.remove(info.Id);
  });
  return ordered.filter((_, index) => removed[index]).map(nameOf);
}

/**
 * Runs `step` on every item, at most `limit` at once, starting them in order. After a failure no
 * further item is started; the ones under way finish, then the first error is thrown.
 */
async function forEachBounded<T>(
  items: T[],
  limit: number,
  step: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        await step(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}

/** Drops the stack's networks once no container of the stack is left on this host. */
async function finish(host: HostDocker, stack: string, affected: string[], restored: string[] = []) {
  const remaining = await listStackContainers(host, stack);
  if (remaining.length === 0) await removeStackNetworks(host, stack);
  return { affected, restored, remaining };
}

/**
 * The saga's compensation on one host: removes every container this deployment created (newest
 * first), restarts the containers it retired that were running and renames them all back. With
 * `names`, only those replicas (their new containers: `next`, `canary` and `green` ones included).
 * `start-first` starts each previous container again before the new ones go, so the service never
 * has a gap; by default the new ones go first.
 */
export async function rollbackDeployment(host: HostDocker, input: RollbackInput): Promise<SweepResult> {
  const containers = await host.stackContainers(input.stack);
  const only = input.names ? new Set(input.names) : undefined;
  const selected = (name: string) => !only || only.has(replicaNameOf(name));
  const created = containers.filter(
    (info) =>
      info.Labels[LABEL_DEPLOYMENT] === input.deploymentId &&
      !isRetiredName(nameOf(info)) &&
      selected(nameOf(info)),
  );
  const retired = containers.flatMap((info) => {
    const parsed = parseRetiredName(nameOf(info), input.deploymentId);
    return parsed && selected(parsed.name) ? [{ info, ...parsed }] : [];
  });
  const startFirst = input.order === 'start-first';
  // Start before renaming back: if the agent dies in between, the retry still finds the container
  // by its retired name, which says it was running, and finishes (starting again is a no-op).
  const restart = async () => {
    for (const { info, name, wasRunning } of retired) {
      heartbeat({ restoring: name });
      if (wasRunning) await host.start(info.Id);
    }
  };
  if (startFirst) await restart();
  const removed = await removeAll(host, created, { graceful: false });
  if (!startFirst) await restart();
  const restored: string[] = [];
  for (const { info, name } of retired) {
    if (!(await host.inspect(name))) await host.rename(info.Id, name);
    restored.push(name);
  }
  return finish(host, input.stack, removed, restored);
}

/**
 * After a successful deploy: removes what the new version no longer has (old replicas, retired
 * containers), stopping running ones gracefully first, then the other versions' bundle trees.
 */
export async function pruneStack(host: HostDocker, input: PruneInput): Promise<SweepResult> {
  const keep = new Set(input.keep);
  const containers = await host.stackContainers(input.stack);
  const obsolete = containers.filter((info) => !keep.has(nameOf(info)));
  const removed = await removeAll(host, obsolete, { graceful: true });
  const mustRun = new Set(input.running ?? []);
  for (const info of containers) {
    if (!mustRun.has(nameOf(info)) || STOPPABLE_STATES.has(info.State)) continue;
    heartbeat({ starting: nameOf(info) });
    host.log.warn(
      { container: nameOf(info), state: info.State },
      'a container of the new version stopped; starting it',
    );
    await host.start(info.Id);
  }
  const result = await finish(host, input.stack, removed);
  const pruned = await pruneBundles(host.files, input.stack, input.bundleDigest);
  if (pruned.length > 0) host.log.info({ stack: input.stack, bundles: pruned }, 'old bundles removed');
  return result;
}

/**
 * Deletes the stack from this host and checks that nothing carrying its label is left; then its
 * files in the agent's data directory (bundles). Its data, volumes and `stack-data` directories, stays
 * unless `volumes` asks for it too (`graphium delete --volumes`), as with `docker compose down -v`.
 */
export async function removeStack(host: HostDocker, stack: string, volumes = false): Promise<SweepResult> {
  const result = await pruneStack(host, { stack, keep: [] });
  if (result.remaining.length > 0) {
    const names = result.remaining.map((c) => c.name).join(', ');
    throw new Error(`host ${host.hostId} still holds ${names} of stack ${stack}`);
  }
  if (volumes) {
    const removed = await removeStackVolumes(host, stack);
    if (removed.length > 0) host.log.info({ stack, volumes: removed }, 'stack volumes removed');
  }
  await removeStackFiles(host.files, stack, { keepData: !volumes });
  return result;
}

export async function stopContainers(host: HostDocker, input: ServiceSelection): Promise<SweepResult> {
  return forEachSelected(host, input, (id) => host.stop(id));
}

export async function startContainers(host: HostDocker, input: ServiceSelection): Promise<SweepResult> {
  return forEachSelected(host, input, (id) => host.start(id));
}

/**
 * Applies `step` to the stack's containers of the given services, service by service in the order
 * they are listed (dependency order for start, its reverse for stop); the replicas of one service
 * at most PER_HOST_CONCURRENCY at once.
 */
async function forEachSelected(
  host: HostDocker,
  input: ServiceSelection,
  step: (containerId: string) => Promise<void>,
): Promise<SweepResult> {
  const rank = new Map(input.services.map((service, index) => [service, index]));
  const rankOf = (info: Docker.ContainerInfo) => rank.get(info.Labels[LABEL_SERVICE] ?? '') ?? -1;
  const named = input.names ? new Set(input.names) : undefined;
  const selected = (await host.stackContainers(input.stack))
    .filter((info) => (named ? named.has(nameOf(info)) : rankOf(info) >= 0 && !isRetiredName(nameOf(info))))
    .sort(
      (a, b) => rankOf(a) - rankOf(b) || Number(a.Labels[LABEL_REPLICA]) - Number(b.Labels[LABEL_REPLICA]),
    );
  for (const replicas of runsOf(selected, rankOf)) {
    await forEachBounded(replicas, PER_HOST_CONCURRENCY, async (info) => {
      heartbeat({ container: nameOf(info) });
      await step(info.Id);
    });
  }
  return {
    affected: selected.map(nameOf),
    restored: [],
    remaining: await listStackContainers(host, input.stack),
  };
}

/** Splits a sorted list into runs of consecutive items with the same key. */
function runsOf<T>(items: T[], keyOf: (item: T) => unknown): T[][] {
  const runs: T[][] = [];
  for (const item of items) {
    const run = runs.at(-1);
    if (run && keyOf(run[0] as T) === keyOf(item)) run.push(item);
    else runs.push([item]);
  }
  return runs;
}
