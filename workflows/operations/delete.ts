import { z } from 'zod';
import { runOperation } from '../kit/lifecycle.js';
import { defineOperation } from '../kit/operation-type.js';
import { removeEverywhere } from '../kit/sweeps.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';

/**
 * Deletes a stack from every host it could have touched: each host's agent finds the containers by
 * the stack's label (not by what the database remembers), removes them and the stack's networks,
 * and checks nothing is left. The stack is marked deleted only when every host confirms. Its steps
 * overtake deploy work queued on a busy host. Its volumes and data directories stay unless the
 * `volumes` option asks for them.
 */
export async function deleteWorkflow(input: StackOperationInput<DeleteOptions>): Promise<OperationProgress> {
  return runOperation(input, remove, (op) =>
    removeEverywhere(op, { volumes: input.options?.volumes === true }),
  );
}

const deleteOptions = z.strictObject({
  volumes: z
    .boolean()
    .optional()
    .describe("Also remove the stack's volumes and data directories on every host (`--volumes`)."),
});
type DeleteOptions = z.output<typeof deleteOptions>;

export const remove = defineOperation({
  name: 'delete',
  description:
    'Remove every container and network of the stack from every host, then the stack itself; its volumes only with `volumes`.',
  role: 'deployer',
  options: deleteOptions,
  actions: {},
  placesVersion: false,
  goalStates: ['removed'],
  workflow: deleteWorkflow,
});
