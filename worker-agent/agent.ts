import { hostname } from 'node:os';
import { Worker } from '@temporalio/worker';
import { checkDaemon, connectDocker, daemonAnswers } from '../activities/docker/client.js';
import { createDockerActivities } from '../activities/docker/index.js';
import { hostTaskQueue } from '../contracts/vocabulary.js';
import type { AgentEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';
import { connectWorkerConnection } from '../lib/temporal-worker.js';
import { activityLogInterceptor } from './activity-log.js';
import { daemonAbsenceInterceptor } from './daemon-absence.js';
import { agentIdentity, otherDaemonAgent } from './host-claim.js';
import { keepAliveInterceptor } from './keep-alive.js';

/**
 * Runs one host's agent until `stop` resolves: it connects out to Temporal and polls only its own
 * queue, so the Docker daemon is never exposed. Containers are found by label; the only files it
 * keeps are stack bundles and stack data under GRAPHIUM_AGENT_DATA_DIR, which the daemon binds from.
 */
export async function runAgent(env: AgentEnv, log: Logger, stop: Promise<unknown>): Promise<void> {
  const hostId = env.GRAPHIUM_HOST_ID;
  const docker = connectDocker(env.DOCKER_HOST);
  const daemon = await checkDaemon(docker, env.DOCKER_HOST);
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
      taskQueue: hostTaskQueue(hostId),
      identity: agentIdentity(hostId, hostname(), process.pid, daemon.dockerId),
      activities: createDockerActivities(docker, hostId, log, {
        dockerHost: env.DOCKER_HOST,
        dataDir: env.GRAPHIUM_AGENT_DATA_DIR,
      }),
      maxConcurrentActivityTaskExecutions: env.GRAPHIUM_AGENT_CONCURRENCY,
      interceptors: {
        activity: [
          activityLogInterceptor(log),
          keepAliveInterceptor(),
          daemonAbsenceInterceptor(() => daemonAnswers(docker), log),
        ],
      },
      // On SIGTERM running Docker steps get this long to finish; the rest are cancelled and retried on restart.
      shutdownGraceTime: '20s',
    });
    log.info(
      {
        taskQueue: hostTaskQueue(hostId),
        ...daemon,
        temporal: env.TEMPORAL_ADDRESS,
        dataDir: env.GRAPHIUM_AGENT_DATA_DIR,
      },
      'agent polling',
    );
    await worker.runUntil(stop);
    log.info('agent stopped');
  } finally {
    await connection.close();
  }
}
