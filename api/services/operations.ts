import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { hostsKey, operationKey, stackKey, statusKey } from '../../contracts/search-attributes.js';
import type { Operation } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import {
  findByIdempotencyKey,
  findDeployment,
  hostsEverTargeted,
  insertDeployment,
  lastDeployedVersion,
  type NewDeployment,
  OperationInProgressError,
} from '../../db/repositories/deployments.js';
import { listHosts } from '../../db/repositories/hosts.js';
import { asPlacedContainers, stackPlacements } from '../../db/repositories/placements.js';
import { registryCredentials } from '../../db/repositories/registries.js';
import { findStackAnyState, getStackVersion } from '../../db/repositories/stacks.js';
import type { DeploymentRow, HostRow, StackRow } from '../../db/schema.js';
import type { Keyring } from '../../lib/encryption.js';
import type { Logger } from '../../lib/log.js';
import { type RegistryCredential, registryHost } from '../../stack/image-ref.js';
import { placeContainers } from '../../stack/index.js';
import type { PlacedContainer, StackSpec } from '../../stack/types.js';
import type { OperationType } from '../../workflows/kit/operation-type.js';
import type { StackOperationInput } from '../../workflows/operation-types.js';
import { operationTypes, operationWorkflowId } from '../../workflows/operations.js';
import { ApiError, notFound } from '../lib/errors.js';
import { isActive, reconcileDeployment } from './deployment-state.js';
import { describeHostAgents, recentlySeen } from './host-agents.js';
import { startOperationWorkflow } from './workflow-start.js';

export interface OperationDeps {
  db: Database;
  temporal: Client;
  namespace: string;
  pickupTimeout: string;
  /** Opens stored registry passwords for the agents that pull; without it, pulls go anonymous. */
  keyring?: Keyring;
  log?: Logger;
}

export interface OperationRequest {
  stack: StackRow;
  /** The operation type, already found by name (and its options validated against its schema). */
  type: OperationType;
  /** deploy only: the stack version to place; default the current one. */
  version?: number;
  requestedBy: string;
  /** Unique per `requestedBy`; a request that repeats one gets the earlier deployment back. */
  idempotencyKey?: string;
  /** What the keyed request asked (requestHash below); a replay must have asked the same. */
  requestHash?: string;
  /** The type's options, already validated against its schema (tests may pass internal ones too). */
  options?: Record<string, unknown>;
  /** Registry credentials to use instead of the stored ones (tests). */
  registries?: RegistryCredential[];
}

export interface StartedOperation {
  deployment: DeploymentRow;
  /** True when an Idempotency-Key matched an earlier request: nothing new was started. */
  replayed: boolean;
}

/**
 * Starts a stack operation: resolves the version and (for deploy) the placement, records a
 * pending deployment (the database refuses a second active one per stack: 409), and starts the
 * workflow named in the operation registry on the orchestrator queue. The API and tests both
 * start operations only through here. A request repeating an Idempotency-Key is answered by
 * `findReplayedOperation` before the stack is even looked up; here only a concurrent duplicate
 * (caught by the database's unique index) is replayed.
 */
