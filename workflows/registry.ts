// The operations the API can start, and the workflow type behind each. Adding a strategy
// (blue-green, canary) is one workflow file, one export in index.ts and one entry here.

export interface OperationDefinition {
  /** The workflow type name registered by the orchestrator (an export of workflows/index.ts). */
  workflowType: string;
  /** Whether the operation places a stack version onto hosts (and so needs a version and a plan). */
  placesVersion: boolean;
  /** Progress counts a container as done in these states. */
  goalStates: readonly string[];
}

export const operationRegistry = {
  deploy: {
    workflowType: 'deployStackWorkflow',
    placesVersion: true,
    goalStates: ['running', 'healthy', 'unchanged'],
  },
  stop: { workflowType: 'stopStackWorkflow', placesVersion: false, goalStates: ['stopped'] },
  start: { workflowType: 'startStackWorkflow', placesVersion: false, goalStates: ['running'] },
  delete: { workflowType: 'deleteStackWorkflow', placesVersion: false, goalStates: ['removed'] },
} as const satisfies Record<string, OperationDefinition>;

export type Operation = keyof typeof operationRegistry;
export const operations = Object.keys(operationRegistry) as Operation[];

/** Business-key workflow IDs: `deploy-shop-3` is the third operation on stack shop. */
export function operationWorkflowId(operation: Operation, stack: string, sequence: number): string {
  return `${operation}-${stack}-${sequence}`;
}
