import type { Database } from '../../db/client.js';
import { readBlobs } from '../../db/repositories/blobs.js';
import {
  claimDeployment,
  finishDeployment,
  recordDeploymentProgress,
} from '../../db/repositories/deployments.js';
import { type ObservedHost, replacePlacements } from '../../db/repositories/placements.js';
import { markStackDeleted } from '../../db/repositories/stack-deletion.js';
import type { Keyring } from '../../lib/encryption.js';
import { createReconcileActivities, type ReconcileDeps } from './reconcile.js';

/**
 * Control-plane activities, run by the orchestrator worker on `graphium-orchestrator`: they keep
 * the database in step with the workflows. Each is an idempotent write, safe to retry. `operations`
 * lets the orchestrator start operations itself (scheduled reconciles, their repairs).
 */
export function createControlActivities(db: Database, keyring: Keyring, operations?: ReconcileDeps) {
  return {
    /** Claims the pending row for the run (claimDeployment): a run that loses it stops before any host. */
    operationStarted: (input: Parameters<typeof claimDeployment>[1]) => claimDeployment(db, input),
    recordProgress: (input: Parameters<typeof recordDeploymentProgress>[1]) =>
      recordDeploymentProgress(db, input),
    operationFinished: (input: Parameters<typeof finishDeployment>[1]) => finishDeployment(db, input),
    /** Writes what Docker reported on each host as the stack's placements there. */
    syncPlacements: (input: { stackId: string; observed: ObservedHost[] }) =>
      replacePlacements(db, input.stackId, input.observed),
    stackDeleted: (input: { stackId: string }) => markStackDeleted(db, input.stackId),
    /**
     * Bundle files by digest, base64-encoded, for an agent that lacks them. Secret files are opened
     * here: they travel to the agent inside Temporal payloads. With `offset` and `length`, only that
     * slice of each file: a large file crosses in several messages, each under the payload limits.
     */
    readBundleFiles: async (input: {
      digests: string[];
      offset?: number;
      length?: number;
    }): Promise<{ digest: string; base64: string }[]> => {
      const contents = await readBlobs(db, keyring, input.digests);
      const slice = (content: Buffer) =>
        input.offset === undefined
          ? content
          : content.subarray(input.offset, input.offset + (input.length ?? content.length));
      return input.digests.map((digest) => ({
        digest,
        base64: slice(contents.get(digest)!).toString('base64'),
      }));
    },
    ...createReconcileActivities(db, operations),
  };
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
