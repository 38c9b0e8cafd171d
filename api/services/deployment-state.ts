import {
  type Client,
  type WorkflowExecutionStatusName,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import {
  activeDeploymentStatuses,
  type DeploymentStatus,
  RECONCILE_SCHEDULE_ID,
} from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { findDeployment, settleDeployment } from '../../db/repositories/deployments.js';
import type { DeploymentRow } from '../../db/schema.js';
import type { Logger } from '../../lib/log.js';
import { findOperationType } from '../../workflows/operations.js';
import { progressQuery } from '../../workflows/progress.js';
import type { OperationProgress } from '../../workflows/progress-types.js';
import { withTemporalDeadline } from '../lib/temporal-calls.js';

// The database row is the record of an operation; Temporal knows whether its workflow still runs.
// While a row is active this module asks Temporal, reads the live progress, and settles rows whose
// workflow closed without saying so (an SRE terminated it in the Temporal UI, say), so that neither
// GET /deployments/:id nor the one-operation-per-stack 409 is ever stuck on a dead workflow.

export interface DeploymentStateDeps {
  db: Database;
  temporal: Client;
  log?: Logger;
}

/**
 * A row without a run id may be a workflow start in flight (the row is written first); only after this
 * long does "no such workflow" mean the start was lost. Before it, describing by workflow id alone could
 * also find an older run with the same id in a Temporal shared by several databases.
 */
const START_GRACE_MS = 60_000;

export interface ObservedDeployment {
  /** The row, settled if its workflow turned out to be closed. */
  row: DeploymentRow;
  /** The workflow's `progress` query, when the row is running and the query answered. */
  live?: OperationProgress;
}

export const isActive = (status: DeploymentStatus): boolean =>
  (activeDeploymentStatuses as readonly string[]).includes(status);

/** The row as it stands, with live progress while its workflow runs. */
export async function observeDeployment(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
): Promise<ObservedDeployment> {
  if (!isActive(row.status)) return { row };
  const execution = await executionStatus(deps, row);
  if (execution === undefined || execution === 'CONTINUED_AS_NEW') return { row };
  if (execution !== 'RUNNING') return { row: await settleClosed(deps, row, execution) };
  // A pending row's workflow has not begun (it marks the row running first): nothing to query yet.
  if (row.status !== 'running') return { row };
  return { row, live: await queryProgress(deps, row) };
}

/** Settles the row if its workflow has closed; returns the (possibly unchanged) row. */
export async function reconcileDeployment(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
): Promise<DeploymentRow> {
  if (!isActive(row.status)) return row;
  const execution = await executionStatus(deps, row);
  if (execution === undefined || execution === 'RUNNING' || execution === 'CONTINUED_AS_NEW') return row;
  return settleClosed(deps, row, execution);
}

/** This run exactly: operations never continue as new, and a result must be this run's own. */
function handleOf(deps: DeploymentStateDeps, row: DeploymentRow) {
  return deps.temporal.workflow.getHandle(row.workflowId, row.runId ?? undefined, { followRuns: false });
}

/** Past the deadline, answer from the database alone: a slow Temporal must not hang a GET or an SSE poll. */
function withDeadline<T>(deps: DeploymentStateDeps, fn: () => Promise<T>): Promise<T> {
  return withTemporalDeadline(deps.temporal, fn);
}

/** undefined: unknown (Temporal unreachable, or a start may still be in flight). */
async function executionStatus(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
): Promise<WorkflowExecutionStatusName | 'NOT_FOUND' | undefined> {
  if (!row.runId && Date.now() - row.createdAt.getTime() < START_GRACE_MS) return undefined;
  try {
    const description = await withDeadline(deps, () => handleOf(deps, row).describe());
    return description.status.name;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
    deps.log?.warn({ err: error, workflowId: row.workflowId }, 'cannot describe workflow');
    return undefined;
  }
}

async function queryProgress(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
): Promise<OperationProgress | undefined> {
  try {
    return await withDeadline(deps, () => handleOf(deps, row).query(progressQuery));
  } catch (error) {
    // No orchestrator polling, or the workflow closed in between: the row is the next best answer.
    deps.log?.debug({ err: error, workflowId: row.workflowId }, 'progress query failed');
    return undefined;
  }
}

interface FinalRecord {
  status: DeploymentStatus;
  error: string | null;
  snapshot?: OperationProgress;
}

async function settleClosed(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
  execution: WorkflowExecutionStatusName | 'NOT_FOUND',
): Promise<DeploymentRow> {
  const final =
    execution === 'NOT_FOUND'
      ? { status: 'failed' as const, error: `workflow ${row.workflowId} does not exist in Temporal` }
      : await finalRecord(deps, row, execution);
  const settled = await settleDeployment(deps.db, {
    deploymentId: row.id,
    status: final.status,
    error: final.error,
    progress: final.snapshot?.progress ?? row.progress,
    containers: final.snapshot?.containers ?? row.containers,
  });
  if (settled) {
    deps.log?.warn(
      { deploymentId: row.id, workflowId: row.workflowId, execution, status: settled.status },
      'settled a deployment whose workflow closed without recording it',
    );
    // A deploy that never ran its saga leaves new containers and retired old ones: reconcile rolls
    // them back, and is asked to run now rather than at its next interval.
    if (settled.status === 'failed' && findOperationType(settled.operation)?.placesVersion) {
      await requestReconcile(deps);
    }
  }
  // Undefined: the workflow's own record landed first, and it is the better one.
  return settled ?? (await findDeployment(deps.db, row.id)) ?? row;
}

/** Triggers the reconcile schedule; without one (GRAPHIUM_RECONCILE_INTERVAL=0) there is nothing to ask. */
async function requestReconcile(deps: DeploymentStateDeps): Promise<void> {
  try {
    await withDeadline(deps, () => deps.temporal.schedule.getHandle(RECONCILE_SCHEDULE_ID).trigger());
  } catch (error) {
    deps.log?.debug({ err: error }, 'reconcile schedule not triggered');
  }
}

/** What the closed workflow says about itself: its result, its failure's snapshot, or how it ended. */
async function finalRecord(
  deps: DeploymentStateDeps,
  row: DeploymentRow,
  execution: WorkflowExecutionStatusName,
): Promise<FinalRecord> {
  const id = row.workflowId;
  try {
    const result = (await withDeadline(deps, () => handleOf(deps, row).result())) as OperationProgress;
    return { status: result.status, error: result.error, snapshot: result };
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
    if (cause instanceof TerminatedFailure) {
      const reason = cause.message === 'Workflow execution terminated' ? '' : `: ${cause.message}`;
      return { status: 'failed', error: `workflow ${id} was terminated in Temporal${reason}` };
    }
    if (cause instanceof TimeoutFailure) {
      return { status: 'failed', error: `workflow ${id} timed out in Temporal` };
    }
    if (cause instanceof CancelledFailure) return { status: 'cancelled', error: 'cancelled on request' };
    if (cause instanceof ApplicationFailure) {
      const snapshot = cause.details?.[0] as OperationProgress | undefined;
      if (snapshot?.status) return { status: snapshot.status, error: snapshot.error, snapshot };
      return { status: 'failed', error: cause.message };
    }
    return { status: 'failed', error: `workflow ${id} ended ${execution.toLowerCase()}` };
  }
}
