import type { Client } from '@temporalio/client';

/** Pickup latency and history sizes, read from the deployment's own Temporal histories. */
export async function historyFigures(client: Client, workflowId: string) {
  const parent = await client.workflow.getHandle(workflowId).fetchHistory();
  const childIds = (parent.events ?? [])
    .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
    .filter((id): id is string => Boolean(id));
  const pickups: number[] = [];
  let maxChildEvents = 0;
  // Deploys schedule every replica from the parent now; runs from before did it in per-host children.
  const histories = [parent];
  for (const childId of childIds) histories.push(await client.workflow.getHandle(childId).fetchHistory());
  for (const [index, history] of histories.entries()) {
    const events = history.events ?? [];
    if (index > 0) maxChildEvents = Math.max(maxChildEvents, events.length);
    const scheduledAt = new Map<string, number>();
    for (const event of events) {
      const at =
        Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      // Docker steps only: not the orchestrator's own database writes, nor liveness checks.
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.taskQueue?.name?.startsWith('graphium-host-'))
        scheduledAt.set(String(event.eventId), at);
      const started = event.activityTaskStartedEventAttributes;
      if (started) {
        const scheduledAtMs = scheduledAt.get(String(started.scheduledEventId));
        if (scheduledAtMs !== undefined) pickups.push(at - scheduledAtMs);
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
