import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { hostLivenessQueue, hostTaskQueue } from '../../contracts/vocabulary.js';
import { callTemporal, withTemporalDeadline } from '../lib/temporal-calls.js';

// A host's status comes only from Temporal: the heartbeats its agent's worker sends (every 5 s,
// lib/temporal-worker.ts) and the pollers Temporal has seen on the host's queues. The
// database knows which hosts exist, never whether their agents are alive.

// @temporalio/proto is CommonJS without static named exports.
const { TaskQueueType, TaskQueueKind, WorkerStatus } = proto.temporal.api.enums.v1;

/**
 * Without worker heartbeats (a server that does not list workers): an idle agent holds a long poll
 * open for about 60 s, and Temporal refreshes the poller's lastAccessTime each time a poll starts;
 * 90 s is one full poll plus margin for a slow reconnect. The liveness queue is what counts: the agent
 * polls it with slots of its own, so a busy agent (every Docker slot taken, no poll on its Docker
 * queue) still shows there. Its Docker queue counts too, for agents from before the liveness queue.
 */
export const ONLINE_WINDOW_MS = 90_000;

/**
 * With worker heartbeats, every 5 s from a live agent busy or idle: four missed ones mean the agent
 * is gone or cut off, so a dead or partitioned agent shows offline within about 20 s.
 */
export const HEARTBEAT_WINDOW_MS = 20_000;

/**
 * A host seen this recently is "briefly unreachable", not gone: placement keeps its replicas there
 * (the deploy waits for its agent up to the pickup bound) instead of starting them elsewhere while
 * the old ones may still run.
 */
export const RECENTLY_SEEN_MS = 5 * 60_000;

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
  /** When an agent of this host was last known alive (heartbeat or poll), or null. */
  lastSeenAt: Date | null;
}

function timestampMs(ts: proto.google.protobuf.ITimestamp | null | undefined): number {
  if (!ts) return 0;
  return Number(ts.seconds?.toString() ?? 0) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/**
 * Heartbeat times come from the agent's clock. To stay right when that clock is off, each API
 * process remembers when it first saw each heartbeat value: a value that keeps changing is a live
 * agent whatever its clock says; only the first look at a host trusts the time itself.
 */
const heartbeatsSeen = new Map<string, { beatMs: number; seenAtMs: number }>();

function heartbeatAgeMs(key: string, beatMs: number, now: number): number {
  const seen = heartbeatsSeen.get(key);
  if (seen?.beatMs === beatMs) return now - seen.seenAtMs;
  heartbeatsSeen.set(key, { beatMs, seenAtMs: now });
  return seen ? 0 : Math.max(0, now - beatMs);
}

/** The newest heartbeat of a running worker on the host's queue; undefined when the server keeps none. */
async function latestHeartbeat(
  temporal: Client,
  namespace: string,
  hostId: string,
): Promise<{ beatMs: number; identity: string } | undefined> {
  let response: proto.temporal.api.workflowservice.v1.IListWorkersResponse;
  try {
    response = await withTemporalDeadline(temporal, () =>
      temporal.workflowService.listWorkers({
        namespace,
        pageSize: 50,
        query: `TaskQueue = '${hostTaskQueue(hostId)}'`,
      }),
    );
  } catch {
    // An older server (no worker list) or a slow one: the pollers decide alone.
    return undefined;
  }
  const beats = (response.workersInfo ?? [])
    .map((info) => info.workerHeartbeat)
    .filter((beat) => beat && beat.status === WorkerStatus.WORKER_STATUS_RUNNING && beat.heartbeatTime)
    .map((beat) => ({ beatMs: timestampMs(beat!.heartbeatTime), identity: beat!.workerIdentity ?? '' }))
    .sort((a, b) => b.beatMs - a.beatMs);
  return beats[0];
}

export async function describeHostAgent(
  temporal: Client,
  namespace: string,
  hostId: string,
  now = Date.now(),
): Promise<HostAgentStatus> {
  // Unreachable Temporal: 503. A host's status is never guessed from the database.
  const [pollers, heartbeat] = await Promise.all([
    Promise.all(
      [hostLivenessQueue(hostId), hostTaskQueue(hostId)].map((name) =>
        callTemporal(temporal, `read the agent status of host ${hostId}`, () =>
          temporal.workflowService.describeTaskQueue({
            namespace,
            taskQueue: { name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          }),
        ),
      ),
    ),
    latestHeartbeat(temporal, namespace, hostId),
  ]);
  const latest = pollers
    .flatMap((response) => response.pollers ?? [])
    .map((poller) => ({
      identity: poller.identity ?? '',
      lastPollAt: timestampMs(poller.lastAccessTime),
      version: poller.deploymentOptions?.buildId || poller.workerVersionCapabilities?.buildId || null,
    }))
    .sort((a, b) => b.lastPollAt - a.lastPollAt)[0];
  const agent = latest
    ? { identity: latest.identity, lastPollAt: new Date(latest.lastPollAt), version: latest.version }
    : null;
  if (heartbeat) {
    const age = heartbeatAgeMs(`${namespace}/${hostId}`, heartbeat.beatMs, now);
    const lastSeen = Math.max(now - age, latest?.lastPollAt ?? 0);
    return {
      status: age <= HEARTBEAT_WINDOW_MS ? 'online' : 'offline',
      agent,
      lastSeenAt: new Date(lastSeen),
    };
  }
  if (!latest) return { status: 'offline', agent: null, lastSeenAt: null };
  return {
    status: now - latest.lastPollAt <= ONLINE_WINDOW_MS ? 'online' : 'offline',
    agent,
    lastSeenAt: new Date(latest.lastPollAt),
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

/** Offline, but seen alive within RECENTLY_SEEN_MS: its replicas stay where they are. */
export function recentlySeen(status: HostAgentStatus | undefined, now = Date.now()): boolean {
  return Boolean(status?.lastSeenAt && now - status.lastSeenAt.getTime() <= RECENTLY_SEEN_MS);
}
