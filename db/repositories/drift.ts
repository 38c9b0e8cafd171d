import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { ReconcileMode } from '../../contracts/vocabulary.js';
import type { Database } from '../client.js';
import {
  type DriftItem,
  deployments,
  placements,
  type StackDriftRow,
  stackDrift,
  stacks,
} from '../schema.js';

// What reconcile compares with and what it found: the deployed version's placement (the plan of the
// last successful deploy), the deploys whose saga never finished, and the drift record per stack.

export interface ReconcileBaseline {
  /** The last successful deploy (of any type that places a version): what should run, and where. */
  deploymentId: string | null;
  version: number | null;
  expected: { service: string; replica: number; hostId: string; name: string; completes: boolean }[];
  /** False after a successful stop (not followed by a start): stopped containers are then no drift. */
  expectRunning: boolean;
  /** The stack's own setting (`PUT /stacks/:id/reconcile`), when it has one. */
  mode: ReconcileMode | null;
  /**
   * Deploys that ended without success: whatever of theirs is still on a host is a leftover their
   * saga did not remove (terminated in Temporal, or a host that was away during the rollback).
   */
  unfinished: string[];
  /** Placements the database keeps on hosts that are no longer registered. */
  onUnregisteredHosts: { hostId: string; name: string }[];
}

/** How many unfinished deploys a reconcile looks for: older ones were reconciled long ago. */
const UNFINISHED_LOOKBACK = 50;

export async function reconcileBaseline(
  db: Database,
  stackId: string,
  placing: readonly string[],
  registeredHosts: readonly string[],
): Promise<ReconcileBaseline> {
  const [stack] = await db.select().from(stacks).where(eq(stacks.id, stackId));
  const [deployed] = await db
    .select()
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
  const [lastRunState] = await db
    .select({ operation: deployments.operation })
    .from(deployments)
    .where(
      and(
        eq(deployments.stackId, stackId),
        inArray(deployments.operation, [...placing, 'stop', 'start']),
        eq(deployments.status, 'succeeded'),
      ),
    )
    .orderBy(desc(deployments.sequence))
    .limit(1);
  const unfinished = await db
    .select({ id: deployments.id })
    .from(deployments)
    .where(
      and(
        eq(deployments.stackId, stackId),
        inArray(deployments.operation, [...placing]),
        inArray(deployments.status, ['failed', 'rolled_back', 'cancelled']),
      ),
    )
    .orderBy(desc(deployments.sequence))
    .limit(UNFINISHED_LOOKBACK);
  const registered = new Set(registeredHosts);
  const placed = await db
    .select({ hostId: placements.hostId, name: placements.name })
    .from(placements)
    .where(eq(placements.stackId, stackId));
  return {
    deploymentId: deployed?.id ?? null,
    version: deployed?.version ?? null,
    expected: (deployed?.containers ?? []).map((c) => ({
      service: c.service,
      replica: c.replica,
      hostId: c.hostId,
      name: c.name,
      completes: c.status === 'completed',
    })),
    expectRunning: lastRunState?.operation !== 'stop',
    mode: stack?.reconcileMode ?? null,
    unfinished: unfinished.map((row) => row.id),
    onUnregisteredHosts: placed.filter((p) => !registered.has(p.hostId)),
  };
}

export async function recordDrift(
  db: Database,
  input: {
    stackId: string;
    deploymentId: string;
    /** When the reconcile began to look (ISO 8601). */
    checkedAt: string;
    mode: ReconcileMode;
    version: number | null;
    items: DriftItem[];
  },
): Promise<void> {
  const values = {
    checkedAt: new Date(input.checkedAt),
    deploymentId: input.deploymentId,
    mode: input.mode,
    version: input.version,
    items: input.items,
    repairDeploymentId: null,
    repairError: null,
  };
  await db
    .insert(stackDrift)
    .values({ stackId: input.stackId, ...values })
    .onConflictDoUpdate({ target: stackDrift.stackId, set: values });
}

/** The deploy a repair started, or why none could start, beside the drift that asked for it. */
export async function recordRepair(
  db: Database,
  stackId: string,
  outcome: { deploymentId: string } | { error: string },
): Promise<void> {
  await db
    .update(stackDrift)
    .set(
      'deploymentId' in outcome
        ? { repairDeploymentId: outcome.deploymentId, repairError: null }
        : { repairDeploymentId: null, repairError: outcome.error },
    )
    .where(eq(stackDrift.stackId, stackId));
}

export async function findDrift(db: Database, stackId: string): Promise<StackDriftRow | undefined> {
  const [row] = await db.select().from(stackDrift).where(eq(stackDrift.stackId, stackId));
  return row;
}

export async function setReconcileMode(
  db: Database,
  stackId: string,
  mode: ReconcileMode | null,
): Promise<void> {
  await db.update(stacks).set({ reconcileMode: mode, updatedAt: sql`now()` }).where(eq(stacks.id, stackId));
}

/**
 * A reconcile removed what a deploy left behind: its record says so, and a deploy that had failed
 * is now what its saga would have made it, rolled back.
 */
export async function markLeftoversRolledBack(
  db: Database,
  input: { deploymentId: string; by: string },
): Promise<void> {
  const note = `; its leftovers were rolled back by ${input.by}`;
  await db
    .update(deployments)
    .set({
      status: sql`case when ${deployments.status} = 'failed' then 'rolled_back' else ${deployments.status} end`,
      error: sql`coalesce(${deployments.error}, '') || ${note}`,
    })
    .where(
      and(
        eq(deployments.id, input.deploymentId),
        inArray(deployments.status, ['failed', 'rolled_back', 'cancelled']),
      ),
    );
}
