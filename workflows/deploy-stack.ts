import { CancellationScope, CancelledFailure, patched, startChild, workflowInfo } from '@temporalio/workflow';
import type { SweepResult } from '../activities/docker/types.js';
import { hostsKey, operationKey, stackKey } from '../contracts/search-attributes.js';
import type { PlacedContainer, StackSpec } from '../stack/types.js';
import { dependencyWaves } from '../stack/waves.js';
import { groupBy } from './concurrency.js';
import { control } from './control.js';
import { HOST_OFFLINE } from './errors.js';
import { describeFailure, failuresByHost, failureType, isCancellation } from './failures.js';
import { hostDeployWorkflow } from './host-deploy.js';
import { dockerOn, onHost, pickupRouter } from './kit/hosts.js';
import {
  finishOperation,
  onEveryHost,
  operationFailure,
  syncObserved,
  trackOperation,
} from './kit/lifecycle.js';
import {
  DEFAULT_MAX_PARALLEL_PER_HOST,
  DEFAULT_SETTLE_MS,
  type StackOperationInput,
} from './operation-types.js';
import type { ProgressTracker } from './progress.js';
import type { OperationProgress } from './progress-types.js';
import { hostSweep } from './timeouts.js';

/**
 * FROZEN: the `deploy` type runs deployWorkflow (workflows/operations/deploy.ts) now. This one stays,
 * unchanged, only so that runs started before finish and their recorded histories replay; never
 * change what it schedules.
 *
 * Deploys a stack version: dependency wave by wave, one child workflow per host per wave, all
 * hosts of a wave in parallel. Success commits the version (old replicas and retired containers
 * are removed). Any failure, or a cancellation, runs the saga instead: every host this deployment
 * reached removes what it created and puts back what it replaced, so the previous version keeps
 * running.
 */
export async function deployStackWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  const spec = input.spec!;
  const deploy = { name: 'deploy', goalStates: ['running', 'healthy', 'completed', 'unchanged'] } as const;
  return trackOperation(
    input,
    deploy,
    async (tracker) => {
      const hosts: WaveHosts = { started: new Set(), offline: new Set() };
      try {
        const waves = dependencyWaves(spec);
        for (const [index, services] of waves.entries()) {
          tracker.setPhase(`wave ${index + 1} of ${waves.length}: ${services.join(', ')}`);
          await deployWave(input, spec, index + 1, services, tracker, hosts);
          const snapshot = tracker.snapshot();
          await control.recordProgress({
            deploymentId: input.deploymentId,
            progress: snapshot.progress,
            containers: snapshot.containers,
          });
        }
      } catch (error) {
        // Compensation must finish even when the deployment was cancelled.
        return CancellationScope.nonCancellable(() => compensate(input, tracker, hosts, error));
      }
      // Past this point the new version is in place: a late cancellation no longer rolls it back.
      return CancellationScope.nonCancellable(() => commit(input, tracker));
    },
    pickupRouter(input.pickupTimeout),
  );
}

/** Which hosts got a child workflow, and which of those never picked up work (offline). */
interface WaveHosts {
  started: Set<string>;
  offline: Set<string>;
}

async function deployWave(
  input: StackOperationInput,
  spec: StackSpec,
  wave: number,
  services: string[],
  tracker: ProgressTracker,
  hosts: WaveHosts,
): Promise<void> {
  const containers = input.placements.filter((c) => services.includes(c.service));
  const byHost = groupBy(containers, (c) => c.hostId);
  const { workflowId } = workflowInfo();
  let firstFailure: unknown;
  // A failure on one host cancels the wave on the others, then everything is compensated at once.
  const wave$ = new CancellationScope();
  await wave$.run(() =>
    Promise.all(
      [...byHost].map(([hostId, hostContainers]) =>
        startChild(hostDeployWorkflow, {
          workflowId: `${workflowId}-${hostId}-wave${wave}`,
          staticSummary: `${input.stack} wave ${wave} on ${hostId}: ${hostContainers.length} containers`,
          typedSearchAttributes: [
            { key: stackKey, value: input.stack },
            { key: hostsKey, value: [hostId] },
            { key: operationKey, value: 'deploy' },
          ],
          args: [
            {
              deploymentId: input.deploymentId,
              stack: input.stack,
              hostId,
              wave,
              spec,
              containers: hostContainers,
              pickupTimeout: input.pickupTimeout,
              maxParallel: input.options?.maxParallelPerHost ?? DEFAULT_MAX_PARALLEL_PER_HOST,
              settleMs: input.options?.settleMs ?? DEFAULT_SETTLE_MS,
              ...(input.options?.pull ? { pull: true } : {}),
              ...(input.registries?.length ? { registries: input.registries } : {}),
            },
          ],
        })
          .then((child) => {
            hosts.started.add(hostId);
            return child.result();
          })
          .catch((error) => {
            if (failureType(error) === HOST_OFFLINE) hosts.offline.add(hostId);
            firstFailure ??= error;
            wave$.cancel();
          }),
      ),
    ),
  );
  tracker.publish();
  if (firstFailure) throw firstFailure;
}

