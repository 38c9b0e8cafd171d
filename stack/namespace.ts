// What names a stack may give Docker objects on a host without reaching another stack's or Graphium's:
// the API holds deployers' documents to these, and the agents check them again before creating anything.
// Only `<stack>_` (containers) and `graphium.local/<stack>/` (images) are unambiguous: a new stack's
// name has no "_" nor "/", while "-" is in names (`shop-web_app_1` is stack shop-web's, not shop's).
// A bare `<stack>/` would not do for images: Docker reads `library/postgres` as Docker Hub's
// `postgres`, and `grafana/grafana` as that vendor's image, so stacks named library or grafana could
// replace them. A first component with a dot is a registry host, and none answers to graphium.local.
import type { NetworkSpec, StackSpec, VolumeSpec } from './types.js';

/** A container name of the stack's own: `<stack>_<anything>`, which no other new stack can produce. */
export function isOwnContainerName(stack: string, name: string): boolean {
  return name.startsWith(`${stack}_`) && name.length > stack.length + 1;
}

/** The registry part of every image name a stack may tag its builds with. */
export const OWN_IMAGE_REGISTRY = 'graphium.local';

/** The prefix of a stack's own image names: `graphium.local/<stack>/`. */
export const ownImagePrefix = (stack: string) => `${OWN_IMAGE_REGISTRY}/${stack}/`;

/** An image repository of the stack's own: `graphium.local/<stack>/<name>[:tag]`. */
export function isOwnImageName(stack: string, image: string): boolean {
  const prefix = ownImagePrefix(stack);
  return image.startsWith(prefix) && image.length > prefix.length && !image.includes('@');
}

/** The network driver and volume driver a stack may use without approval (Docker's defaults). */
export const DEFAULT_NETWORK_DRIVER = 'bridge';
export const DEFAULT_VOLUME_DRIVER = 'local';

// What reaches beyond the stack on a host. The API marks each object that does (`hostAccess`) once
// the author's role may use it (an admin, or a key this installation opens to deployers); the agent
// refuses an unmarked one before creating anything, so a gap in the API's checks cannot reach the host.

type NetworkSettings = Pick<NetworkSpec, 'driver' | 'driverOpts' | 'ipam'>;

/** Why creating this network reaches beyond the stack, or undefined. */
export function networkReach(network: NetworkSettings): string | undefined {
  if (network.driver !== undefined && network.driver !== DEFAULT_NETWORK_DRIVER)
    return `the network driver "${network.driver}"`;
  if (network.driverOpts && Object.keys(network.driverOpts).length > 0) return 'network driver options';
  if (network.ipam?.driver !== undefined && network.ipam.driver !== 'default')
    return `the IPAM driver "${network.ipam.driver}"`;
  if (network.ipam?.config.some((c) => c.subnet || c.gateway || c.ipRange)) return 'a chosen subnet';
  return undefined;
}

/** Why creating this volume reaches beyond the stack, or undefined. */
export function volumeReach(volume: Pick<VolumeSpec, 'driver' | 'driverOpts'>): string | undefined {
  if (volume.driver !== undefined && volume.driver !== DEFAULT_VOLUME_DRIVER)
    return `the volume driver "${volume.driver}"`;
  if (volume.driverOpts && Object.keys(volume.driverOpts).length > 0) return 'volume driver options';
  return undefined;
}

/** Why creating a container of this name and network mode reaches beyond the stack, or undefined. */
export function containerReach(stack: string, name: string, networkMode?: string): string | undefined {
  if (networkMode === 'bridge' || networkMode === 'host') return `network_mode ${networkMode}`;
  if (!isOwnContainerName(stack, name)) return `the container name "${name}"`;
  return undefined;
}

/** Marks what reaches beyond the stack as allowed: the API calls it once the role check passed. */
export function approveHostAccess(stack: string, spec: StackSpec): void {
  for (const network of spec.networks)
    if (!network.external && networkReach(network)) network.hostAccess = true;
  for (const volume of spec.volumes) if (!volume.external && volumeReach(volume)) volume.hostAccess = true;
  for (const service of spec.services) {
    const name = service.containerName ?? `${stack}_${service.name}_1`;
    const image = service.build && service.image !== '' && !isOwnImageName(stack, service.image);
    if (containerReach(stack, name, service.networkMode) || image) service.hostAccess = true;
  }
}
