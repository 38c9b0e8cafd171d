import type { Client, WorkflowFailedError } from '@temporalio/client';
import type { OperationRequest } from '../../api/services/operations.js';
import { startOperation } from '../../api/services/operations.js';
import { parseStackDefinition } from '../../compose/index.js';
import type { Operation } from '../../contracts/vocabulary.js';
import { LABEL_HOST, LABEL_STACK } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { findActiveDeployment, findDeployment } from '../../db/repositories/deployments.js';
import { insertHost } from '../../db/repositories/hosts.js';
import { addStackVersion, createStack, findLiveStack } from '../../db/repositories/stacks.js';
import { type DeploymentRow, deployments } from '../../db/schema.js';
import type { OperationOptions } from '../../workflows/operation-types.js';
import { findOperationType } from '../../workflows/operations.js';
import type { OperationProgress } from '../../workflows/progress-types.js';
import { type DaemonContainer, DaemonProbe } from './daemon.js';
import type { TestInfra } from './infra.js';
import { type ManagedProcess, whileRunning } from './processes.js';

// Drives stack operations the way the API does (through the operation service), and reads the
// truth back from each Docker daemon.

export interface OpsContext {
  db: Database;
  temporal: Client;
  namespace: string;
  pickupTimeout: string;
  /**
   * The processes the operation needs (orchestrator, agents): a wait for it fails at once, quoting
   * the process's last log lines, when one of them exits unexpectedly.
   */
  processes?: () => Iterable<ManagedProcess>;
}

export async function registerHosts(db: Database, hosts: { id: string; labels?: Record<string, string> }[]) {
  for (const host of hosts) await insertHost(db, { id: host.id, name: host.id, labels: host.labels ?? {} });
}

/** Creates the stack, or adds a version when it exists. */
export async function putStack(db: Database, name: string, composeYaml: string): Promise<void> {
  const spec = parseStackDefinition(composeYaml, 'yaml');
  const existing = await findLiveStack(db, name);
  const version = { source: composeYaml, format: 'yaml' as const, spec, createdBy: 'test' };
  if (existing) await addStackVersion(db, existing.id, version);
  else await createStack(db, name, version);
}

export interface OperationOutcome {
  deployment: DeploymentRow;
  result?: OperationProgress;
  failure?: WorkflowFailedError;
}

/** Starts an operation and waits for its workflow to close; returns the final database record. */
export async function runOperation(
  ctx: OpsContext,
  stackName: string,
  operation: Operation,
  extra: Partial<Omit<OperationRequest, 'stack' | 'operation'>> & {
    /** The deploy's options, or another type's (delete: `{volumes: true}`). */
    options?: OperationOptions | Record<string, unknown>;
  } = {},
): Promise<OperationOutcome> {
  const started = await startStackOperation(ctx, stackName, operation, extra);
  const handle = ctx.temporal.workflow.getHandle(started.workflowId);
  // A failed workflow is an outcome; a dead orchestrator or agent is not, and must not be waited for.
  const closed = await whileRunning(
    ctx.processes?.() ?? [],
    handle.result().then(
      (result) => ({ result, failure: undefined }),
      (error) => ({ result: undefined, failure: error as WorkflowFailedError }),
    ),
  );
  return { deployment: (await findDeployment(ctx.db, started.id))!, ...closed };
}

export async function startStackOperation(
  ctx: OpsContext,
  stackName: string,
  operation: Operation,
  extra: Partial<Omit<OperationRequest, 'stack' | 'type'>> = {},
): Promise<DeploymentRow> {
  const stack = await findLiveStack(ctx.db, stackName);
  if (!stack) throw new Error(`no stack ${stackName}`);
  const type = findOperationType(operation);
  if (!type) throw new Error(`no operation type ${operation}`);
  const { deployment } = await startOperation(ctx, { stack, type, requestedBy: 'test', ...extra });
  return deployment;
}

/**
 * What each host's daemon holds of a stack, keyed by host ID: every container with the stack's
 * label, whatever its host label says, so a misrouted or unlabelled one shows up where it really
 * is. Only the shared-daemon fallback, where one daemon plays every host, tells hosts apart by label.
 */
export async function containersOnHosts(
  infra: TestInfra,
  hostIds: string[],
  stack: string,
): Promise<Record<string, DaemonContainer[]>> {
  const entries = await Promise.all(
    hostIds.map(async (hostId, index) => {
      const probe = new DaemonProbe(infra.dockerHosts[index]!.socketPath);
      const filter: Record<string, string> = { [LABEL_STACK]: stack };
      if (infra.sharedDaemon) filter[LABEL_HOST] = hostId;
      return [hostId, await probe.containers(filter)] as const;
    }),
  );
  return Object.fromEntries(entries);
}

export const names = (containers: DaemonContainer[]) => containers.map((c) => c.name);

/** Every operation workflow this database has started. */
export async function operationWorkflowIds(db: Database): Promise<string[]> {
  const rows = await db.select({ workflowId: deployments.workflowId }).from(deployments);
  return rows.map((row) => row.workflowId).sort();
}

/** Waits until no operation of the stack is pending or running (a reconcile the schedule started, say). */
export async function waitUntilIdle(db: Database, stackName: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stack = await findLiveStack(db, stackName);
    if (!stack || !(await findActiveDeployment(db, stack.id))) return;
    if (Date.now() > deadline) throw new Error(`stack ${stackName} still has an operation running`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
