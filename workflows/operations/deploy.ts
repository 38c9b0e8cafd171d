import { z } from 'zod';
import { runOperation } from '../kit/lifecycle.js';
import { defineOperation } from '../kit/operation-type.js';
import { placementOptions } from '../kit/options.js';
import { Rollout, rollOutVersion } from '../kit/rollout.js';
import { withSaga } from '../kit/saga.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';

/**
 * Places a stack version as a rolling update: every host made ready and asked what it holds, then
 * dependency wave by wave, each service per its update_config (unchanged replicas untouched, new ones
 * all at once, running ones replaced in batches). Success commits the version; a failure whose
 * `failure_action` is rollback, an abort or a cancel compensates everything it did.
 */
export async function deployWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  return runOperation(input, deploy, (op) =>
    withSaga(op, async () => {
      const rollout = new Rollout(op);
      await rollOutVersion(rollout);
      return rollout.notes;
    }),
  );
}

export const deploy = defineOperation({
  name: 'deploy',
  description:
    'Place a stack version onto its hosts as a rolling update (each service per its update_config), ' +
    'dependencies first; a failure, an abort or a cancel rolls back to the previous version.',
  role: 'deployer',
  options: z.strictObject({
    ...placementOptions,
    recreate: z
      .array(z.string().min(1))
      .max(10_000)
      .optional()
      .describe(
        'Containers (by name) to replace even when their definition did not change, as ' +
          '`docker compose up --force-recreate`; a repair lists the ones found changed',
      ),
  }),
  actions: {
    resume: {
      description: 'Go on with an update that paused on a failure (failure_action: pause), trying it again',
      role: 'deployer',
    },
    abort: {
      description: 'Stop a paused update and roll back everything it changed',
      role: 'deployer',
    },
  },
  placesVersion: true,
  goalStates: ['running', 'healthy', 'completed', 'unchanged'],
  workflow: deployWorkflow,
});
