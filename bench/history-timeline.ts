import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

// A workflow's history reduced to what the benchmarks time: each activity (its type, queue and
// when it was scheduled, picked up and closed) and each workflow task. Only event metadata is read
// (times, types, queues): payloads are sealed and stay so.

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface TimedActivity {
  type: string;
  queue: string;
  scheduledAt: number;
  /** When the last attempt was picked up (Temporal records the last attempt's start). */
  startedAt?: number;
  closedAt?: number;
  attempt?: number;
}

export interface TimedWorkflowTask {
  scheduledAt: number;
  startedAt?: number;
  closedAt?: number;
}

export interface Timeline {
  workflowId: string;
  startedAt: number;
  closedAt?: number;
  events: number;
  activities: TimedActivity[];
  workflowTasks: TimedWorkflowTask[];
  signals: number;
  timers: number;
  childWorkflows: string[];
}

const timeOf = (event: HistoryEvent) =>
  Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);

/** Fetches a workflow's history and times its activities and workflow tasks. */
export async function fetchTimeline(client: Client, workflowId: string): Promise<Timeline> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return timelineOf(workflowId, history.events ?? []);
}

export function timelineOf(workflowId: string, events: HistoryEvent[]): Timeline {
  const activities = new Map<string, TimedActivity>();
  const tasks = new Map<string, TimedWorkflowTask>();
  const timeline: Timeline = {
    workflowId,
    startedAt: events[0] ? timeOf(events[0]) : 0,
    events: events.length,
    activities: [],
    workflowTasks: [],
    signals: 0,
    timers: 0,
    childWorkflows: [],
  };
  for (const event of events) {
    const at = timeOf(event);
    const id = String(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      activities.set(id, {
        type: scheduled.activityType?.name ?? '?',
        queue: scheduled.taskQueue?.name ?? '?',
        scheduledAt: at,
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    const activity = activities.get(String(started?.scheduledEventId));
    if (started && activity) {
      activity.startedAt = at;
      activity.attempt = started.attempt ?? 1;
    }
    const closedId =
      event.activityTaskCompletedEventAttributes?.scheduledEventId ??
      event.activityTaskFailedEventAttributes?.scheduledEventId ??
      event.activityTaskTimedOutEventAttributes?.scheduledEventId ??
      event.activityTaskCanceledEventAttributes?.scheduledEventId;
    const closed = closedId != null ? activities.get(String(closedId)) : undefined;
    if (closed) closed.closedAt = at;

    if (event.workflowTaskScheduledEventAttributes) tasks.set(id, { scheduledAt: at });
    const taskStarted = event.workflowTaskStartedEventAttributes;
    const task = tasks.get(String(event.workflowTaskStartedEventAttributes?.scheduledEventId));
    if (taskStarted && task) task.startedAt = at;
    const taskClosedId =
      event.workflowTaskCompletedEventAttributes?.scheduledEventId ??
      event.workflowTaskFailedEventAttributes?.scheduledEventId ??
      event.workflowTaskTimedOutEventAttributes?.scheduledEventId;
    const taskClosed = taskClosedId != null ? tasks.get(String(taskClosedId)) : undefined;
    if (taskClosed) taskClosed.closedAt = at;

    if (event.workflowExecutionSignaledEventAttributes) timeline.signals++;
    if (event.timerStartedEventAttributes) timeline.timers++;
    const child = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (child) timeline.childWorkflows.push(child);
    if (
      event.workflowExecutionCompletedEventAttributes ||
      event.workflowExecutionFailedEventAttributes ||
      event.workflowExecutionCanceledEventAttributes ||
      event.workflowExecutionTerminatedEventAttributes ||
      event.workflowExecutionTimedOutEventAttributes
    )
      timeline.closedAt = at;
  }
  timeline.activities = [...activities.values()];
  timeline.workflowTasks = [...tasks.values()];
  return timeline;
}

/** Activities that ran on an agent's Docker queue (`graphium-host-<id>`). */
export const isDockerStep = (a: TimedActivity) => a.queue.startsWith('graphium-host-');

/** Scheduled → picked up, in ms, of every activity that was picked up. */
export const pickupsOf = (activities: readonly TimedActivity[]) =>
  activities.flatMap((a) => (a.startedAt === undefined ? [] : [a.startedAt - a.scheduledAt]));

/** The p-th percentile (nearest rank) of `values`; 0 when empty. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
