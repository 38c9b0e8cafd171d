import type { StackNetwork, StackVolume } from '../activities/docker/types.js';
import { networkName, volumeName } from '../stack/names.js';
import type { ServiceSpec, StackSpec } from '../stack/types.js';

/** The Docker networks and volumes a set of services needs on a host, by their Docker names. */
export function resourcesFor(
  stack: string,
  spec: StackSpec,
  services: ServiceSpec[],
): { networks: StackNetwork[]; volumes: StackVolume[] } {
  const usedNetworks = new Set(services.flatMap((s) => s.networks.map((n) => n.name)));
  const usedVolumes = new Set(
    services.flatMap((s) => s.mounts.filter((m) => m.type === 'volume').map((m) => m.source)),
  );
  return {
    networks: spec.networks
      .filter((n) => usedNetworks.has(n.name))
      .map((n) => ({ dockerName: networkName(stack, n), driver: n.driver, external: n.external })),
    volumes: spec.volumes
      .filter((v) => usedVolumes.has(v.name))
      .map((v) => ({ dockerName: volumeName(stack, v), driver: v.driver, external: v.external })),
  };
}

/** A service's network attachments and volume names as the Docker activity needs them. */
export function attachmentsFor(stack: string, spec: StackSpec, service: ServiceSpec) {
  const networks = service.networks.map((attachment) => {
    // An undeclared network cannot pass validation; named as a created one all the same.
    const network = spec.networks.find((n) => n.name === attachment.name);
    return {
      dockerName: networkName(stack, network ?? { name: attachment.name, external: false }),
      aliases: attachment.aliases,
    };
  });
  const volumes = Object.fromEntries(spec.volumes.map((v) => [v.name, volumeName(stack, v)]));
  return { networks, volumes };
}
