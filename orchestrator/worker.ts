import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createControlActivities } from '../activities/control/index.js';
import { ORCHESTRATOR_TASK_QUEUE } from '../contracts/vocabulary.js';
import type { Database } from '../db/client.js';
import type { OrchestratorEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';
import { ensureSearchAttributes } from '../lib/temporal.js';
import { connectWorkerConnection } from '../lib/temporal-worker.js';
import { syncReconcileSchedule } from './reconcile-schedule.js';

/**
 * The orchestrator worker: runs every workflow and the control-plane activities on
 * `graphium-orchestrator` until `stop` resolves. It never talks to a Docker daemon.
 */
export async function runOrchestrator(
  env: OrchestratorEnv,
  log: Logger,
  db: Database,
  stop: Promise<unknown>,
): Promise<void> {
  const connection = await connectWorkerConnection(env);
  try {
    const added = await ensureSearchAttributes(connection, env.TEMPORAL_NAMESPACE);
    if (added.length > 0) log.info({ added }, 'registered search attributes');
    // The orchestrator starts operations itself too (scheduled reconciles, their repairs).
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    await syncReconcileSchedule(client, env.GRAPHIUM_RECONCILE_INTERVAL, log);
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: ORCHESTRATOR_TASK_QUEUE,
      ...(env.GRAPHIUM_WORKFLOW_BUNDLE
        ? { workflowBundle: { codePath: env.GRAPHIUM_WORKFLOW_BUNDLE } }
        : { workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)) }),
      activities: createControlActivities(db, env.GRAPHIUM_ENCRYPTION_KEYS, {
        temporal: client,
        namespace: env.TEMPORAL_NAMESPACE,
        pickupTimeout: env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
        keyring: env.GRAPHIUM_ENCRYPTION_KEYS,
        log,
      }),
    });
    log.info({ taskQueue: ORCHESTRATOR_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS }, 'orchestrator polling');
    await worker.runUntil(stop);
    log.info('orchestrator stopped');
  } finally {
    await connection.close();
  }
}
