import { CancellationScope, CancelledFailure, patched, sleep } from '@temporalio/workflow';
import type { SweepResult } from '../../activities/docker/types.js';
import type { ContainerState } from '../../contracts/vocabulary.js';
import { groupBy } from '../concurrency.js';
import { HOST_OFFLINE } from '../errors.js';
import { describeFailure, failuresByHost, failureType, isCancellation } from '../failures.js';
import type { ContainerProgress, OperationProgress } from '../progress-types.js';
import { hostSweep, urgentHostSweep } from '../timeouts.js';
import { HostLinks } from './hosts.js';
import { finishOperation, type Operation, onEveryHost, operationFailure, syncObserved } from './lifecycle.js';
import { restoreReplicas } from './replicas.js';

// How an operation that places a version ends: committed (what the version no longer has is removed
// from every host), or compensated (every host it reached goes back to what it held before).

/**
 * Runs `body` as a saga: once it returns, the version is committed; if it throws (a failure, an
 * abort, a cancellation), everything this deployment did is undone. Both ends run in a
 * non-cancellable scope, so a cancelled deployment is still cleaned up. `body` returns notes for the
 * record (replicas that kept their previous version).
 */
export async function withSaga(op: Operation, body: () => Promise<string[]>): Promise<OperationProgress> {
  let notes: string[];
  try {
    notes = await body();
  } catch (error) {
    return CancellationScope.nonCancellable(() => compensate(op, error));
  }
  // Past this point the new version is in place: a late cancellation no longer rolls it back.
  return CancellationScope.nonCancellable(() => commit(op, notes));
}

/**
 * After a successful placement: every host of the stack removes the containers the version does
 * not have (replaced, moved, surplus replicas; canaries; blue), stopping each gracefully first, and
 * the other versions' files.
 */
export async function commit(op: Operation, notes: string[] = []): Promise<OperationProgress> {
  const { input, tracker, hosts } = op;
  tracker.setPhase('removing replaced and obsolete containers');
  const keep = groupBy(input.placements, (c) => c.hostId);
  const hostIds = [...new Set([...input.hostIds, ...keep.keys()])].sort();
  const results = await onEveryHost(hostIds, (hostId) =>
    hosts.run(hostId, hostSweep, (docker) =>
      docker.pruneStack.executeWithOptions(
        { summary: `remove obsolete containers of ${input.stack} on ${hostId}` },
        [
          {
            stack: input.stack,
            keep: (keep.get(hostId) ?? []).map((c) => c.name),
            // What this deploy found running must run when it commits (a daemon restart may have stopped it).
            // One lookup per container: a sorted list per container was quadratic in the stack's size.
            running: (keep.get(hostId) ?? [])
              .filter((c) =>
                ['running', 'healthy', 'unchanged'].includes(tracker.get(hostId, c.name)?.status ?? ''),
              )
              .map((c) => c.name),
            // Every other version's files go; a version without files keeps none.
            ...(input.spec?.bundle ? { bundleDigest: input.spec.bundle.digest } : {}),
          },
        ],
      ),
    ),
  );
  await syncObserved(input, results);
  // Containers that only stood in for a while (canaries, green names) are gone from the hosts now.
  const kept = new Set(input.placements.map((c) => `${c.hostId}/${c.name}`));
  tracker.drop((c) => !kept.has(`${c.hostId}/${c.name}`));
  const warnings = failuresByHost(results).map((f) => `obsolete containers may remain: ${f}`);
  const said = [...notes, ...warnings];
  return finishOperation(tracker, 'succeeded', said.length > 0 ? said.join('; ') : null);
}

/** How long a rollback waits for a host whose agent went away before it leaves the deployment failed. */
export const ROLLBACK_PATIENCE = '10m';

/** Containers that this deployment may have changed, by their progress. */
const TOUCHED: readonly ContainerState[] = [
  'pulling',
  'building',
  'creating',
  'starting',
  'running',
  'healthy',
  'completed',
];

/**
 * Undoes a deployment: services with a `rollback_config` first, batch by batch as it says; then every
 * host this deployment reached (except hosts whose agent never picked anything up) removes what the
 * deployment created and puts back what it replaced, ahead of other work queued there. Ends as
 * `rolled_back`, `cancelled`, or `failed` when a host could not be rolled back (someone must look).
 */
