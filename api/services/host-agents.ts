import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { hostTaskQueue } from '../../contracts/vocabulary.js';
import { callTemporal } from '../lib/temporal-calls.js';

// A host's status comes only from Temporal: the pollers it has seen on the host's activity queue.
// The database knows which hosts exist, never whether their agents are alive.

// @temporalio/proto is CommonJS without static named exports.
const { TaskQueueType, TaskQueueKind } = proto.temporal.api.enums.v1;

/**
 * An idle agent holds a long poll open for about 60 s, and Temporal refreshes the poller's
 * lastAccessTime each time a poll starts; 90 s is one full poll plus margin for a slow reconnect.
 * Anything older means the agent stopped polling.
 */
export const ONLINE_WINDOW_MS = 90_000;

export interface AgentPresence {
  identity: string;
  lastPollAt: Date;
  /** The build id the agent's worker announces to Temporal, when it announces one. */
  version: string | null;
}

export interface HostAgentStatus {
  status: 'online' | 'offline';
  /** The most recent poller Temporal remembers (it forgets them after a few minutes), or null. */
  agent: AgentPresence | null;
}

function timestampMs(ts: proto.google.protobuf.ITimestamp | null | undefined): number {
  if (!ts) return 0;
  return Number(ts.seconds?.toString() ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export async function describeHostAgent(
  temporal: Client,
  namespace: string,
  hostId: string,
  now = Date.now(),
): Promise<HostAgentStatus> {
  // Unreachable Temporal: 503. A host's status is never guessed from the database.
  const response = await callTemporal(temporal, `read the agent status of host ${hostId}`, () =>
    temporal.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: hostTaskQueue(hostId), kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    }),
  );
  const latest = (response.pollers ?? [])
    .map((poller) => ({
      identity: poller.identity ?? '',
      lastPollAt: timestampMs(poller.lastAccessTime),
      version: poller.deploymentOptions?.buildId || poller.workerVersionCapabilities?.buildId || null,
    }))
    .sort((a, b) => b.lastPollAt - a.lastPollAt)[0];
  if (!latest) return { status: 'offline', agent: null };
  return {
    status: now - latest.lastPollAt <= ONLINE_WINDOW_MS ? 'online' : 'offline',
    agent: { identity: latest.identity, lastPollAt: new Date(latest.lastPollAt), version: latest.version },
  };
}

/** One describe call per host, all in parallel: a list takes as long as its slowest host, not their sum. */
export async function describeHostAgents(
  temporal: Client,
  namespace: string,
  hostIds: string[],
): Promise<Map<string, HostAgentStatus>> {
  const now = Date.now();
  const statuses = await Promise.all(hostIds.map((id) => describeHostAgent(temporal, namespace, id, now)));
  return new Map(hostIds.map((id, index) => [id, statuses[index]!]));
}
