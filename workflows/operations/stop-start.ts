import { z } from 'zod';
import { dependencyWaves } from '../../stack/waves.js';
import { runOperation } from '../kit/lifecycle.js';
import { defineOperation } from '../kit/operation-type.js';
import { sweepInWaves } from '../kit/sweeps.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';
import { hostSweep } from '../timeouts.js';

/**
 * Stops every container of the stack on every host, dependents before the services they depend on:
 * the start waves in reverse, so an app on one host is down before its database on another stops.
 * Its steps overtake deploy work queued on a busy host.
 */
export async function stopWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  const waves = (input.spec ? dependencyWaves(input.spec) : []).reverse();
  return runOperation(input, stop, (op) =>
    sweepInWaves(op, waves, (docker, hostId, services) =>
      docker.stopContainers.executeWithOptions(
        { summary: `stop ${services.join(', ')} of ${input.stack} on ${hostId}` },
        [{ stack: input.stack, services }],
      ),
    ),
  );
}

/** Starts the stack's containers wave by wave across hosts, so dependencies are up first. */
export async function startWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  const waves = input.spec ? dependencyWaves(input.spec) : [];
  return runOperation(input, start, (op) =>
    sweepInWaves(
      op,
      waves,
      (docker, hostId, services) =>
        docker.startContainers.executeWithOptions(
          { summary: `start ${services.join(', ')} of ${input.stack} on ${hostId}` },
          [{ stack: input.stack, services }],
        ),
      hostSweep,
    ),
  );
}

export const stop = defineOperation({
  name: 'stop',
  description: 'Stop every container of the stack on every host, dependents first; they are kept.',
  role: 'deployer',
  options: z.strictObject({}),
  actions: {},
  placesVersion: false,
  goalStates: ['stopped'],
  workflow: stopWorkflow,
});

export const start = defineOperation({
  name: 'start',
  description: 'Start the stack’s stopped containers again, dependencies first.',
  role: 'deployer',
  options: z.strictObject({}),
  actions: {},
  placesVersion: false,
  goalStates: ['running'],
  workflow: startWorkflow,
});
