import { and, desc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Operation } from '../../contracts/vocabulary.js';
import { activeDeploymentStatuses, type DeploymentStatus } from '../../contracts/vocabulary.js';
import type { ContainerProgress } from '../../workflows/progress-types.js';
import type { Database } from '../client.js';
import { isUniqueViolation } from '../errors.js';
import { type DeploymentRow, deployments, stacks } from '../schema.js';

export interface NewDeployment {
  stackId: string;
  stackName: string;
  operation: Operation;
  version: number | null;
  hostIds: string[];
  containers: ContainerProgress[];
  requestedBy: string;
  idempotencyKey?: string;
  requestHash?: string;
  workflowId: (sequence: number) => string;
}

/** A second operation on a stack that already has one pending or running. */
export class OperationInProgressError extends Error {
  constructor(readonly active: DeploymentRow | undefined) {
    super('another operation is already running on this stack');
  }
}

/**
 * Inserts a pending deployment. The partial unique index on (stack_id) for active statuses makes
 * the database itself refuse a second concurrent operation on the same stack.
 */
export async function insertDeployment(db: Database, input: NewDeployment): Promise<DeploymentRow> {
  // Numbered per stack name, so workflow IDs stay unique when a deleted stack's name is reused.
  const [{ next }] = (await db
    .select({ next: sql<number>`coalesce(max(${deployments.sequence}), 0) + 1` })
    .from(deployments)
    .innerJoin(stacks, eq(stacks.id, deployments.stackId))
    .where(eq(stacks.name, input.stackName))) as [{ next: number }];
  const sequence = Number(next);
  try {
    const [row] = await db
      .insert(deployments)
      .values({
        stackId: input.stackId,
        sequence,
        operation: input.operation,
        version: input.version,
        status: 'pending',
        hostIds: input.hostIds,
        containers: input.containers,
        workflowId: input.workflowId(sequence),
        requestedBy: input.requestedBy,
        idempotencyKey: input.idempotencyKey,
        requestHash: input.requestHash,
      })
      .returning();
    return row!;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new OperationInProgressError(await findActiveDeployment(db, input.stackId));
  }
}

export async function findActiveDeployment(
  db: Database,
  stackId: string,
): Promise<DeploymentRow | undefined> {
  const [row] = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.stackId, stackId), inArray(deployments.status, [...activeDeploymentStatuses])));
  return row;
}

export async function findDeployment(db: Database, id: string): Promise<DeploymentRow | undefined> {
  const [row] = await db.select().from(deployments).where(eq(deployments.id, id));
  return row;
}

export async function findByIdempotencyKey(
  db: Database,
  requestedBy: string,
  key: string,
): Promise<DeploymentRow | undefined> {
  const [row] = await db
    .select()
    .from(deployments)
    .where(and(eq(deployments.requestedBy, requestedBy), eq(deployments.idempotencyKey, key)));
  return row;
}

/** A deployment with the name of its stack (deleted stacks included), as the API shows it. */
export interface DeploymentWithStack {
  deployment: DeploymentRow;
  stackName: string;
}

export async function listDeployments(
  db: Database,
  filter: { stackId?: string; status?: DeploymentStatus; requestedBy?: string; limit?: number },
): Promise<DeploymentWithStack[]> {
  return (
    db
      .select({ deployment: deployments, stackName: stacks.name })
      .from(deployments)
      .innerJoin(stacks, eq(stacks.id, deployments.stackId))
      .where(
        and(
          filter.stackId ? eq(deployments.stackId, filter.stackId) : undefined,
          filter.status ? eq(deployments.status, filter.status) : undefined,
          filter.requestedBy ? eq(deployments.requestedBy, filter.requestedBy) : undefined,
        ),
      )
      // The sequence breaks ties between operations created within the same millisecond.
      .orderBy(desc(deployments.createdAt), desc(deployments.sequence))
      .limit(filter.limit ?? 100)
  );
}

export async function findDeploymentWithStack(
  db: Database,
  id: string,
): Promise<DeploymentWithStack | undefined> {
  const [row] = await db
    .select({ deployment: deployments, stackName: stacks.name })
    .from(deployments)
    .innerJoin(stacks, eq(stacks.id, deployments.stackId))
    .where(eq(deployments.id, id));
  return row;
}

/**
 * All hosts any operation of the stack ever targeted, removed ones included: delete and stop visit
 * every one still registered (the operation service leaves out the rest).
 */
export async function hostsEverTargeted(db: Database, stackId: string): Promise<string[]> {
  const rows = await db
    .select({ hostIds: deployments.hostIds })
    .from(deployments)
    .where(eq(deployments.stackId, stackId));
  return [...new Set(rows.flatMap((row) => row.hostIds))].sort();
}

