import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { normalizeRegistryHost, type RegistryCredential } from '../../stack/image-ref.js';
import { decidePull } from '../../stack/pull-policy.js';
import { IMAGE_NOT_PRESENT } from '../../workflows/errors.js';
import { pullFailure } from './errors.js';
import type { HostDocker } from './host-docker.js';
import { followStream } from './progress-stream.js';
import { lastPulledAt, recordPull } from './pull-records.js';
import type { PullImageInput, PullImageResult } from './types.js';

/** A pull that makes no progress for this long has stalled (a registry or daemon that stopped answering). */
const PULL_IDLE_MS = 90_000;

/**
 * Pulls an image as its `pull_policy` says (by default only when the host lacks it); heartbeats
 * with progress so a stuck pull is noticed. `never` with the image absent fails at once, saying so.
 */
export async function pullImage(host: HostDocker, input: PullImageInput): Promise<PullImageResult> {
  const { image } = input;
  const present = (await host.inspectImage(image)) !== undefined;
  const decision = decidePull({
    image,
    policy: input.policy,
    refresh: input.refresh,
    present,
    lastPulledAt: present ? await lastPulledAt(host.files, image) : undefined,
    now: Date.now(),
  });
  if (decision === 'keep') return { pulled: false };
  if (decision === 'refuse') {
    throw ApplicationFailure.create({
      type: IMAGE_NOT_PRESENT,
      nonRetryable: true,
      message: `image ${image} is not on host ${host.hostId} and its pull_policy is never: load or build it there first`,
    });
  }
  host.log.info({ image, policy: input.policy, refresh: input.refresh }, 'pulling image');
  try {
    await followStream(
      host,
      `pulling ${image}`,
      (abortSignal) =>
        host.docker.pull(image, {
          abortSignal,
          ...(input.platform ? { platform: input.platform } : {}),
          ...(input.auth ? { authconfig: authConfig(input.auth) } : {}),
        }),
      {
        idleMs: PULL_IDLE_MS,
        onEvent: (event) => heartbeat({ status: event.status, layer: event.id, ...event.progressDetail }),
      },
    );
  } catch (error) {
    if (cancellationSignal().aborted) throw error;
    throw pullFailure(image, host.hostId, error, present);
  }
  await recordPull(host.files, image, Date.now());
  host.log.info({ image }, 'image pulled');
  return { pulled: true };
}

/** The Engine API's X-Registry-Auth content; Docker Hub answers to its historical address. */
export function authConfig(credential: RegistryCredential) {
  const host = normalizeRegistryHost(credential.host);
  return {
    username: credential.username,
    password: credential.password,
    serveraddress: host === 'docker.io' ? 'https://index.docker.io/v1/' : host,
  };
}
