import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { firstRefusal, UNSIGNED_WORK, type WorkBinding, workBindingOf } from '../contracts/signed-work.js';
import type { Logger } from './log.js';

// The activity worker's half of signed work (docs/security.md): the codec has checked that every
// argument is signed by the orchestrator for this workflow and step; this checks the binding the
// orchestrator's workflow added as the last argument names this worker's own queue and this very task,
// then runs the activity without it. Anything else fails at once, without a retry, and is logged.

function problemWith(args: readonly unknown[], info: Context['info'], taskQueue: string): string | undefined {
  const refusal = firstRefusal(args);
  if (refusal !== undefined) return `an argument was refused: ${refusal}`;
  const binding = workBindingOf(args.at(-1));
  if (!binding) return 'it carries no binding to a queue and step, so no Graphium orchestrator scheduled it';
  if (!info.workflowExecution) return 'it was not scheduled by a workflow';
  const expected: WorkBinding = {
    taskQueue,
    workflowId: info.workflowExecution.workflowId,
    runId: info.workflowExecution.runId,
    activityId: info.activityId,
    activityType: info.activityType,
  };
  if (binding.taskQueue !== expected.taskQueue) {
    return `it was signed for queue ${binding.taskQueue}, not ${expected.taskQueue}`;
  }
  for (const field of ['workflowId', 'runId', 'activityId', 'activityType'] as const) {
    if (binding[field] !== expected[field]) {
      return `it was signed for ${field} ${binding[field]}, not ${expected[field]} (replayed from another task)`;
    }
  }
  return undefined;
}

export function signedWorkInterceptor(taskQueue: string, log: Logger): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const problem = problemWith(input.args, ctx.info, taskQueue);
        if (problem === undefined) return next({ ...input, args: input.args.slice(0, -1) });
        const { activityType, activityId, workflowExecution } = ctx.info;
        log.error(
          { activity: activityType, activityId, ...workflowExecution, reason: problem },
          'refused an activity: it is not work the orchestrator signed for this queue',
        );
        throw ApplicationFailure.create({
          type: UNSIGNED_WORK,
          nonRetryable: true,
          message: `${taskQueue} refused ${activityType} of workflow ${workflowExecution?.workflowId}: ${problem}`,
        });
      },
    },
  });
}
