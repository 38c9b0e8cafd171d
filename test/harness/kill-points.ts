import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

// Kill points of a running workflow, read from its history on the Temporal server (which outlives
// the orchestrator), so a test can SIGKILL the orchestrator at a chosen step of a deploy.

export type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

export interface KillPoint {
  name: string;
  /** True once the workflow has reached the point; `events` is its history so far. */
  reached: (events: HistoryEvent[]) => boolean | Promise<boolean>;
  /** Runs while the orchestrator is down (to hold the workflow at the next point, say). */
  whileDown?: () => void | Promise<void>;
  /** Runs once the orchestrator is back. */
  afterRestart?: () => void | Promise<void>;
}

export const activityScheduled =
  (type: string, count = 1) =>
  (events: HistoryEvent[]) =>
    events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type).length >= count;

/** `count` activities of this type completed (only those scheduled on `taskQueue`, when given). */
export const activityCompleted =
  (type: string, count = 1, taskQueue?: string) =>
  (events: HistoryEvent[]) => {
    const ids = new Set(
      events
        .filter((e) => {
          const scheduled = e.activityTaskScheduledEventAttributes;
          return (
            scheduled?.activityType?.name === type &&
            (taskQueue === undefined || scheduled.taskQueue?.name === taskQueue)
          );
        })
        .map((e) => String(e.eventId)),
    );
    const done = events.filter((e) =>
      ids.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)),
    );
    return done.length >= count;
  };

/** An activity of this type failed for good (its retries spent): a replica that never became ready, say. */
export const activityFailed = (type: string) => (events: HistoryEvent[]) => {
  const ids = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === type)
      .map((e) => String(e.eventId)),
  );
  return events.some((e) => ids.has(String(e.activityTaskFailedEventAttributes?.scheduledEventId)));
};

export const workflowTaskCompleted = (events: HistoryEvent[]) =>
  events.some((e) => e.workflowTaskCompletedEventAttributes);

const closed = (events: HistoryEvent[]) =>
  events.some(
    (e) =>
      e.workflowExecutionCompletedEventAttributes ||
      e.workflowExecutionFailedEventAttributes ||
      e.workflowExecutionCanceledEventAttributes ||
      e.workflowExecutionTerminatedEventAttributes,
  );

/** How long a history must stand still before a point it had passed at the last kill is taken. */
const STALL_MS = 10_000;

export interface Kill {
  point: string;
  /** The history length when the orchestrator died: distinct kills are at distinct lengths. */
  events: number;
  atMs: number;
}

/**
 * Walks the points in order: waits until the workflow reaches each one, waits a seeded random
 * 0–`jitterMs` more (so repeated runs hit a spread of moments around it), SIGKILLs the orchestrator
 * with `kill`, restarts it with `restart`, and goes on. Stops early once the workflow has closed.
 */
export async function killAtPoints(
  client: Client,
  handle: WorkflowHandle,
  points: KillPoint[],
  actions: { kill: () => Promise<void>; restart: () => Promise<void> },
  { seed, jitterMs = 400 }: { seed: number; jitterMs?: number },
): Promise<Kill[]> {
  const random = mulberry32(seed);
  const kills: Kill[] = [];
  const started = Date.now();
  /** The history when the orchestrator was last killed. */
  let lastKill: HistoryEvent[] = [];
  for (const point of points) {
    // The workflow may have passed this point already before the last kill (between the jitter and
    // the SIGKILL). Then the history may not move again until this point's `whileDown` runs (a step
    // scheduled there can be the one waiting on a lock that `whileDown` releases): once it has stood
    // still for a while, kill there. (A point that asks the daemons, not the history, answers for
    // now rather than for the last kill; the stall rule keeps it from firing on the same step early.)
    const overtaken = lastKill.length > 0 && (await point.reached(lastKill));
    const events = await followHistory(
      client,
      handle.workflowId,
      `reach "${point.name}"`,
      async (history, stillMs) => {
        if (closed(history)) return history;
        // Past the last kill, so no two kills land on the same step (unless the point was overtaken).
        const moved = (overtaken && stillMs >= STALL_MS) || history.length > (kills.at(-1)?.events ?? 0);
        return moved && (await point.reached(history)) ? history : undefined;
      },
      100,
    ).catch((error: Error) => {
      // A point never reached is a hang somewhere: say where, for the CI log.
      throw new Error(`${error.message}; kills so far ${JSON.stringify(kills)}`);
    });
    if (closed(events)) break;
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * jitterMs)));
    const at = (await client.workflow.getHandle(handle.workflowId).fetchHistory()).events ?? [];
    if (closed(at)) break;
    await actions.kill();
    lastKill = at;
    kills.push({ point: point.name, events: at.length, atMs: Date.now() - started });
    await point.whileDown?.();
    await actions.restart();
    await point.afterRestart?.();
  }
  return kills;
}

