import type { DeploymentStatus } from '../../../contracts/vocabulary.js';
import type { DeploymentWithStack } from '../../../db/repositories/deployments.js';
import { findDeploymentWithStack } from '../../../db/repositories/deployments.js';
import { notFound } from '../../lib/errors.js';
import { iso, isoOrNull } from '../../lib/schemas.js';
import type { AppDeps } from '../../lib/types.js';
import { type ObservedDeployment, observeDeployment } from '../../services/deployment-state.js';

// One JSON shape for a deployment, used by GET /deployments, GET /deployments/:id and every SSE event.

export function toDeploymentJson({ row, live }: ObservedDeployment, stackName: string) {
  return {
    id: row.id,
    stackId: row.stackId,
    stack: stackName,
    operation: row.operation,
    version: row.version,
    // The row's status stays the truth until the workflow records its end, so `end` carries the record.
    status: row.status,
    progress: live?.progress ?? row.progress,
    error: live ? live.error : row.error,
    phase: live?.phase ?? phaseOf(row.status),
    awaiting: live?.awaiting ?? null,
    containers: live?.containers ?? row.containers,
    requestedBy: row.requestedBy,
    workflowId: row.workflowId,
    runId: row.runId,
    createdAt: iso(row.createdAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
  };
}

/** Without the live query (not started yet, or over): the phase its status implies. */
function phaseOf(status: DeploymentStatus): string {
  if (status === 'pending') return 'waiting for the orchestrator';
  if (status === 'running') return 'running';
  return 'finished';
}

export type DeploymentJson = ReturnType<typeof toDeploymentJson>;

export async function viewDeployment(deps: AppDeps, found: DeploymentWithStack): Promise<DeploymentJson> {
  return toDeploymentJson(await observeDeployment(deps, found.deployment), found.stackName);
}

export async function requireDeployment(deps: AppDeps, id: string): Promise<DeploymentWithStack> {
  const found = await findDeploymentWithStack(deps.db, id);
  if (!found) throw notFound(`no deployment "${id}"`);
  return found;
}
