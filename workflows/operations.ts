import { builtInOperations, type Operation } from '../contracts/vocabulary.js';
import * as registered from './index.js';
import { isOperationType, type OperationType } from './kit/operation-type.js';

// Every operation type the API offers: each OperationType exported from workflows/index.ts, the
// built-in ones first. Adding a type (canary, say) is one workflow file that defines it with
// defineOperation and one line in index.ts exporting it with its workflow function.
export const operationTypes: readonly OperationType[] = Object.values(registered)
  .flatMap((value: unknown) => (isOperationType(value) ? [value] : []))
  .sort((a, b) => rank(a.name) - rank(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

function rank(name: string): number {
  const builtIn = (builtInOperations as readonly string[]).indexOf(name);
  return builtIn < 0 ? builtInOperations.length : builtIn;
}

export function findOperationType(name: string): OperationType | undefined {
  return operationTypes.find((type) => type.name === name);
}

/** Business-key workflow IDs: `deploy-shop-3` is the third operation on stack shop. */
export function operationWorkflowId(operation: Operation, stack: string, sequence: number): string {
  return `${operation}-${stack}-${sequence}`;
}
