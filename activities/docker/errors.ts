import { ApplicationFailure } from '@temporalio/activity';
import { IMAGE_NOT_FOUND, IMAGE_PULL_FAILED, INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';

/** dockerode rejects with an Error carrying the HTTP status of the Engine API answer. */
export interface DockerError extends Error {
  statusCode?: number;
  json?: { message?: string };
  reason?: string;
}

export function statusOf(error: unknown): number | undefined {
  return (error as DockerError)?.statusCode;
}

export function messageOf(error: unknown): string {
  const docker = error as DockerError;
  return docker?.json?.message ?? docker?.message ?? String(error);
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** Docker answers 304 for "already started" / "already stopped": success for an idempotent step. */
export function isNotModified(error: unknown): boolean {
  return statusOf(error) === 304;
}

/**
 * A pull that fails because the registry says the image does not exist will fail the same way on
 * every retry; one that fails because the registry is unreachable might not. `present`: the host
 * holds the tag and the pull was to refresh it (`pull_policy`, `deploy --pull`).
 */
export function pullFailure(
  image: string,
  hostId: string,
  error: unknown,
  present = false,
): ApplicationFailure {
  const message = messageOf(error);
  // Refused credentials (or none where they are needed) fail the same way on every retry too.
  const missing =
    /manifest unknown|not found|does not exist|pull access denied|repository .* not exist|no basic auth credentials|unauthorized/i.test(
      message,
    );
  return ApplicationFailure.create({
    type: missing ? IMAGE_NOT_FOUND : IMAGE_PULL_FAILED,
    nonRetryable: missing,
    message: present
      ? `image ${image} could not be pulled again on host ${hostId}: ${message}`
      : `image ${image} is not on host ${hostId} and could not be pulled: ${message}`,
  });
}

/** Docker refused the definition itself (400): no retry can fix the request. */
export function specFailure(what: string, error: unknown): ApplicationFailure | unknown {
  if (statusOf(error) !== 400) return error;
  return ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message: `${what}: Docker refused it: ${messageOf(error)}`,
  });
}