/**
 * How long a history may stand still before a wait on it fails as a hang. Bounds follow progress,
 * not the clock, so a slow machine makes the test slower, not red: no step here goes this long
 * without an event (a frozen agent's liveness watch alone records one a minute).
 */
const STUCK_MS = 180_000;
/** However much the history moves, a wait this long is a livelock (a check repeated forever). */
const LONGEST_WAIT_MS = 15 * 60_000;

/**
 * Reads the workflow's history every `intervalMs` until `probe` (given the history and how long it
 * has stood still) answers; fails with the last events when it stood still for STUCK_MS.
 */
async function followHistory<T>(
  client: Client,
  workflowId: string,
  what: string,
  probe: (history: HistoryEvent[], stillMs: number) => Promise<T | undefined>,
  intervalMs: number,
): Promise<T> {
  const started = Date.now();
  let seen: HistoryEvent[] = [];
  let stillSince = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const history = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      if (history.length !== seen.length) stillSince = Date.now();
      seen = history;
      const value = await probe(history, Date.now() - stillSince);
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    const stillMs = Date.now() - stillSince;
    const allMs = Date.now() - started;
    if (stillMs >= STUCK_MS || allMs >= LONGEST_WAIT_MS) {
      throw new Error(
        `${workflowId} did not ${what}: its history stood still for ${Math.round(stillMs / 1000)} s ` +
          `(${Math.round(allMs / 1000)} s in all)${lastError ? `; last error: ${lastError}` : ''}; last events:\n${tail(seen)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until the workflow has closed, for as long as its history moves (see STUCK_MS). */
export async function untilClosed(client: Client, handle: WorkflowHandle): Promise<void> {
  await followHistory(
    client,
    handle.workflowId,
    'close',
    async (history) => (closed(history) ? true : undefined),
    500,
  );
}

/** The last events of a history, one per line: type, activity and failure, enough to see a hang. */
function tail(history: HistoryEvent[], count = 25): string {
  const activities = new Map<string, string>();
  return history
    .map((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes;
      if (scheduled)
        activities.set(String(e.eventId), `${scheduled.activityType?.name} on ${scheduled.taskQueue?.name}`);
      const of =
        e.activityTaskStartedEventAttributes?.scheduledEventId ??
        e.activityTaskCompletedEventAttributes?.scheduledEventId ??
        e.activityTaskFailedEventAttributes?.scheduledEventId ??
        e.activityTaskTimedOutEventAttributes?.scheduledEventId ??
        e.activityTaskCanceledEventAttributes?.scheduledEventId ??
        e.activityTaskCancelRequestedEventAttributes?.scheduledEventId;
      const activity = activities.get(String(scheduled ? e.eventId : of)) ?? '';
      const failure =
        e.activityTaskFailedEventAttributes?.failure?.message ??
        e.activityTaskTimedOutEventAttributes?.failure?.message ??
        '';
      const at = new Date(Number(e.eventTime?.seconds ?? 0) * 1000).toISOString().slice(11, 19);
      return `  ${e.eventId} ${at} ${proto.temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '')} ${activity} ${failure}`.trimEnd();
    })
    .slice(-count)
    .join('\n');
}

/** A small seeded generator: the seed is printed, so a failing run's kill moments can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
