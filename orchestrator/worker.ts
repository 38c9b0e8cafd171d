import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createControlActivities } from '../activities/control/index.js';
import { ORCHESTRATOR_TASK_QUEUE } from '../contracts/vocabulary.js';
import type { Database } from '../db/client.js';
import type { OrchestratorEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';
import { activityPolicy, workflowPolicy } from '../lib/payload-codec.js';
import { orchestratorPayloadSecurity, payloadDataConverter } from '../lib/payload-security.js';
import { signedWorkInterceptor } from '../lib/signed-work-interceptor.js';
import { ensureSearchAttributes } from '../lib/temporal.js';
import { connectWorkerConnection } from '../lib/temporal-worker.js';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../lib/workflow-bundle.js';
import { syncReconcileSchedule } from './reconcile-schedule.js';

/**
 * The orchestrator: runs every workflow and the control-plane activities on `graphium-orchestrator`
 * until `stop` resolves. It never talks to a Docker daemon. Two workers share the queue because they
 * trust different senders: workflows run what the API signed (and read what agents answer), control
 * activities run only what the orchestrator's own workflows signed.
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
    const security = orchestratorPayloadSecurity(env);
    // The orchestrator starts operations itself too (scheduled reconciles, their repairs); what it
    // asks is signed as the API's requests are.
    const client = new Client({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      dataConverter: payloadDataConverter(security, workflowPolicy, log),
    });
    await syncReconcileSchedule(client, env.GRAPHIUM_RECONCILE_INTERVAL, log);
    const common = { connection, namespace: env.TEMPORAL_NAMESPACE, taskQueue: ORCHESTRATOR_TASK_QUEUE };
    const workflows = await Worker.create({
      ...common,
      ...(env.GRAPHIUM_WORKFLOW_BUNDLE
        ? { workflowBundle: { codePath: env.GRAPHIUM_WORKFLOW_BUNDLE } }
        : { workflowsPath: WORKFLOWS_PATH, interceptors: { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] } }),
      dataConverter: payloadDataConverter(security, workflowPolicy, log),
    });
    const activities = await Worker.create({
      ...common,
      activities: createControlActivities(db, env.GRAPHIUM_ENCRYPTION_KEYS, {
        temporal: client,
        namespace: env.TEMPORAL_NAMESPACE,
        pickupTimeout: env.GRAPHIUM_AGENT_PICKUP_TIMEOUT,
        keyring: env.GRAPHIUM_ENCRYPTION_KEYS,
        log,
      }),
      dataConverter: payloadDataConverter(security, activityPolicy, log),
      interceptors: { activity: [signedWorkInterceptor(ORCHESTRATOR_TASK_QUEUE, log)] },
    });
    log.info({ taskQueue: ORCHESTRATOR_TASK_QUEUE, temporal: env.TEMPORAL_ADDRESS }, 'orchestrator polling');
    await Promise.all([workflows.runUntil(stop), activities.runUntil(stop)]);
    log.info('orchestrator stopped');
  } finally {
    await connection.close();
  }
}
