import { type ActivityInterfaceFor, patched } from '@temporalio/workflow';
import type { DockerActivities, SweepResult } from '../activities/docker/index.js';
import type { ContainerState } from '../contracts/vocabulary.js';
import { dependencyWaves } from '../stack/waves.js';
import { failuresByHost } from './failures.js';
import { dockerOn, onHost, pickupRouter } from './kit/hosts.js';
import {
  finishOperation,
  onEveryHost,
  operationFailure,
  syncObserved,
  trackOperation,
} from './kit/lifecycle.js';
import type { OperationType } from './kit/operation-type.js';
import type { StackOperationInput } from './operation-types.js';
import type { ProgressTracker } from './progress.js';
import type { OperationProgress } from './progress-types.js';
import { hostSweep } from './timeouts.js';

type Sweep = (
  docker: ActivityInterfaceFor<DockerActivities>,
  services: string[],
) => ReturnType<DockerActivities['stopContainers']>;

// FROZEN: the `stop` and `start` types run stopWorkflow and startWorkflow (workflows/operations/
// stop-start.ts) now. These stay, unchanged, only so that runs started before finish and their
// recorded histories replay.

const stop = { name: 'stop', goalStates: ['stopped'] } as const;
const start = { name: 'start', goalStates: ['running'] } as const;

/**
 * Stops every container of the stack on every host, dependents before the services they depend on:
 * the start waves in reverse, so an app on one host is down before its database on another stops.
 * Runs started before that stopped every host at once, in reverse declaration order.
 */
export async function stopStackWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  const inWaves = patched('stop-in-waves');
  const waves = inWaves
    ? (input.spec ? dependencyWaves(input.spec) : []).reverse()
    : [(input.spec?.services ?? []).map((s) => s.name).reverse()];
  return sweepInWaves(input, stop, waves, (docker, services) =>
    docker.stopContainers.executeWithOptions(
      { summary: inWaves ? `stop ${services.join(', ')} of ${input.stack}` : `stop ${input.stack}` },
      [{ stack: input.stack, services }],
    ),
  );
}

/** Starts the stack's containers wave by wave across hosts, so dependencies are up first. */
export async function startStackWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  const waves = input.spec ? dependencyWaves(input.spec) : [];
  return sweepInWaves(input, start, waves, (docker, services) =>
    docker.startContainers.executeWithOptions({ summary: `start ${services.join(', ')} of ${input.stack}` }, [
      { stack: input.stack, services },
    ]),
  );
}

async function sweepInWaves(
  input: StackOperationInput,
  type: Pick<OperationType, 'name' | 'goalStates'>,
  waves: string[][],
  sweep: Sweep,
): Promise<OperationProgress> {
  const operation = type.name;
  return trackOperation(
    input,
    type,
    async (tracker) => {
      const failures: string[] = [];
      for (const [index, services] of waves.entries()) {
        tracker.setPhase(`${operation} wave ${index + 1} of ${waves.length}: ${services.join(', ')}`);
        const results = await onEveryHost(input.hostIds, (hostId) =>
          onHost(hostId, input.pickupTimeout, () =>
            sweep(dockerOn(hostId, hostSweep, input.pickupTimeout), services),
          ),
        );
        recordStates(tracker, results);
        await syncObserved(input, results);
        failures.push(...failuresByHost(results));
        if (failures.length > 0) break;
      }
      if (failures.length > 0) {
        throw operationFailure(await finishOperation(tracker, 'failed', failures.join('; ')));
      }
      return finishOperation(tracker, 'succeeded', null);
    },
    pickupRouter(input.pickupTimeout),
  );
}

function recordStates(tracker: ProgressTracker, results: Map<string, PromiseSettledResult<SweepResult>>) {
  for (const [hostId, result] of results) {
    if (result.status !== 'fulfilled') continue;
    const affected = new Set(result.value.affected);
    tracker.apply(
      result.value.remaining
        .filter((c) => affected.has(c.name))
        .map((c) => ({
          hostId,
          name: c.name,
          service: c.service,
          replica: c.replica,
          containerId: c.containerId,
          status: dockerStateToProgress(c.state),
        })),
    );
  }
}

function dockerStateToProgress(state: string): ContainerState {
  if (state === 'running') return 'running';
  if (state === 'exited' || state === 'created') return 'stopped';
  return 'failed';
}
