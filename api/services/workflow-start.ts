import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { startBinding } from '../../contracts/signed-work.js';
import { ORCHESTRATOR_TASK_QUEUE } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { abandonDeployment, setDeploymentRunId } from '../../db/repositories/deployments.js';
import type { DeploymentRow } from '../../db/schema.js';
import type { Logger } from '../../lib/log.js';
import type { OperationType } from '../../workflows/kit/operation-type.js';
import type { StackOperationInput } from '../../workflows/operation-types.js';
import { loggableError } from '../lib/error-handlers.js';
import { ApiError, conflict } from '../lib/errors.js';
import {
  isTemporalUnreachable,
  temporalDeadlines,
  temporalUnavailable,
  withTemporalDeadline,
} from '../lib/temporal-calls.js';

// Starting an operation's workflow once its pending row exists. Only the start itself decides the
// row's fate: a refusal abandons it, success or an unanswered start keeps it.

interface StartDeps {
  db: Database;
  temporal: Client;
  log?: Logger;
}

export interface OperationWorkflowStart {
  workflow: OperationType['workflow'];
  input: StackOperationInput<unknown>;
  staticSummary: string;
  typedSearchAttributes: SearchAttributePair[];
}

/** Starts the workflow of a pending deployment and returns its run id; throws 409/503 when it did not start. */
export async function startOperationWorkflow(
  deps: StartDeps,
  deployment: DeploymentRow,
  start: OperationWorkflowStart,
): Promise<string> {
  let runId: string;
  try {
    const handle = await withTemporalDeadline(
      deps.temporal,
      () =>
        deps.temporal.workflow.start(start.workflow, {
          taskQueue: ORCHESTRATOR_TASK_QUEUE,
          workflowId: deployment.workflowId,
          // Signed with the input: this type, ID and deployment only, and only for a while.
          args: [
            {
              ...start.input,
              ...startBinding({
                workflowType: start.workflow.name,
                workflowId: deployment.workflowId,
                deploymentId: deployment.id,
                stack: start.input.stack,
              }),
            },
          ],
          staticSummary: start.staticSummary,
          staticDetails: startDetails(deployment.requestedBy, deployment.id),
          typedSearchAttributes: start.typedSearchAttributes,
        }),
      temporalDeadlines.startMs,
    );
    runId = handle.firstExecutionRunId;
  } catch (error) {
    runId = await recoverFailedStart(deps, deployment, error);
  }
  // Whatever fails after the start must not abandon a workflow that runs.
  await recordRunId(deps, deployment, runId);
  return runId;
}

const startDetails = (requestedBy: string, deploymentId: string) =>
  `requested by ${requestedBy}; deployment ${deploymentId}`;

/**
 * A convenience for the 202 answer's readers: the workflow records its run id itself when it begins
 * (the control activity `operationStarted`), so a failed write here is logged, never fatal.
 */
async function recordRunId(deps: StartDeps, deployment: DeploymentRow, runId: string): Promise<void> {
  try {
    await setDeploymentRunId(deps.db, deployment.id, runId);
  } catch (error) {
    deps.log?.warn(
      { err: loggableError(error), deploymentId: deployment.id, workflowId: deployment.workflowId, runId },
      'cannot record the run id of a started workflow; the workflow records it when it begins',
    );
  }
}

/**
 * The start failed. A refusal means nothing started: the row is abandoned and its Idempotency-Key
 * freed. No answer (unreachable, past the deadline) may still mean it started, so Temporal is asked
 * first: a workflow that exists keeps its row and the request succeeds; when even that cannot be
 * told, the row stays pending, and deployment-state settles it as failed once it is clear that no
 * workflow began. Returns the run id of a workflow that did start.
 */
async function recoverFailedStart(
  deps: StartDeps,
  deployment: DeploymentRow,
  error: unknown,
): Promise<string> {
  const message = `could not start workflow ${deployment.workflowId}: ${(error as Error).message}`;
  if (isTemporalUnreachable(error)) {
    const started = await findStartedRun(deps, deployment);
    if (started.found) return started.runId;
    if (started.unknown) {
      deps.log?.warn(
        { err: error, deploymentId: deployment.id, workflowId: deployment.workflowId },
        'Temporal did not answer a workflow start; the deployment stays pending until it is known',
      );
      throw temporalUnavailable(
        `confirm the start of workflow ${deployment.workflowId}; deployment ${deployment.id} stays pending ` +
          'and is marked failed if the workflow did not start',
        { deploymentId: deployment.id, workflowId: deployment.workflowId },
      );
    }
  }
  // Nothing started, so a client retrying with the same Idempotency-Key must start anew.
  await abandonDeployment(deps.db, deployment.id, message);
  if (error instanceof WorkflowExecutionAlreadyStartedError) throw conflict(message);
  throw new ApiError(503, 'unavailable', message);
}

type StartedRun = { found: true; runId: string } | { found: false; unknown: boolean };

/** This deployment's workflow, if Temporal has it: same id, and the details written at its start. */
async function findStartedRun(deps: StartDeps, deployment: DeploymentRow): Promise<StartedRun> {
  try {
    return await withTemporalDeadline(deps.temporal, async () => {
      const description = await deps.temporal.workflow.getHandle(deployment.workflowId).describe();
      const details = await description.staticDetails();
      // Several databases may share one Temporal: an older run with this id is not ours.
      if (details !== startDetails(deployment.requestedBy, deployment.id)) {
        return { found: false, unknown: false };
      }
      return { found: true, runId: description.runId };
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { found: false, unknown: false };
    return { found: false, unknown: true };
  }
}