export async function compensate(op: Operation, cause: unknown): Promise<never> {
  const { input, tracker, hosts } = op;
  const cancelled = isCancellation(cause);
  tracker.error = cancelled ? 'cancelled on request' : describeFailure(cause);
  tracker.setPhase('compensating: removing what this deployment created');
  await rollBackAsConfigured(op);
  const rollBack = (links: HostLinks, hostIds: string[]) =>
    onEveryHost(hostIds, (hostId) =>
      links.run(hostId, urgentHostSweep, (docker) =>
        docker.rollbackDeployment.executeWithOptions({ summary: `roll back ${input.stack} on ${hostId}` }, [
          { stack: input.stack, deploymentId: input.deploymentId },
        ]),
      ),
    );
  const results = await rollBack(hosts, hosts.touchedHosts());
  const offline = [...results]
    .filter(([, result]) => result.status === 'rejected' && failureType(result.reason) === HOST_OFFLINE)
    .map(([hostId]) => hostId);
  // A host that went away (a partition, a reboot) is waited for before the rollback gives up on it:
  // leaving half a deployment behind is worse than a late end. Asked only when a host was offline, so
  // runs recorded before this replay as they were.
  if (offline.length > 0 && patched('rollback-waits-for-offline-hosts')) {
    tracker.setPhase(
      `compensating: waiting up to ${ROLLBACK_PATIENCE} for ${offline.join(', ')} to come back`,
    );
    for (const [hostId, result] of await rollBack(new HostLinks(ROLLBACK_PATIENCE), offline)) {
      results.set(hostId, result);
    }
  }
  markCompensated(op, results);
  await syncObserved(input, results);
  const incomplete = failuresByHost(results).map((f) => `rollback incomplete: ${f}`);
  // A rollback that could not finish outranks the cancellation: someone must look at that host.
  const status = incomplete.length > 0 ? 'failed' : cancelled ? 'cancelled' : 'rolled_back';
  const snapshot = await finishOperation(tracker, status, [tracker.error, ...incomplete].join('; '));
  if (cancelled && status === 'cancelled') {
    throw new CancelledFailure(`${snapshot.operation} of ${input.stack} cancelled; ${snapshot.error}`);
  }
  throw operationFailure(snapshot);
}

/**
 * `rollback_config`: the replicas of such a service go back `parallelism` at a time across its
 * hosts, `delay` apart, start-first (the previous container is running again before the new one
 * goes) or stop-first. What fails here is left to the host sweeps that follow, which repeat it.
 */
async function rollBackAsConfigured(op: Operation): Promise<void> {
  const { input, tracker } = op;
  for (const service of input.spec?.services ?? []) {
    const config = service.rollbackConfig;
    if (!config) continue;
    const replicas = tracker
      .list()
      .filter((c) => c.service === service.name && (TOUCHED.includes(c.status) || c.status === 'failed'))
      .sort((a, b) => a.replica - b.replica);
    const size = config.parallelism > 0 ? config.parallelism : replicas.length;
    for (let start = 0; start < replicas.length; start += size) {
      if (start > 0 && config.delayMs > 0) await sleep(config.delayMs);
      const batch = replicas.slice(start, start + size).map(replicaOf);
      tracker.setPhase(`compensating: putting back ${batch.map((r) => r.name).join(', ')}`);
      await restoreReplicas(op, batch, config.order).catch(() => undefined);
    }
  }
}

const replicaOf = (c: ContainerProgress) => ({
  hostId: c.hostId,
  name: c.name,
  service: c.service,
  replica: c.replica,
});

/** Containers this deployment touched on a host that was rolled back show `compensated`. */
function markCompensated(op: Operation, results: Map<string, PromiseSettledResult<SweepResult>>): void {
  const { tracker } = op;
  tracker.apply(
    tracker
      .list()
      .filter((c) => results.get(c.hostId)?.status === 'fulfilled' && TOUCHED.includes(c.status))
      .map((c) => ({ hostId: c.hostId, name: c.name, status: 'compensated' as const })),
  );
}
