import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { DockerActivities } from '../activities/docker/index.js';

const KEEP_ALIVE_MS = 5_000;

/**
 * Steps that heartbeat on their own progress, and only then; keep-alive must leave them alone, or
 * it would hide the stall their heartbeat timeout exists to catch:
 * - `pullImage` heartbeats on every progress event of the pull, so a pull that stops making
 *   progress (a stuck registry or network) fails after its 60 s heartbeat timeout and is retried,
 *   instead of hanging for its 30 min start-to-close bound.
 * - `waitReady` heartbeats on every poll of the container (every half second), so a daemon that
 *   stops answering is noticed within its 15 s heartbeat timeout; its cancellation-aware sleep and
 *   those heartbeats already let cancellation reach it.
 * - `buildImage` heartbeats every few seconds with the build's last line of output, which the
 *   Temporal UI shows as the step's details; an empty keep-alive heartbeat would wipe that line.
 */
const HEARTBEATS_ON_PROGRESS: ReadonlySet<string> = new Set<keyof DockerActivities>([
  'pullImage',
  'waitReady',
  'buildImage',
]);

/**
 * Heartbeats every few seconds for as long as any other Docker step runs, whatever the step does.
 * A dead agent is then noticed within the step's heartbeat timeout (seconds), not its start-to-close
 * bound (minutes), while a slow but live step (a long stop grace period, a loaded daemon) is never
 * cut short; and cancellation reaches every step, not only those that report progress themselves.
 */
export function keepAliveInterceptor(): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        if (!ctx.info.heartbeatTimeoutMs || HEARTBEATS_ON_PROGRESS.has(ctx.info.activityType)) {
          return next(input);
        }
        const timer = setInterval(() => ctx.heartbeat(), KEEP_ALIVE_MS);
        try {
          return await next(input);
        } finally {
          clearInterval(timer);
        }
      },
    },
  });
}
