// Docker-side names of a stack's containers, networks and volumes (the labels are in
// contracts/vocabulary.ts). Public: hosts hold resources under these names, so never change them.
import type { NetworkSpec, ServiceSpec, VolumeSpec } from './types.js';

/**
 * A stack name becomes a prefix of Docker container, network and volume names, hence the tight rule.
 * Stacks created before names had to be new-stack names may hold "_"; they keep working.
 */
export const stackNamePattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The name of a stack created now: no "_", which separates the stack from the rest of a Docker name,
 * so `<stack>_<key>` can never be another stack's name (`shop_db` + `data` vs `shop` + `db_data`).
 */
export const newStackNamePattern = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Names no stack may take: Graphium's own docker-compose project (`graphium`, as in .env.example), whose
 * network `graphium_default` reaches Temporal and the database, and those an installation adds.
 */
export const BUILT_IN_RESERVED_STACK_NAMES = ['graphium'] as const;

/** Why a name is reserved, or undefined. */
export function reservedStackName(name: string, configured: readonly string[] = []): string | undefined {
  if ((BUILT_IN_RESERVED_STACK_NAMES as readonly string[]).includes(name)) {
    return `it is the project name of Graphium's own docker-compose deployment, whose networks (${name}_default) and volumes are Graphium's infrastructure`;
  }
  if (configured.includes(name)) return 'this installation reserves it (GRAPHIUM_RESERVED_STACK_NAMES)';
  return undefined;
}

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
 * The tag an agent gives the image it builds for a service: one tag per build definition, so a host
 * that already holds it skips the build. Docker repositories are lower case; service names may not be.
 */
export function builtImageTag(stack: string, service: string, contextDigest: string): string {
  const repository = `${stack}-${service}`.toLowerCase();
  return `${repository}:${contextDigest.slice(0, 12)}`;
}

/** The image a service's containers run: what the agent built for it, or its `image`. */
export function serviceImage(stack: string, service: Pick<ServiceSpec, 'name' | 'image' | 'build'>): string {
  return service.build ? builtImageTag(stack, service.name, service.build.contextDigest) : service.image;
}

/**
 * Containers that stand beside a replica for a while, each named after the replica it belongs to
 * and the deployment that made it (`shop_web_1.next-1a2b3c4d`): `next` is the new container of a
 * start-first update until it takes the replica's name, `canary` a canary of it, `green` the new
 * version of a blue-green switch until blue is removed. Rollback finds them by these names and
 * labels, whatever any record says.
 */
export type BesideRole = 'next' | 'canary' | 'green';

export function besideName(name: string, role: BesideRole, deploymentId: string): string {
  return `${name}.${role}-${deploymentId.slice(0, 8)}`;
}

/** The replica a beside container belongs to (`shop_web_1` for `shop_web_1.green-1a2b3c4d`). */
export function replicaNameOf(name: string): string {
  const match = /^(.*)\.(next|canary|green|retired)-[^.]*$/.exec(name);
  return match ? match[1]! : name;
}
