import type { NetworkAttachment, StackNetwork, StackVolume } from '../activities/docker/types.js';
import { needsBundle } from '../stack/bundle-use.js';
import { containerName, networkName, volumeName } from '../stack/names.js';
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
  // Beyond name, driver and external, a network's or volume's settings are sent only when set.
  return {
    networks: spec.networks
      .filter((n) => usedNetworks.has(n.name))
      .map((n) => ({
        dockerName: networkName(stack, n),
        driver: n.driver,
        external: n.external,
        ...(n.driverOpts ? { driverOpts: n.driverOpts } : {}),
        ...(n.internal !== undefined ? { internal: n.internal } : {}),
        ...(n.attachable !== undefined ? { attachable: n.attachable } : {}),
        ...(n.enableIpv6 !== undefined ? { enableIpv6: n.enableIpv6 } : {}),
        ...(n.labels ? { labels: n.labels } : {}),
        ...(n.ipam ? { ipam: n.ipam } : {}),
        ...(n.hostAccess ? { hostAccess: n.hostAccess } : {}),
      })),
    volumes: spec.volumes
      .filter((v) => usedVolumes.has(v.name))
      .map((v) => ({
        dockerName: volumeName(stack, v),
        driver: v.driver,
        external: v.external,
        ...(v.driverOpts ? { driverOpts: v.driverOpts } : {}),
        ...(v.labels ? { labels: v.labels } : {}),
        ...(v.hostAccess ? { hostAccess: v.hostAccess } : {}),
      })),
  };
}

/**
 * A service's network attachments, volume names and files as the Docker activity needs them. A
 * field the service does not use is left out, so requests for services that use none of them are
 * what they always were.
 */
export function attachmentsFor(stack: string, spec: StackSpec, service: ServiceSpec) {
  const networks = service.networks.map((attachment): NetworkAttachment => {
    // An undeclared network cannot pass validation; named as a created one all the same.
    const network = spec.networks.find((n) => n.name === attachment.name);
    return {
      dockerName: networkName(stack, network ?? { name: attachment.name, external: false }),
      aliases: attachment.aliases,
      ...(attachment.ipv4Address ? { ipv4Address: attachment.ipv4Address } : {}),
      ...(attachment.ipv6Address ? { ipv6Address: attachment.ipv6Address } : {}),
    };
  });
  const volumes = Object.fromEntries(spec.volumes.map((v) => [v.name, volumeName(stack, v)]));
  const restartWith = service.dependsOn
    .filter((dependency) => dependency.restart)
    .flatMap((dependency) => spec.services.filter((s) => s.name === dependency.service));
  return {
    networks,
    volumes,
    ...(service.networkMode ? { networkMode: containerReference(stack, spec, service.networkMode) } : {}),
    ...(service.pid?.startsWith('service:') ? { pidMode: containerReference(stack, spec, service.pid) } : {}),
    ...(service.ipc?.startsWith('service:') ? { ipcMode: containerReference(stack, spec, service.ipc) } : {}),
    ...(spec.bundle && needsBundle(service) ? { bundleDigest: spec.bundle.digest } : {}),
    ...(service.secrets?.length ? { secretFiles: fileObjects(spec.secrets, service.secrets) } : {}),
    ...(service.configs?.length ? { configFiles: fileObjects(spec.configs, service.configs) } : {}),
    ...(restartWith.length > 0 ? { restartWith } : {}),
  };
}

/** Bundle paths of the top-level secrets or configs a service mounts, by name. */
function fileObjects(
  objects: StackSpec['secrets'],
  uses: NonNullable<ServiceSpec['secrets']>,
): Record<string, string> {
  const used = new Set(uses.map((use) => use.source));
  return Object.fromEntries((objects ?? []).filter((o) => used.has(o.name)).map((o) => [o.name, o.file]));
}

/**
 * Compose's `network_mode`, `pid` and `ipc` as `service:<name>` share that service's first
 * container's namespace, which must then run on the same host; Docker calls it `container:<name>`.
 */
function containerReference(stack: string, spec: StackSpec, mode: string): string {
  if (!mode.startsWith('service:')) return mode;
  const name = mode.slice('service:'.length);
  const target = spec.services.find((s) => s.name === name);
  return `container:${target?.containerName ?? containerName(stack, name, 1)}`;
}

/** Whether some service waits for this one to exit 0 (`service_completed_successfully`). */
export function mustComplete(spec: StackSpec, service: ServiceSpec): boolean {
  return spec.services.some((s) =>
    s.dependsOn.some((d) => d.service === service.name && d.condition === 'service_completed_successfully'),
  );
}
