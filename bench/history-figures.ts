import type { Client } from '@temporalio/client';
import { fetchTimeline, isDockerStep, percentile, pickupsOf, type Timeline } from './history-timeline.js';

/**
 * Agent pickup latency (scheduled → started of every Docker step) and history sizes, read from the
 * deployment's own Temporal histories. Deploys schedule every replica from one workflow now; runs
 * from before did it in per-host children, which are read too when there are any.
 */
export async function historyFigures(client: Client, workflowId: string) {
  const parent = await fetchTimeline(client, workflowId);
  const children: Timeline[] = [];
  for (const childId of parent.childWorkflows) children.push(await fetchTimeline(client, childId));
  const pickups = [parent, ...children].flatMap((t) => pickupsOf(t.activities.filter(isDockerStep)));
  return {
    timeline: parent,
    activities: pickups.length,
    pickupP50: percentile(pickups, 50),
    pickupP99: percentile(pickups, 99),
    pickupMax: Math.max(0, ...pickups),
    parentEvents: parent.events,
    children: children.length,
    maxChildEvents: Math.max(0, ...children.map((c) => c.events)),
  };
}
