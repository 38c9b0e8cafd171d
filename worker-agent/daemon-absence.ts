import { CancelledFailure, type Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { DaemonState } from '../activities/docker/client.js';
import type { Logger } from '../lib/log.js';

/**
 * How long a step waits for a daemon that went away (`systemctl restart docker`, an upgrade) before
 * its failure stands: a restart with running containers takes their stop timeout (10 s) and more.
 */
export const DAEMON_ABSENCE_MS = 60_000;

/**
 * A Docker step that failed while the daemon was away (its socket refusing: stopped, restarting)
 * waits, up to DAEMON_ABSENCE_MS, for the daemon to answer again before it fails; Temporal's retry
 * then finds the daemon back. Without this, a daemon restart burns a step's few retries (seconds
 * apart) and fails a deploy that would have finished a few seconds later. A failure with the daemon
 * answering fails at once, as before; so does one with the daemon hanging (frozen): every call to it
 * is already bounded, and waiting more on top would stretch the bound docs/workflows.md gives for it.
 */
export function daemonAbsenceInterceptor(
  state: () => Promise<DaemonState>,
  log: Logger,
): ActivityInterceptorsFactory {
  return (ctx: Context) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          if (error instanceof CancelledFailure || ctx.cancellationSignal.aborted) throw error;
          if ((await state()) !== 'unreachable') throw error;
          log.warn({ activity: ctx.info.activityType }, 'the Docker daemon does not answer; waiting for it');
          const deadline = Date.now() + DAEMON_ABSENCE_MS;
          while (Date.now() < deadline) {
            ctx.heartbeat({ waiting: 'the Docker daemon does not answer' });
            await ctx.sleep(2_000);
            if ((await state()) !== 'unreachable') {
              log.info({ activity: ctx.info.activityType }, 'the Docker daemon answers again');
              break;
            }
          }
          throw error;
        }
      },
    },
  });
}
