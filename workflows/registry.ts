import type { Operation } from '../contracts/vocabulary.js';
import { deleteStackWorkflow } from './delete-stack.js';
import { deployStackWorkflow } from './deploy-stack.js';
import type { StackOperationInput } from './operation-types.js';
import type { OperationProgress } from './progress-types.js';
import { startStackWorkflow, stopStackWorkflow } from './stop-start-stack.js';

// The operations the API can start, and the workflow behind each. The API starts the function
// itself (not its name), so the workflow's input and result are type-checked end to end.

export type OperationWorkflow = (input: StackOperationInput) => Promise<OperationProgress>;

export interface OperationDefinition {
  workflow: OperationWorkflow;
  /** Whether the operation places a stack version onto hosts (and so needs a version and a plan). */
  placesVersion: boolean;
}

export const operationRegistry: Record<Operation, OperationDefinition> = {
  deploy: { workflow: deployStackWorkflow, placesVersion: true },
  stop: { workflow: stopStackWorkflow, placesVersion: false },
  start: { workflow: startStackWorkflow, placesVersion: false },
  delete: { workflow: deleteStackWorkflow, placesVersion: false },
};

/** Business-key workflow IDs: `deploy-shop-3` is the third operation on stack shop. */
export function operationWorkflowId(operation: Operation, stack: string, sequence: number): string {
  return `${operation}-${stack}-${sequence}`;
}
