import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
  RetryState,
  TemporalFailure,
} from '@temporalio/common';

/** The innermost, most specific message of a failure chain (activity → application error). */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  while (
    (current instanceof ActivityFailure || current instanceof ChildWorkflowFailure) &&
    current.cause instanceof TemporalFailure
  ) {
    current = current.cause;
  }
  if (current instanceof TemporalFailure) return current.message;
  return error instanceof Error ? error.message : String(error);
}

export function isCancellation(error: unknown): boolean {
  let current: unknown = error;
  while (current instanceof TemporalFailure) {
    if (current instanceof CancelledFailure) return true;
    current = current.cause;
  }
  return false;
}

/** Attempts an activity made before failing, when Temporal tells us (retry budget spent). */
export function attemptsOf(error: unknown, maximumAttempts: number | undefined, fallback: number): number {
  if (error instanceof ActivityFailure && error.retryState === RetryState.MAXIMUM_ATTEMPTS_REACHED) {
    return maximumAttempts ?? fallback;
  }
  return fallback;
}

export function failure(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}