/**
 * The API records the run it started. Never over another run's claim: if the started run died before
 * claiming and a copy of its input claimed instead, the row must keep naming the run that holds it.
 */
export async function setDeploymentRunId(db: Database, id: string, runId: string): Promise<void> {
  await db
    .update(deployments)
    .set({ runId })
    .where(and(eq(deployments.id, id), or(isNull(deployments.runId), eq(deployments.runId, runId))));
}

export type DeploymentClaim = { claimed: true } | { claimed: false; reason: string };

/**
 * The first step of an operation's workflow: takes its pending row for this run, atomically. Only a
 * row of this workflow ID that is still pending, with no run or this run recorded (the API records
 * the run id it started), is taken; the same run may take it again (an activity retry). A replayed
 * or second start of the same input finds it taken (running or finished) and must change nothing:
 * the row is left as it is.
 */
export async function claimDeployment(
  db: Database,
  /** `workflowId` is absent only from steps scheduled before the claim existed. */
  input: { deploymentId: string; workflowId?: string; runId: string; hostIds: string[] },
): Promise<DeploymentClaim> {
  const mine = eq(deployments.runId, input.runId);
  const [row] = await db
    .update(deployments)
    .set({
      status: 'running',
      runId: input.runId,
      hostIds: input.hostIds,
      startedAt: sql`coalesce(${deployments.startedAt}, now())`,
    })
    .where(
      and(
        eq(deployments.id, input.deploymentId),
        input.workflowId === undefined ? undefined : eq(deployments.workflowId, input.workflowId),
        or(
          and(eq(deployments.status, 'pending'), or(isNull(deployments.runId), mine)),
          and(eq(deployments.status, 'running'), mine),
        ),
      ),
    )
    .returning({ id: deployments.id });
  if (row) return { claimed: true };
  const found = await findDeployment(db, input.deploymentId);
  const reason = !found
    ? `deployment ${input.deploymentId} does not exist`
    : input.workflowId !== undefined && found.workflowId !== input.workflowId
      ? `deployment ${input.deploymentId} belongs to workflow ${found.workflowId}`
      : found.status !== 'pending'
        ? `deployment ${input.deploymentId} is not pending (it is ${found.status}, run ${found.runId ?? 'none'})`
        : `deployment ${input.deploymentId} was claimed by run ${found.runId}`;
  return { claimed: false, reason };
}

export async function recordDeploymentProgress(
  db: Database,
  input: { deploymentId: string; progress: number; containers: ContainerProgress[] },
): Promise<void> {
  await db
    .update(deployments)
    .set({ progress: input.progress, containers: input.containers })
    .where(eq(deployments.id, input.deploymentId));
}

type FinalRecord = {
  deploymentId: string;
  status: DeploymentStatus;
  error: string | null;
  progress: number;
  containers: ContainerProgress[];
};

/** The workflow records how its operation ended. */
export async function finishDeployment(db: Database, input: FinalRecord): Promise<void> {
  await writeFinalRecord(db, input, false);
}

/**
 * Records the end of an operation whose workflow closed without recording it (terminated in the
 * Temporal UI, say). Only an active row changes, so the workflow's own final record always wins a
 * race; undefined when the row had already finished.
 */
export async function settleDeployment(db: Database, input: FinalRecord): Promise<DeploymentRow | undefined> {
  return writeFinalRecord(db, input, true);
}

async function writeFinalRecord(
  db: Database,
  input: FinalRecord,
  onlyIfActive: boolean,
): Promise<DeploymentRow | undefined> {
  const byId = eq(deployments.id, input.deploymentId);
  const [row] = await db
    .update(deployments)
    .set({
      status: input.status,
      error: input.error,
      progress: input.progress,
      containers: input.containers,
      finishedAt: sql`coalesce(${deployments.finishedAt}, now())`,
    })
    .where(onlyIfActive ? and(byId, inArray(deployments.status, [...activeDeploymentStatuses])) : byId)
    .returning();
  return row;
}

/** A deployment whose workflow never started: failed, and its Idempotency-Key free for a retry. */
export async function abandonDeployment(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(deployments)
    .set({ status: 'failed', error, idempotencyKey: null, finishedAt: sql`now()` })
    .where(eq(deployments.id, id));
}

/** The version the stack's last successful deploy put in place, if any. */
export async function lastDeployedVersion(
  db: Database,
  stackId: string,
  /** The operation types that place a version (deploy, blue-green, canary…). */
  placing: readonly string[],
): Promise<number | undefined> {
  const [row] = await db
    .select({ version: deployments.version })
    .from(deployments)
    .where(
      and(
        eq(deployments.stackId, stackId),
        inArray(deployments.operation, [...placing]),
        eq(deployments.status, 'succeeded'),
      ),
    )
    .orderBy(desc(deployments.sequence))
    .limit(1);
  return row?.version ?? undefined;
}
