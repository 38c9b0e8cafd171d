import { ApplicationFailure } from '@temporalio/activity';
import { replicaNameOf } from '../../stack/names.js';
import { containerReach, isOwnImageName, networkReach, volumeReach } from '../../stack/namespace.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import type { StackNetwork, StackVolume } from './types.js';

// The agent's own check of what it creates (defence in depth behind the API's Compose policy): a
// network or volume with another driver or driver options, a container outside the stack's names or
// on docker0 or the host's network, is created only when the signed work carries the API's
// `hostAccess` mark, which the API sets only once the author's role allowed it.

export type Creation =
  | { kind: 'network'; network: StackNetwork }
  | { kind: 'volume'; volume: StackVolume }
  | { kind: 'container'; name: string; networkMode?: string; hostAccess?: true }
  | { kind: 'image tag'; image: string; hostAccess?: true };

/** What in this creation reaches beyond stack `stack` without the mark, or undefined. */
export function beyondStack(stack: string, creation: Creation): string | undefined {
  switch (creation.kind) {
    case 'network':
      return creation.network.external || creation.network.hostAccess
        ? undefined
        : networkReach(creation.network);
    case 'volume':
      return creation.volume.external || creation.volume.hostAccess
        ? undefined
        : volumeReach(creation.volume);
    case 'container':
      return creation.hostAccess
        ? undefined
        : containerReach(stack, replicaNameOf(creation.name), creation.networkMode);
    case 'image tag':
      return creation.hostAccess || isOwnImageName(stack, creation.image)
        ? undefined
        : `the image name "${creation.image}"`;
  }
}

/** Throws the refusal, non-retryable: the same work can never become allowed. */
export function refuseBeyondStack(stack: string, what: string, hostId: string, creation: Creation): void {
  const reach = beyondStack(stack, creation);
  if (reach === undefined) return;
  throw ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message: `${what} on host ${hostId} is not created: ${reach} reaches beyond stack ${stack}, and the stack version does not say an admin allowed it (store it again as an admin)`,
  });
}
