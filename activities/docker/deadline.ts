import { Context } from '@temporalio/activity';
import { abortAfter } from '../../lib/abort-after.js';

// Every Docker call the agent makes is bounded: a daemon that stops answering fails the step in a
// known time (and Temporal retries it) instead of holding an agent slot until the step's own
// start-to-close bound. Streams that report progress (pull, build, the health wait) bound their
// silence instead; see images.ts and builds.ts.

/** Calls that answer at once when the daemon is healthy: inspect, list, create, rename, start... */
export const DOCKER_CALL_MS = 60_000;
/** Calls that copy or delete a container's filesystem (create, remove): slow on a loaded disk. */
export const DOCKER_DISK_CALL_MS = 180_000;
/** Added to a container's own stop grace period: the daemon kills it at the end of that period. */
export const STOP_MARGIN_MS = 30_000;

/** The activity's cancellation, when called from an activity (tests call some helpers directly). */
function activityCancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/**
 * Runs one Docker call under a deadline. The call gets the signal (dockerode aborts its request with
 * it); a call that ignores it is abandoned all the same. When the deadline (not a cancellation) ends
 * it, the error says which call did not answer, so the step's failure explains itself.
 */
export async function bounded<T>(
  what: string,
  call: (abortSignal: AbortSignal) => Promise<T>,
  ms: number = DOCKER_CALL_MS,
): Promise<T> {
  const { signal, clear } = abortAfter(ms, activityCancellation());
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(signal), aborted]);
  } catch (error) {
    if (signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError') {
      throw new Error(`the Docker daemon did not answer ${what} within ${Math.round(ms / 1000)}s`);
    }
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
    clear();
  }
}

/**
 * `{ abortSignal }` for dockerode calls whose typings omit it (dockerode passes it on for every call).
 */
export function withSignal<T extends object>(abortSignal: AbortSignal, options?: T): T {
  return { ...options, abortSignal } as unknown as T;
}
