import { hostname } from 'node:os';
import { Worker } from '@temporalio/worker';
import { checkDaemon, connectDocker, daemonState } from '../activities/docker/client.js';
import { createDockerActivities, createLivenessActivities } from '../activities/docker/index.js';
import { hostLivenessQueue, hostTaskQueue } from '../contracts/vocabulary.js';
import type { AgentEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';
import { activityPolicy } from '../lib/payload-codec.js';
import { agentPayloadSecurity, payloadDataConverter } from '../lib/payload-security.js';
import { signedWorkInterceptor } from '../lib/signed-work-interceptor.js';
import { connectWorkerConnection } from '../lib/temporal-worker.js';
import { activityLogInterceptor } from './activity-log.js';
import { daemonAbsenceInterceptor } from './daemon-absence.js';
import { agentIdentity, otherDaemonAgent } from './host-claim.js';
import { keepAliveInterceptor } from './keep-alive.js';

/** Liveness checks answer at once; a few slots let several deployments check at the same moment. */
const LIVENESS_SLOTS = 4;

/**
 * Runs one host's agent until `stop` resolves: it connects out to Temporal and polls only its own
 * queues, so the Docker daemon is never exposed. Containers are found by label; the only files it
 * keeps are stack bundles and stack data under GRAPHIUM_AGENT_DATA_DIR, which the daemon binds from.
 * Beside the Docker worker runs a liveness worker with slots of its own: it keeps polling while every
 * Docker slot is busy, so a busy agent is never taken for an offline one.
 */
export async function runAgent(env: AgentEnv, log: Logger, stop: Promise<unknown>): Promise<void> {
  const hostId = env.GRAPHIUM_HOST_ID;
  const taskQueue = hostTaskQueue(hostId);
  const livenessQueue = hostLivenessQueue(hostId);
  // Only work the orchestrator signed for this host's queues runs (docs/security.md).
  const dataConverter = payloadDataConverter(agentPayloadSecurity(env), activityPolicy, log);
  const docker = connectDocker(env.DOCKER_HOST);
  const daemon = await checkDaemon(docker, env.DOCKER_HOST);
  const identity = agentIdentity(hostId, hostname(), process.pid, daemon.dockerId);
  const connection = await connectWorkerConnection(env);
  try {
    const rival = await otherDaemonAgent(connection, env.TEMPORAL_NAMESPACE, hostId, daemon.dockerId);
    if (rival) {
      throw new Error(
        `another agent of host ${hostId} is running against another Docker daemon (${rival}); ` +
          `this one drives ${daemon.dockerId}. One host id is one daemon: give this host its own id`,
      );
    }
    const worker = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      identity,
      activities: createDockerActivities(docker, hostId, log, {
        dockerHost: env.DOCKER_HOST,
        dataDir: env.GRAPHIUM_AGENT_DATA_DIR,
        identity,
      }),
      maxConcurrentActivityTaskExecutions: env.GRAPHIUM_AGENT_CONCURRENCY,
      // The signature check comes first.
      dataConverter,
      interceptors: {
        activity: [
          signedWorkInterceptor(taskQueue, log),
          activityLogInterceptor(log),
          keepAliveInterceptor(),
          daemonAbsenceInterceptor(() => daemonState(docker), log),
        ],
      },
      // On SIGTERM running Docker steps get this long to finish; the rest are cancelled and retried on restart.
      shutdownGraceTime: '20s',
    });
    const liveness = await Worker.create({
      connection,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: livenessQueue,
      identity,
      activities: createLivenessActivities(hostId, identity),
      maxConcurrentActivityTaskExecutions: LIVENESS_SLOTS,
      dataConverter,
      interceptors: { activity: [signedWorkInterceptor(livenessQueue, log)] },
    });
    log.info(
      {
        taskQueue,
        livenessQueue,
        ...daemon,
        temporal: env.TEMPORAL_ADDRESS,
        dataDir: env.GRAPHIUM_AGENT_DATA_DIR,
      },
      'agent polling',
    );
    await runTogether([worker, liveness], stop);
    log.info('agent stopped');
  } finally {
    await connection.close();
  }
}

/**
 * Runs the workers until `stop`, and stops them all as soon as one of them fails: an agent whose
 * Docker worker died must not go on answering liveness checks.
 */
async function runTogether(workers: Worker[], stop: Promise<unknown>): Promise<void> {
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  const until = Promise.race([stop, failure.catch(() => undefined)]);
  const runs = workers.map((worker) =>
    worker.runUntil(until).catch((error) => {
      failed(error);
      throw error;
    }),
  );
  const results = await Promise.allSettled(runs);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
