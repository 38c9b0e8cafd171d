import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from '../../api/lib/errors.js';
import { type OperationDeps, startOperation } from '../../api/services/operations.js';
import type { ReconcileMode } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import {
  markLeftoversRolledBack,
  type ReconcileBaseline,
  reconcileBaseline,
  recordDrift,
  recordRepair,
} from '../../db/repositories/drift.js';
import { listHosts } from '../../db/repositories/hosts.js';
import { findLiveStack, listLiveStacks } from '../../db/repositories/stacks.js';
import type { DriftItem } from '../../db/schema.js';
import { findOperationType, operationTypes } from '../../workflows/operations.js';

// The database side of reconcile: what it compares with, what it found, and the operations the
// orchestrator starts on its own (a reconcile of every stack on schedule, a repair deploy). Those go
// through the same operation service as the API's, so they get the same lock and records.

export type ReconcileDeps = Omit<OperationDeps, 'db'>;

/** Who the orchestrator names as the requester of what it starts itself. */
export const SCHEDULE_REQUESTER = 'schedule';
export const REPAIR_REQUESTER = 'reconcile';

export interface ScheduledReconcile {
  stack: string;
  deploymentId?: string;
  /** Why none started: another operation runs on the stack, say (the next run will try again). */
  skipped?: string;
}

export function createReconcileActivities(db: Database, operations: ReconcileDeps | undefined) {
  const deps = (): OperationDeps => {
    if (!operations) {
      throw ApplicationFailure.nonRetryable('this worker cannot start operations (no Temporal client given)');
    }
    return { ...operations, db };
  };
  const placing = () => operationTypes.filter((type) => type.placesVersion).map((type) => type.name);
  return {
    reconcileBaseline: async (input: {
      stackId: string;
    }): Promise<ReconcileBaseline & { registered: string[] }> => {
      const registered = (await listHosts(db)).map((host) => host.id);
      return { ...(await reconcileBaseline(db, input.stackId, placing(), registered)), registered };
    },
    recordDrift: (input: {
      stackId: string;
      deploymentId: string;
      checkedAt: string;
      mode: ReconcileMode;
      version: number | null;
      items: DriftItem[];
    }) => recordDrift(db, input),
    leftoversRolledBack: (input: { deploymentId: string; by: string }) => markLeftoversRolledBack(db, input),
    /** Starts a reconcile of every live stack; one that has an operation running is skipped this time. */
    startScheduledReconciles: async (): Promise<ScheduledReconcile[]> => {
      const type = findOperationType('reconcile')!;
      const out: ScheduledReconcile[] = [];
      for (const { stack } of await listLiveStacks(db)) {
        try {
          const { deployment } = await startOperation(deps(), {
            stack,
            type,
            requestedBy: SCHEDULE_REQUESTER,
          });
          out.push({ stack: stack.name, deploymentId: deployment.id });
        } catch (error) {
          out.push({ stack: stack.name, skipped: reasonOf(error) });
        }
      }
      return out;
    },
    /** A repair: a normal deploy of the version reconcile compared with. Recorded beside the drift. */
    startRepair: async (input: {
      stackId: string;
      version: number;
      /** The containers found changed: replaced even if their labels say they are current. */
      recreate?: string[];
    }): Promise<{ deploymentId?: string; error?: string }> => {
      const stack = await findLiveStack(db, input.stackId);
      if (!stack) return { error: 'the stack was deleted' };
      try {
        const { deployment } = await startOperation(deps(), {
          stack,
          type: findOperationType('deploy')!,
          version: input.version,
          requestedBy: REPAIR_REQUESTER,
          ...(input.recreate?.length ? { options: { recreate: input.recreate } } : {}),
        });
        await recordRepair(db, input.stackId, { deploymentId: deployment.id });
        return { deploymentId: deployment.id };
      } catch (error) {
        // Refused (another operation runs, no host fits) or Temporal away: the next reconcile tries again.
        await recordRepair(db, input.stackId, { error: reasonOf(error) });
        return { error: reasonOf(error) };
      }
    },
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