export async function startOperation(
  deps: OperationDeps,
  request: OperationRequest,
): Promise<StartedOperation> {
  const { db } = deps;
  const definition = request.type;
  const stack = request.stack;
  const placing = operationTypes.filter((type) => type.placesVersion).map((type) => type.name);
  const version = definition.placesVersion
    ? (request.version ?? stack.currentVersion)
    : ((await lastDeployedVersion(db, stack.id, placing)) ?? stack.currentVersion);
  const stackVersion = await getStackVersion(db, stack.id, version);
  if (!stackVersion) throw notFound(`stack ${stack.name} has no version ${version}`);
  const hosts = await listHosts(db);
  // A removed host has no agent to come back: every step sent there would wait out the pickup bound
  // and fail the operation. DELETE /hosts/:id refuses while a host has containers or an active operation.
  const registered = new Set(hosts.map((host) => host.id));
  const current = asPlacedContainers(await stackPlacements(db, stack.id)).filter((c) =>
    registered.has(c.hostId),
  );
  const placements = definition.placesVersion
    ? await place(deps, hosts, stack.name, stackVersion.spec, current)
    : current;
  const refusal = definition.refuses?.({
    spec: stackVersion.spec,
    placements,
    current,
    options: request.options,
  });
  if (refusal)
    throw new ApiError(422, 'unprocessable', `${definition.name} of stack ${stack.name}: ${refusal}`);
  const hostIds = [
    ...new Set(
      [...placements, ...current].map((c) => c.hostId).concat(await hostsEverTargeted(db, stack.id)),
    ),
  ]
    .filter((id) => registered.has(id))
    .sort();

  const newDeployment: NewDeployment = {
    stackId: stack.id,
    stackName: stack.name,
    operation: definition.name,
    version,
    hostIds,
    containers: placements.map((c) => ({
      ...c,
      containerId: null,
      status: 'pending',
      attempts: 0,
      error: null,
    })),
    requestedBy: request.requestedBy,
    idempotencyKey: request.idempotencyKey,
    requestHash: request.idempotencyKey ? request.requestHash : undefined,
    workflowId: (sequence) => operationWorkflowId(definition.name, stack.name, sequence),
  };
  const inserted = await insertPendingDeployment(deps, request, newDeployment);
  if (inserted.replayed) return inserted;
  const { deployment } = inserted;

  const registries =
    request.registries ??
    (definition.placesVersion && deps.keyring
      ? await registryCredentials(db, deps.keyring, registryHostsOf(stackVersion.spec))
      : []);
  const input: StackOperationInput<unknown> = {
    deploymentId: deployment.id,
    stackId: stack.id,
    stack: stack.name,
    requestedBy: request.requestedBy,
    version,
    spec: stackVersion.spec,
    placements,
    hostIds,
    pickupTimeout: deps.pickupTimeout,
    options: request.options,
    ...(registries.length > 0 ? { registries } : {}),
  };
  const runId = await startOperationWorkflow(deps, deployment, {
    workflow: definition.workflow,
    input,
    staticSummary: summary(definition.name, stack.name, version, placements),
    typedSearchAttributes: [
      { key: stackKey, value: stack.name },
      { key: hostsKey, value: hostIds },
      { key: operationKey, value: definition.name },
      { key: statusKey, value: 'pending' },
    ],
  });
  return { deployment: { ...deployment, runId }, replayed: false };
}

/**
 * Inserts the pending row, trying a second time at most. When the database says another operation is
 * active, that row is checked against Temporal first: if its workflow has in fact closed (terminated
 * in the UI, say), the row is settled and the insert tried once more, so a 409 always names an
 * operation that really runs.
 */
async function insertPendingDeployment(
  deps: OperationDeps,
  request: OperationRequest,
  row: NewDeployment,
  mayRetry = true,
): Promise<StartedOperation> {
  try {
    return { deployment: await insertDeployment(deps.db, row), replayed: false };
  } catch (error) {
    if (!(error instanceof OperationInProgressError)) throw error;
    // The unique violation may be a concurrent request with the same Idempotency-Key.
    const retried = request.idempotencyKey
      ? await findByIdempotencyKey(deps.db, request.requestedBy, request.idempotencyKey)
      : undefined;
    if (retried) return replay(retried, request);
    let active = error.active && (await reconcileDeployment(deps, error.active));
    // A reconcile takes seconds and is rerun on schedule: a person's operation waits it out
    // instead of being refused because the schedule happened to fire.
    if (
      active &&
      isActive(active.status) &&
      active.operation === 'reconcile' &&
      request.type.name !== 'reconcile'
    ) {
      active = await waitForEnd(deps, active);
    }
    // No active row left (it just finished, or was settled now): this request may go ahead.
    if (mayRetry && !(active && isActive(active.status))) {
      return insertPendingDeployment(deps, request, row, false);
    }
    throw new ApiError(409, 'conflict', `stack ${request.stack.name} already has an operation in progress`, {
      deploymentId: active?.id,
      operation: active?.operation,
      status: active?.status,
      workflowId: active?.workflowId,
    });
  }
}

/** How long an operation waits for a running reconcile of its stack before it is refused (409). */
const RECONCILE_WAIT_MS = 30_000;

