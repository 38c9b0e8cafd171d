import proto from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { hostTaskQueue } from '../contracts/vocabulary.js';

// Two agents may serve one host (a restart that overlaps the old process, two replicas of the agent
// for availability): every Docker step is idempotent. Two agents of one host id on two different
// Docker daemons are a mistake that splits the host in two — containers created on one daemon,
// removed on the other — so an agent refuses to start beside a live one on another daemon.

const { WorkerStatus } = proto.temporal.api.enums.v1;

/** Agents heartbeat every 5 s (lib/temporal-worker.ts): one seen this recently is alive. */
const LIVE_MS = 20_000;
const DAEMON_MARK = '#docker:';

/** The agent's Temporal identity: where it runs, and which daemon it drives. */
export function agentIdentity(hostId: string, machine: string, pid: number, dockerId: string): string {
  return `agent:${hostId}@${machine}:${pid}${DAEMON_MARK}${dockerId}`;
}

/** The live agent of this host on another daemon, if there is one. */
export async function otherDaemonAgent(
  connection: NativeConnection,
  namespace: string,
  hostId: string,
  dockerId: string,
  now = Date.now(),
): Promise<string | undefined> {
  let response: proto.temporal.api.workflowservice.v1.IListWorkersResponse;
  try {
    response = await connection.workflowService.listWorkers({
      namespace,
      pageSize: 50,
      query: `TaskQueue = '${hostTaskQueue(hostId)}'`,
    });
  } catch {
    // A server that keeps no worker list: nothing to check against.
    return undefined;
  }
  for (const info of response.workersInfo ?? []) {
    const beat = info.workerHeartbeat;
    if (!beat || beat.status !== WorkerStatus.WORKER_STATUS_RUNNING) continue;
    const at = Number(beat.heartbeatTime?.seconds ?? 0) * 1000;
    const identity = beat.workerIdentity ?? '';
    const theirs = identity.includes(DAEMON_MARK)
      ? identity.slice(identity.indexOf(DAEMON_MARK) + DAEMON_MARK.length)
      : '';
    if (now - at <= LIVE_MS && theirs && theirs !== dockerId) return identity;
  }
  return undefined;
}
