import type { Client } from '@temporalio/client';

/** Pickup latency and history sizes, read from the deployment's own Temporal histories. */
export async function historyFigures(client: Client, workflowId: string) {
  const parent = await client.workflow.getHandle(workflowId).fetchHistory();
  const childIds = (parent.events ?? [])
    .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
    .filter((id): id is string => Boolean(id));
  const pickups: number[] = [];
  let maxChildEvents = 0;
  for (const childId of childIds) {
    const history = await client.workflow.getHandle(childId).fetchHistory();
    const events = history.events ?? [];
    maxChildEvents = Math.max(maxChildEvents, events.length);
    const scheduledAt = new Map<string, number>();
    for (const event of events) {
      const at =
        Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      if (event.activityTaskScheduledEventAttributes) scheduledAt.set(String(event.eventId), at);
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const scheduled = scheduledAt.get(String(started.scheduledEventId));
        if (scheduled !== undefined) pickups.push(at - scheduled);
      }
    }
  }
  pickups.sort((a, b) => a - b);
  const pct = (p: number) =>
    pickups[Math.min(pickups.length - 1, Math.floor((p / 100) * pickups.length))] ?? 0;
  return {
    activities: pickups.length,
    pickupP50: pct(50),
    pickupP99: pct(99),
    pickupMax: pickups.at(-1) ?? 0,
    parentEvents: parent.events?.length ?? 0,
    children: childIds.length,
    maxChildEvents,
  };
}
