// Which registry an image reference names, Docker's way, so an agent pulls with the credentials of
// that registry and no other. Pure: workflows pick the credentials before they reach a host.

/** Docker Hub goes by several names; credentials saved under any of them apply to all. */
const DOCKER_HUB = 'docker.io';
const HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The registry host of an image reference: `ghcr.io/o/app:1` → `ghcr.io`; `nginx` → `docker.io`. */
export function registryHost(image: string): string {
  const slash = image.indexOf('/');
  if (slash < 0) return DOCKER_HUB;
  const first = image.slice(0, slash);
  // Docker's rule: a first component with a dot or a port, or `localhost`, is a registry.
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return DOCKER_HUB;
  return normalizeRegistryHost(first);
}

/** `https://index.docker.io/v1/` and `Registry.Example.com/` both become bare lower-case hosts. */
export function normalizeRegistryHost(host: string): string {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '');
  return HUB_ALIASES.has(bare) ? DOCKER_HUB : bare;
}

/** True when the reference pins a digest (`app@sha256:…`): its content can never change. */
export function pinsDigest(image: string): boolean {
  return image.includes('@');
}

export interface RegistryCredential {
  host: string;
  username: string;
  password: string;
}

/** The credential for the image's registry, if any; the first one listed wins. */
export function credentialFor(
  image: string,
  registries: readonly RegistryCredential[] | undefined,
): RegistryCredential | undefined {
  const host = registryHost(image);
  return registries?.find((registry) => normalizeRegistryHost(registry.host) === host);
}
