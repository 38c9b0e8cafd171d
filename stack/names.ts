// Docker-side names of a stack's containers, networks and volumes (the labels are in
// contracts/vocabulary.ts). Public: hosts hold resources under these names, so never change them.
import type { NetworkSpec, ServiceSpec, VolumeSpec } from './types.js';

/** A stack name becomes a prefix of Docker container, network and volume names, hence the tight rule. */
export const stackNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Compose's own rule for service, network and volume keys. */
export const composeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function containerName(stack: string, service: string, replica: number): string {
  return `${stack}_${service}_${replica}`;
}

export function networkName(stack: string, spec: NetworkSpec): string {
  return spec.externalName ?? `${stack}_${spec.name}`;
}

export function volumeName(stack: string, spec: VolumeSpec): string {
  return spec.externalName ?? `${stack}_${spec.name}`;
}

/**
 * The tag an agent gives the image it builds for a service with `build:` and no `image:`: the same
 * content (contextDigest) gives the same tag on every host, so a host builds once per content.
 */
export function builtImageTag(stack: string, service: Pick<ServiceSpec, 'name' | 'build'>): string {
  return `${stack}-${service.name}:${(service.build?.contextDigest ?? '').slice(0, 12)}`.toLowerCase();
}
