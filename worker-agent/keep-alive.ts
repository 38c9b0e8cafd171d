import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

const KEEP_ALIVE_MS = 5_000;

/**
 * Heartbeats every few seconds for as long as a Docker step runs, whatever the step does. A dead
 * agent is then noticed within the step's heartbeat timeout (seconds), not its start-to-close
 * bound (minutes), while a slow but live step (a long stop grace period, a loaded daemon) is never
 * cut short; and cancellation reaches every step, not only those that report progress themselves.
 */
export function keepAliveInterceptor(): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        if (!ctx.info.heartbeatTimeoutMs) return next(input);
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
