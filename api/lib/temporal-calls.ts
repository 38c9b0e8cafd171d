import { type Client, isGrpcServiceError } from '@temporalio/client';
import { ApiError } from './errors.js';

// Every call the API makes to Temporal runs under a deadline: without one the SDK retries an
// unreachable server for tens of seconds while the HTTP request hangs. A call that gets no answer in
// time (or finds Temporal unreachable) becomes 503 `unavailable`, never a 500.

/** Mutable only so tests can shorten the waits; the values in use are these. */
export const temporalDeadlines = {
  /** Reads (describe, query, pollers) and cancels: past this, answer without Temporal or 503. */
  callMs: 3_000,
  /** Starting a workflow: a write, given longer before it counts as unanswered. */
  startMs: 10_000,
};

// gRPC status codes (grpc.status): the SDK rethrows service errors with these on them or their cause.
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export function withTemporalDeadline<T>(
  temporal: Client,
  fn: () => Promise<T>,
  ms: number = temporalDeadlines.callMs,
): Promise<T> {
  return temporal.connection.withDeadline(Date.now() + ms, fn);
}

/**
 * Temporal did not answer: unreachable, or not within the deadline. For a write this is ambiguous: the
 * server may have acted on a request whose answer was lost.
 */
export function isTemporalUnreachable(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (
      isGrpcServiceError(cause) &&
      (cause.code === GRPC_DEADLINE_EXCEEDED || cause.code === GRPC_UNAVAILABLE)
    ) {
      return true;
    }
  }
  return false;
}

export function temporalUnavailable(what: string, details?: Record<string, unknown>): ApiError {
  return new ApiError(503, 'unavailable', `Temporal is unavailable: cannot ${what}; retry`, details);
}

/** A read under the deadline; Temporal unreachable becomes 503 naming what could not be done. */
export async function callTemporal<T>(temporal: Client, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await withTemporalDeadline(temporal, fn);
  } catch (error) {
    if (isTemporalUnreachable(error)) throw temporalUnavailable(what);
    throw error;
  }
}
