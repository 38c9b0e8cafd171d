import { proxyActivities } from '@temporalio/workflow';

// Workflow code an attacker could run on a worker of their own: it schedules any activity, with any
// arguments, straight onto any queue, the Graphium host queues included. The signed-work tests use
// it to check that agents refuse such work. Never registered by Graphium itself.

export interface RogueActivity {
  taskQueue: string;
  activity: string;
  args: unknown[];
}

export async function rogueActivityWorkflow(input: RogueActivity): Promise<unknown> {
  const activities = proxyActivities<Record<string, (...args: unknown[]) => Promise<unknown>>>({
    taskQueue: input.taskQueue,
    scheduleToStartTimeout: '30s',
    startToCloseTimeout: '30s',
    // Retries allowed: the refusal itself must say that no retry can help.
    retry: { maximumAttempts: 3, initialInterval: '1s' },
  });
  return activities[input.activity]!(...input.args);
}
