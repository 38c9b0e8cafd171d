import type { Operation } from '../contracts/vocabulary.js';
import { remove } from './delete-stack.js';
import { deploy } from './deploy-stack.js';
import type { OperationType } from './kit/operation-type.js';
import { reconcile } from './reconcile-stack.js';
import { start, stop } from './stop-start-stack.js';

// Every operation type the API offers, by name. Adding a type (blue-green, canary) is one workflow
// file that defines it with defineOperation, one line in the list below, and one export of its
// workflow function in index.ts (the orchestrator registers workflows by those exports).
export const operationTypes: readonly OperationType[] = [deploy, stop, start, remove, reconcile];

export function findOperationType(name: string): OperationType | undefined {
  return operationTypes.find((type) => type.name === name);
}

/** Business-key workflow IDs: `deploy-shop-3` is the third operation on stack shop. */
export function operationWorkflowId(operation: Operation, stack: string, sequence: number): string {
  return `${operation}-${stack}-${sequence}`;
}