async function commit(input: StackOperationInput, tracker: ProgressTracker): Promise<OperationProgress> {
  tracker.setPhase('removing replaced and obsolete containers');
  const keep = groupBy(input.placements, (c) => c.hostId);
  const hosts = [...new Set([...input.hostIds, ...keep.keys()])].sort();
  const results = await onEveryHost(hosts, (hostId) =>
    onHost(hostId, input.pickupTimeout, () =>
      dockerOn(hostId, hostSweep, input.pickupTimeout).pruneStack.executeWithOptions(
        { summary: `remove obsolete containers of ${input.stack} on ${hostId}` },
        [
          {
            stack: input.stack,
            keep: (keep.get(hostId) ?? []).map((c: PlacedContainer) => c.name),
            // Every other version's files go; a version without files keeps none.
            ...(input.spec?.bundle ? { bundleDigest: input.spec.bundle.digest } : {}),
          },
        ],
      ),
    ),
  );
  await syncObserved(input, results);
  const warnings = failuresByHost(results).map((f) => `obsolete containers may remain: ${f}`);
  return finishOperation(tracker, 'succeeded', warnings.length > 0 ? warnings.join('; ') : null);
}

async function compensate(
  input: StackOperationInput,
  tracker: ProgressTracker,
  waveHosts: WaveHosts,
  cause: unknown,
): Promise<OperationProgress> {
  const cancelled = isCancellation(cause);
  tracker.error = cancelled ? 'cancelled on request' : describeFailure(cause);
  tracker.setPhase('compensating: removing what this deployment created');
  const reached = [...tracker.reachedHosts];
  // Every host whose child ran may hold containers of this deployment, even if its progress signal
  // never arrived (a terminated child): all but those that never picked up any work are visited.
  const visit = patched('rollback-every-started-host')
    ? [...waveHosts.started]
        .filter((h) => !waveHosts.offline.has(h) || tracker.reachedHosts.has(h))
        .concat(reached)
    : reached;
  const hosts = [...new Set(visit)].sort();
  const results = await onEveryHost(hosts, (hostId) =>
    onHost(hostId, input.pickupTimeout, () =>
      dockerOn(hostId, hostSweep, input.pickupTimeout).rollbackDeployment.executeWithOptions(
        { summary: `roll back ${input.stack} on ${hostId}` },
        [{ stack: input.stack, deploymentId: input.deploymentId }],
      ),
    ),
  );
  markCompensated(tracker, results);
  await syncObserved(input, results);
  const incomplete = failuresByHost(results).map((f) => `rollback incomplete: ${f}`);
  // A rollback that could not finish outranks the cancellation: someone must look at that host.
  const status = incomplete.length > 0 ? 'failed' : cancelled ? 'cancelled' : 'rolled_back';
  const snapshot = await finishOperation(tracker, status, [tracker.error, ...incomplete].join('; '));
  if (cancelled && status === 'cancelled')
    throw new CancelledFailure(`deployment of ${input.stack} cancelled; ${snapshot.error}`);
  throw operationFailure(snapshot);
}

/** Containers this deployment touched on a host that was rolled back show `compensated`. */
function markCompensated(
  tracker: ProgressTracker,
  results: Map<string, PromiseSettledResult<SweepResult>>,
): void {
  const touched = ['pulling', 'building', 'creating', 'starting', 'running', 'healthy', 'completed'];
  tracker.apply(
    tracker
      .list()
      .filter((c) => results.get(c.hostId)?.status === 'fulfilled' && touched.includes(c.status))
      .map((c) => ({ hostId: c.hostId, name: c.name, status: 'compensated' as const })),
  );
}
