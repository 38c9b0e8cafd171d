import type { ServiceSpec, UpdateConfigSpec } from './types.js';

// How a service's running replicas are replaced by a new version (Compose `deploy.update_config`),
// and how a failed update is undone (`deploy.rollback_config`). Pure: the loader and workflows share it.

/**
 * Swarm's defaults but one: one replica at a time, no delay, stop-first, watched 5 s after it is
 * ready. A failure rolls the deployment back (Swarm pauses): a deploy nobody watches must not hold
 * the stack waiting for a person.
 */
export const DEFAULT_UPDATE_CONFIG: UpdateConfigSpec = {
  parallelism: 1,
  delayMs: 0,
  order: 'stop-first',
  failureAction: 'rollback',
  monitorMs: 5000,
  maxFailureRatio: 0,
};

export function updateConfigOf(service: Pick<ServiceSpec, 'updateConfig'>): UpdateConfigSpec {
  return service.updateConfig ?? DEFAULT_UPDATE_CONFIG;
}

/**
 * The host ports a service binds by number: two containers of it cannot run on one host at once
 * (start-first, blue-green, a canary beside a replica). A published range lets Docker pick a free
 * port in it, and an unpublished port binds nothing.
 */
export function fixedHostPorts(service: Pick<ServiceSpec, 'ports'>): number[] {
  return service.ports.flatMap((port) => (port.published !== undefined ? [port.published] : []));
}
