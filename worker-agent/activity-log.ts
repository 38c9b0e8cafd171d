import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Logger } from '../lib/log.js';

/**
 * One log line when a Docker step starts and one when it ends, with the workflow, attempt and
 * duration: enough to follow a deployment on a host from the agent's log alone.
 */
export function activityLogInterceptor(log: Logger): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt, workflowExecution } = ctx.info;
        const fields = { activity: activityType, attempt, workflowId: workflowExecution?.workflowId };
        const started = Date.now();
        log.info(fields, 'activity started');
        try {
          const result = await next(input);
          log.info({ ...fields, ms: Date.now() - started }, 'activity completed');
          return result;
        } catch (error) {
          log.warn(
            { ...fields, ms: Date.now() - started, error: (error as Error).message },
            'activity failed',
          );
          throw error;
        }
      },
    },
  });
}
