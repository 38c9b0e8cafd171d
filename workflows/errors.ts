// Failure types raised by workflows and activities, with whether a retry could ever help.
// Activity retry policies list the non-retryable ones (see timeouts.ts).

/** A host's agent did not pick up work within the pickup bound. */
export const HOST_OFFLINE = 'HostOffline';
/** The image is not on the host and the registry says it does not exist (or denies it). */
export const IMAGE_NOT_FOUND = 'ImageNotFound';
/** The image is not on the host and no registry could be reached to pull it. */
export const IMAGE_PULL_FAILED = 'ImagePullFailed';
/** The image is not on the host and `pull_policy: never` forbids pulling it. */
export const IMAGE_NOT_PRESENT = 'ImageNotPresent';
/** A service's build failed (a Dockerfile step, a missing base image...): the build's own error. */
export const IMAGE_BUILD_FAILED = 'ImageBuildFailed';
/** A service's `platform` is not the host daemon's OS and architecture. */
export const PLATFORM_MISMATCH = 'PlatformMismatch';
/** A bundle file did not match its digest, or a bundle path points outside the project. */
export const BUNDLE_INVALID = 'BundleInvalid';
/** Docker refused the container definition itself (bad mount, bad port, unknown network...). */
export const INVALID_CONTAINER_SPEC = 'InvalidContainerSpec';
/** The container exited or turned unhealthy while we waited for it to become ready. */
export const CONTAINER_UNHEALTHY = 'ContainerUnhealthy';

export const NON_RETRYABLE_DOCKER_ERRORS = [
  IMAGE_NOT_FOUND,
  IMAGE_NOT_PRESENT,
  IMAGE_BUILD_FAILED,
  PLATFORM_MISMATCH,
  BUNDLE_INVALID,
  INVALID_CONTAINER_SPEC,
];
