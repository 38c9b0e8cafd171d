import { WorkflowNotFoundError } from '@temporalio/client';
import { listDeployments } from '../../../db/repositories/deployments.js';
import { findStackAnyState } from '../../../db/repositories/stacks.js';
import type { DeploymentRow } from '../../../db/schema.js';
import { currentPrincipal } from '../../lib/auth.js';
import { ApiError, notFound } from '../../lib/errors.js';
import { callTemporal } from '../../lib/temporal-calls.js';
import type { AppRouteHandler } from '../../lib/types.js';
import { isActive, reconcileDeployment } from '../../services/deployment-state.js';
import { deploymentForRole } from './container-output.js';
import { requireDeployment, viewDeployment } from './deployment-view.js';
import type * as routes from './deployments.routes.js';

export { events } from './deployment-events.js';

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { stackId, status, requestedBy, limit } = c.req.valid('query');
  const deps = c.var.deps;
  let stack: { id: string } | undefined;
  if (stackId !== undefined) {
    stack = await findStackAnyState(deps.db, stackId);
    if (!stack) throw notFound(`no stack "${stackId}"`);
  }
  const rows = await listDeployments(deps.db, { stackId: stack?.id, status, requestedBy, limit });
  const { role } = currentPrincipal(c);
  // At most one active operation per stack, so the live look-ups stay few.
  const { watchers } = c.var.feeds;
  const items = await Promise.all(
    rows.map(async (found) =>
      deploymentForRole(role, watchers.latest(found.deployment.id) ?? (await watchers.view(found))),
    ),
  );
  // A row read as active may turn out to have ended (settled just now): the filter is on the answer.
  return c.json({ items: status ? items.filter((item) => item.status === status) : items }, 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { deps, feeds } = c.var;
  const { id } = c.req.valid('param');
  const view = feeds.watchers.latest(id) ?? (await feeds.watchers.view(await requireDeployment(deps, id)));
  return c.json(deploymentForRole(currentPrincipal(c).role, view), 200);
};

const alreadyFinished = (row: DeploymentRow) =>
  new ApiError(409, 'conflict', `deployment ${row.id} has already finished: ${row.status}`, {
    deploymentId: row.id,
    status: row.status,
  });

export const cancel: AppRouteHandler<typeof routes.cancel> = async (c) => {
  const deps = c.var.deps;
  const found = await requireDeployment(deps, c.req.valid('param').id);
  c.set('auditTarget', found.deployment.id);
  c.set('auditDetails', { stackId: found.deployment.stackId, operation: found.deployment.operation });
  const row = await reconcileDeployment(deps, found.deployment);
  if (!isActive(row.status)) throw alreadyFinished(row);
  try {
    await callTemporal(deps.temporal, `cancel workflow ${row.workflowId}`, () =>
      deps.temporal.workflow.getHandle(row.workflowId, row.runId ?? undefined).cancel(),
    );
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    // Closed between our look and the cancel, or not started yet: say which.
    const now = await reconcileDeployment(deps, row);
    if (!isActive(now.status)) throw alreadyFinished(now);
    throw new ApiError(409, 'conflict', `the workflow of deployment ${row.id} is still starting; retry`, {
      deploymentId: row.id,
      status: row.status,
    });
  }
  return c.json(
    { deploymentId: row.id, workflowId: row.workflowId, runId: row.runId, status: row.status },
    202,
  );
};