async function waitForEnd(deps: OperationDeps, row: DeploymentRow): Promise<DeploymentRow> {
  const deadline = Date.now() + RECONCILE_WAIT_MS;
  let current = row;
  while (isActive(current.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const fresh = await findDeployment(deps.db, row.id);
    current = fresh ? await reconcileDeployment(deps, fresh) : { ...current, status: 'failed' };
  }
  return current;
}

/** An Idempotency-Key names one request: reusing it for another stack or operation is a client bug. */
function replay(
  earlier: DeploymentRow,
  request: { stack: StackRow; type: OperationType; requestHash?: string | undefined },
): StartedOperation {
  if (
    earlier.stackId !== request.stack.id ||
    earlier.operation !== request.type.name ||
    !sameBody(earlier, request.requestHash)
  ) {
    throw keyReused(earlier);
  }
  return { deployment: earlier, replayed: true };
}

function keyReused(earlier: DeploymentRow): ApiError {
  return new ApiError(
    422,
    'unprocessable',
    `this Idempotency-Key was already used for another request (${earlier.operation} of stack ${earlier.stackId}, with its own version and options)`,
    { deploymentId: earlier.id, operation: earlier.operation, stackId: earlier.stackId },
  );
}

/** Rows from before request hashes were kept have none: those replay on stack and operation alone. */
function sameBody(earlier: DeploymentRow, requestHash: string | undefined): boolean {
  return earlier.requestHash === null || requestHash === undefined || earlier.requestHash === requestHash;
}

/**
 * A keyed request's fingerprint: its version and options as the route parsed them (zod's output has a
 * fixed key order, so the same request always hashes the same).
 */
export function requestHash(request: { version?: number | undefined; options?: unknown }): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: request.version ?? null, options: request.options ?? null }))
    .digest('hex');
}

/**
 * The earlier deployment of a retried request, looked up before the stack itself: a retried DELETE
 * must get its deployment back even though the stack is gone by now. `stackRef` is an id or a name.
 */
export async function findReplayedOperation(
  db: Database,
  request: {
    requestedBy: string;
    idempotencyKey: string;
    stackRef: string;
    operation: Operation;
    requestHash: string;
  },
): Promise<StartedOperation | undefined> {
  const earlier = await findByIdempotencyKey(db, request.requestedBy, request.idempotencyKey);
  if (!earlier) return undefined;
  const stack = await findStackAnyState(db, earlier.stackId);
  const sameStack = request.stackRef === stack?.id || request.stackRef === stack?.name;
  if (!sameStack || earlier.operation !== request.operation || !sameBody(earlier, request.requestHash)) {
    throw keyReused(earlier);
  }
  return { deployment: earlier, replayed: true };
}

async function place(
  deps: OperationDeps,
  hosts: HostRow[],
  stack: string,
  spec: Parameters<typeof placeContainers>[1],
  current: PlacedContainer[],
): Promise<PlacedContainer[]> {
  // Unreachable Temporal: 503 from describeHostAgents; placement never guesses which hosts are online.
  const status = await describeHostAgents(
    deps.temporal,
    deps.namespace,
    hosts.map((h) => h.id),
  );
  // A PlacementError becomes 422 in the app's error handler, like everywhere else.
  return placeContainers(
    stack,
    spec,
    hosts.map((h) => ({
      id: h.id,
      name: h.name,
      labels: h.labels,
      online: status.get(h.id)?.status === 'online',
      recentlySeen: recentlySeen(status.get(h.id)),
    })),
    current,
  );
}

function summary(
  operation: Operation,
  stack: string,
  version: number,
  placements: PlacedContainer[],
): string {
  const hosts = [...new Set(placements.map((c) => c.hostId))].sort();
  const where = hosts.length > 0 ? ` on ${hosts.join(', ')}` : '';
  return `${operation} ${stack} v${version}: ${placements.length} containers${where}`;
}

/**
 * The registry hosts whose credentials a deploy needs: each image's. A build may start FROM any
 * registry, so a stack that builds gets every stored one (agents still send each pull only its own).
 */
function registryHostsOf(spec: StackSpec): string[] | 'all' {
  if (spec.services.some((service) => service.build)) return 'all';
  return [...new Set(spec.services.filter((s) => s.image).map((s) => registryHost(s.image)))];
}
