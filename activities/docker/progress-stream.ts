import { cancellationSignal } from '@temporalio/activity';
import { DOCKER_CALL_MS } from './deadline.js';
import type { HostDocker } from './host-docker.js';

/** One JSON message of a pull or build stream. */
export interface StreamEvent {
  status?: string;
  stream?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
  aux?: { ID?: string };
}

/** An error the stream itself reported (a failed build step, a registry's refusal), not a transport one. */
export class StreamError extends Error {
  override name = 'StreamError';
}

/**
 * Opens a pull or build stream and follows it to its end. It fails when the daemon does not start
 * answering within a minute, when it falls silent for longer than `idleMs` (a daemon or registry
 * that stopped answering; no bound when unset: a long build step prints nothing), when the stream
 * carries an error message (that message), and when the activity is cancelled.
 */
export async function followStream(
  host: HostDocker,
  what: string,
  open: (abortSignal: AbortSignal) => Promise<NodeJS.ReadableStream>,
  options: { idleMs?: number; onEvent: (event: StreamEvent) => void },
): Promise<void> {
  const cancelled = cancellationSignal();
  const controller = new AbortController();
  const abort = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCancel = () => abort(cancelled.reason ?? new Error(`${what} cancelled`));
  if (cancelled.aborted) onCancel();
  cancelled.addEventListener('abort', onCancel, { once: true });
  const silent = (ms: number) =>
    new Error(`${what}: the Docker daemon sent nothing for ${Math.round(ms / 1000)}s`);
  let timer = setTimeout(() => abort(silent(DOCKER_CALL_MS)), DOCKER_CALL_MS);
  const rearm = () => {
    clearTimeout(timer);
    if (options.idleMs !== undefined)
      timer = setTimeout(() => abort(silent(options.idleMs!)), options.idleMs);
  };
  try {
    const stream = await open(controller.signal);
    rearm();
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        controller.signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      // Destroying the stream ends followProgress as if it had finished: settle first.
      const onAbort = () => {
        finish(controller.signal.reason);
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
      };
      if (controller.signal.aborted) return onAbort();
      controller.signal.addEventListener('abort', onAbort, { once: true });
      host.docker.modem.followProgress(
        stream,
        (error: Error | null) => finish(controller.signal.aborted ? controller.signal.reason : error),
        (event: StreamEvent) => {
          rearm();
          if (event.error) return abort(new StreamError(event.errorDetail?.message ?? event.error));
          options.onEvent(event);
        },
      );
    });
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
    cancelled.removeEventListener('abort', onCancel);
  }
}
