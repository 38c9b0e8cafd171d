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
 * overtake deploy work queued on a busy host.
 */
export async function deleteWorkflow(input: StackOperationInput): Promise<OperationProgress> {
  return runOperation(input, remove, (op) => removeEverywhere(op));
}

export const remove = defineOperation({
  name: 'delete',
  description: 'Remove every container and network of the stack from every host, then the stack itself.',
  role: 'deployer',
  options: z.strictObject({}),
  actions: {},
  placesVersion: false,
  goalStates: ['removed'],
  workflow: deleteWorkflow,
});
