import { proxyActivities } from '@temporalio/workflow';
import type { ControlActivities } from '../activities/control/index.js';
import { ORCHESTRATOR_TASK_QUEUE } from '../contracts/vocabulary.js';
import { controlPlane } from './timeouts.js';

/** Database writes, run by the orchestrator worker itself (never by an agent). */
export const control = proxyActivities<ControlActivities>({
  ...controlPlane,
  taskQueue: ORCHESTRATOR_TASK_QUEUE,
});
