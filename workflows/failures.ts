import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  ChildWorkflowFailure,
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

/** The type of the innermost ApplicationFailure in a chain (HostOffline, ImageNotFound…). */
export function failureType(error: unknown, fallback = 'OperationFailed'): string {
  let current: unknown = error;
  let type = fallback;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure && current.type) type = current.type;
    current = current.cause;
  }
  return type;
}

/** `vm2: host vm2 is offline: …` for every host whose step failed. */
export function failuresByHost(results: Map<string, PromiseSettledResult<unknown>>): string[] {
  return [...results]
    .filter((entry): entry is [string, PromiseRejectedResult] => entry[1].status === 'rejected')
    .map(([hostId, result]) => `${hostId}: ${describeFailure(result.reason)}`);
}
