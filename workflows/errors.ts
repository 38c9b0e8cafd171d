// Failure types raised by workflows and activities, with whether a retry could ever help.
// Activity retry policies list the non-retryable ones (see timeouts.ts).

/** A host's agent did not pick up work within the pickup bound. */
export const HOST_OFFLINE = 'HostOffline';
/** The image is not on the host and the registry says it does not exist (or denies it). */
export const IMAGE_NOT_FOUND = 'ImageNotFound';
/** The image is not on the host and no registry could be reached to pull it. */
export const IMAGE_PULL_FAILED = 'ImagePullFailed';
/** Docker refused the container definition itself (bad mount, bad port, unknown network...). */
export const INVALID_CONTAINER_SPEC = 'InvalidContainerSpec';
/** The container exited or turned unhealthy while we waited for it to become ready. */
export const CONTAINER_UNHEALTHY = 'ContainerUnhealthy';

export const NON_RETRYABLE_DOCKER_ERRORS = [IMAGE_NOT_FOUND, INVALID_CONTAINER_SPEC];
