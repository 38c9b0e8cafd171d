import { ApplicationFailure } from '@temporalio/common';
import { defineUpdate } from '@temporalio/workflow';
import type { OperationProgress } from '../progress-types.js';

// Actions on a running deployment (promote a canary, resume a paused update, roll back a blue-green
// switch) are Temporal Updates: validated by the workflow, answered synchronously with the deployment
// as it is after the action, and recorded in the history with who asked.

export interface ActionRequest {
  action: string;
  /** Whatever the action takes; the type's workflow checks it. */
  input?: unknown;
  /** The token name that asked, for the history and the phase. */
  requestedBy: string;
}

/** What a deployment waits for: the actions it accepts now, and until when (ISO time, or null). */
export interface Awaiting {
  actions: string[];
  deadline: string | null;
}

/** The one Update every operation workflow handles; its validator refuses actions not awaited now. */
export const actionUpdate = defineUpdate<OperationProgress, [ActionRequest]>('action');

/** The failure type of a refused action: the API answers it with 409 `not_awaiting`. */
export const NOT_AWAITING = 'NotAwaiting';

export function notAwaiting(request: ActionRequest, awaiting: Awaiting | null): ApplicationFailure {
  return ApplicationFailure.create({
    type: NOT_AWAITING,
    nonRetryable: true,
    message: awaiting
      ? `the deployment does not accept "${request.action}" now; it awaits ${awaiting.actions.join(' or ')}`
      : `the deployment does not accept "${request.action}" now; it awaits no action`,
  });
}
