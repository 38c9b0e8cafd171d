import type { Client } from '@temporalio/client';
import type { Database } from '../../db/client.js';

/**
 * Control-plane activities, run by the orchestrator worker on `graphium-orchestrator`: they keep
 * the database in step with the workflows. Built over injected clients so tests pass real ones.
 */
export function createControlActivities(_db: Database, _temporal: Client) {
  return {};
}

export type ControlActivities = ReturnType<typeof createControlActivities>;
