// Docker-side names and ownership labels. Delete and rollback find containers by these labels on
// every host, so they are a public contract: never rename them.
import type { NetworkSpec, VolumeSpec } from './types.js';

/** A stack name becomes a prefix of Docker container, network and volume names, hence the tight rule. */
export const stackNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Compose's own rule for service, network and volume keys. */
export const composeNamePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const LABEL_STACK = 'io.graphium.stack';
export const LABEL_SERVICE = 'io.graphium.service';
export const LABEL_REPLICA = 'io.graphium.replica';
export const LABEL_DEPLOYMENT = 'io.graphium.deployment';
export const LABEL_HOST = 'io.graphium.host';
export const LABEL_CONFIG_HASH = 'io.graphium.config-hash';

/** User labels may not use this prefix: a forged ownership label would let delete remove foreign containers. */
export const RESERVED_LABEL_PREFIX = 'io.graphium.';

export function containerName(stack: string, service: string, replica: number): string {
  return `${stack}_${service}_${replica}`;
}

export function networkName(stack: string, spec: NetworkSpec): string {
  return spec.externalName ?? `${stack}_${spec.name}`;
}

export function volumeName(stack: string, spec: VolumeSpec): string {
  return spec.externalName ?? `${stack}_${spec.name}`;
}
