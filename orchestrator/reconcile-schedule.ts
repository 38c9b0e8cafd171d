import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { ORCHESTRATOR_TASK_QUEUE, RECONCILE_SCHEDULE_ID } from '../contracts/vocabulary.js';
import type { Logger } from '../lib/log.js';

// Drift detection runs on a Temporal Schedule, not a timer of ours: it survives restarts, shows in
// the Temporal UI (pause, trigger, see its runs), and runs once however many orchestrators there are.

/** Keeps the reconcile schedule at `interval` (`10m`), or removes it when `interval` is `0`. */
export async function syncReconcileSchedule(client: Client, interval: string, log: Logger): Promise<void> {
  const handle = client.schedule.getHandle(RECONCILE_SCHEDULE_ID);
  if (interval === '0') {
    try {
      await handle.delete();
      log.info(
        { scheduleId: RECONCILE_SCHEDULE_ID },
        'reconcile schedule removed (GRAPHIUM_RECONCILE_INTERVAL=0)',
      );
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    return;
  }
  const spec = { intervals: [{ every: interval }] };
  try {
    await client.schedule.create({
      scheduleId: RECONCILE_SCHEDULE_ID,
      spec,
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcileStacksWorkflow',
        taskQueue: ORCHESTRATOR_TASK_QUEUE,
        workflowId: 'reconcile-stacks',
        args: [],
      },
      // A run still going when the next is due is enough; after an outage, one run catches up.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1m' },
      state: { note: 'Reconciles every Graphium stack (GRAPHIUM_RECONCILE_INTERVAL)' },
    });
    log.info({ scheduleId: RECONCILE_SCHEDULE_ID, interval }, 'reconcile schedule created');
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await handle.update((previous) => ({ ...previous, spec }));
    log.info({ scheduleId: RECONCILE_SCHEDULE_ID, interval }, 'reconcile schedule kept');
  }
}
