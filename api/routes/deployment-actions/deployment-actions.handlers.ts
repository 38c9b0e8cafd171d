import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { actionUpdate, NOT_AWAITING } from '../../../workflows/kit/actions.js';
import { findOperationType } from '../../../workflows/operations.js';
import { assertRole, currentPrincipal } from '../../lib/auth.js';
import { ApiError, notFound } from '../../lib/errors.js';
import { callTemporal } from '../../lib/temporal-calls.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { isActive, reconcileDeployment } from '../../services/deployment-state.js';
import { deploymentForRole } from '../deployments/container-output.js';
import { requireDeployment, viewDeployment } from '../deployments/deployment-view.js';
import type * as routes from './deployment-actions.routes.js';

const notAwaiting = (message: string, details?: Record<string, unknown>) =>
  new ApiError(409, 'not_awaiting', message, details);

export const take: AppRouteHandler<typeof routes.take> = async (c) => {
  const deps = c.var.deps;
  const { id, action } = c.req.valid('param');
  const input = c.req.valid('json');
  const found = await requireDeployment(deps, id);
  const row = found.deployment;
  c.set('auditTarget', row.id);
  c.set('auditDetails', { action, operation: row.operation });
  const definition = findOperationType(row.operation)?.actions[action];
  if (!definition) throw notFound(`a ${row.operation} deployment has no action "${action}"`);
  assertRole(c, definition.role);
  const current = await reconcileDeployment(deps, row);
  if (!isActive(current.status)) {
    throw notAwaiting(`deployment ${row.id} has finished (${current.status}): it awaits nothing`, {
      status: current.status,
    });
  }
  try {
    await callTemporal(deps.temporal, `send ${action} to workflow ${row.workflowId}`, () =>
      deps.temporal.workflow
        .getHandle(row.workflowId, row.runId ?? undefined)
        .executeUpdate(actionUpdate, { args: [{ action, input, requestedBy: currentPrincipal(c).name }] }),
    );
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && refusedAsNotAwaiting(error)) {
      throw notAwaiting((error.cause as Error).message);
    }
    // Closed between our look and the update, or not started yet.
    if (error instanceof WorkflowNotFoundError) throw notAwaiting(`deployment ${row.id} is not running`);
    throw error;
  }
  const view = await viewDeployment(deps, await requireDeployment(deps, id));
  return c.json(deploymentForRole(currentPrincipal(c).role, view), 200);
};

function refusedAsNotAwaiting(error: WorkflowUpdateFailedError): boolean {
  return error.cause instanceof ApplicationFailure && error.cause.type === NOT_AWAITING;
}
