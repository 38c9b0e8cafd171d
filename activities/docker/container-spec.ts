import type Docker from 'dockerode';
import {
  LABEL_CONFIG_HASH,
  LABEL_DEPLOYMENT,
  LABEL_HOST,
  LABEL_REPLICA,
  LABEL_SERVICE,
  LABEL_STACK,
} from '../../contracts/vocabulary.js';
import { canonicalJson, sha256Hex as sha256 } from '../../lib/digest.js';
import { needsBundle } from '../../stack/bundle-use.js';
import { serviceImage } from '../../stack/names.js';
import type { HealthcheckSpec, ServiceSpec } from '../../stack/types.js';
import { configHash } from './config-hash.js';
import type { HostFiles } from './file-mounts.js';
import { containerFields, exposedPorts, hostConfigFields } from './host-config.js';
import { dockerMounts } from './mounts.js';
import type { ContainerRequest, NetworkAttachment } from './types.js';

const NO_HOST_FILES: HostFiles = { mountSources: new Map(), fileMounts: [] };

/**
 * The Engine API body for one replica. The config hash covers everything that defines the
 * container (including the image ID, so a re-tagged image is a change, the host paths of its
 * files, and the definitions of `restart: true` dependencies) but not the deployment label, so
 * redeploying an unchanged service finds the same hash and leaves the container alone.
 */
export function buildCreateOptions(
  request: ContainerRequest,
  hostId: string,
  imageId: string,
  hostFiles: HostFiles = NO_HOST_FILES,
): Docker.ContainerCreateOptions {
  const { service } = request;
  const [primary, ...others] = request.networkMode ? [] : request.networks;
  const { Mounts, Binds } = dockerMounts(service, request.volumes, hostFiles);
  const exposed = [...service.ports.map((p) => `${p.target}/${p.protocol}`), ...exposedPorts(service)];
  const definition = {
    Image: serviceImage(request.stack, service),
    Cmd: service.command,
    Entrypoint: service.entrypoint,
    Env: Object.entries(service.environment).map(([key, value]) => `${key}=${value}`),
    ExposedPorts: Object.fromEntries(exposed.map((port) => [port, {}])),
    Healthcheck: service.healthcheck ? healthcheck(service.healthcheck) : undefined,
    StopSignal: service.stopSignal,
    StopTimeout:
      service.stopGracePeriodMs !== undefined ? Math.ceil(service.stopGracePeriodMs / 1000) : undefined,
    ...containerFields(service),
    HostConfig: {
      PortBindings: portBindings(service),
      Mounts,
      Binds,
      RestartPolicy: {
        Name: service.restart.policy === 'no' ? '' : service.restart.policy,
        MaximumRetryCount: service.restart.maxRetries ?? 0,
      },
      NetworkMode: request.networkMode ?? primary?.dockerName ?? 'none',
      ...hostConfigFields(service),
      ...(request.pidMode ? { PidMode: request.pidMode } : {}),
      ...(request.ipcMode ? { IpcMode: request.ipcMode } : {}),
    },
    // Docker (API 1.41) attaches one network at create; the others are connected before start.
    NetworkingConfig: primary ? { EndpointsConfig: { [primary.dockerName]: endpoint(primary) } } : undefined,
    Labels: { ...service.labels },
  };
  const hash = configHash({
    definition,
    imageId,
    otherNetworks: request.networkMode ? undefined : others,
    platform: service.platform,
    restartWith: restartWith(request),
  });
  return {
    name: request.name,
    // A query parameter of the create call: Docker checks the image against it.
    platform: service.platform,
    ...definition,
    Labels: {
      ...definition.Labels,
      [LABEL_STACK]: request.stack,
      [LABEL_SERVICE]: service.name,
      [LABEL_REPLICA]: String(request.replica),
      [LABEL_DEPLOYMENT]: request.deploymentId,
      [LABEL_HOST]: hostId,
      [LABEL_CONFIG_HASH]: hash,
    },
  };
}

/** An endpoint's settings; the fixed addresses only when the service sets them. */
export function endpoint(network: NetworkAttachment): Docker.EndpointSettings {
  const addresses =
    network.ipv4Address || network.ipv6Address
      ? { IPAMConfig: { IPv4Address: network.ipv4Address, IPv6Address: network.ipv6Address } }
      : {};
  return { Aliases: network.aliases, ...addresses };
}

/**
 * A digest of each `restart: true` dependency's definition: when one changes, so does this
 * container's hash, and it is recreated after the dependency (Compose `depends_on.restart`).
 * A dependency that uses the bundle's files also changes with the bundle. How many replicas it has
 * and where they run do not define its containers: scaling it recreates nothing here.
 */
function restartWith(request: ContainerRequest): Record<string, string> | undefined {
  if (!request.restartWith || request.restartWith.length === 0) return undefined;
  return Object.fromEntries(
    request.restartWith.map((dependency) => {
      const bundle = needsBundle(dependency) ? request.bundleDigest : undefined;
      return [
        dependency.name,
        sha256(canonicalJson({ dependency: containerDefinition(dependency), bundle })),
      ];
    }),
  );
}

/** A service without what only says how many of its containers run, and where. */
function containerDefinition(service: ServiceSpec): Partial<ServiceSpec> {
  return {
    ...service,
    replicas: undefined,
    constraints: undefined,
    updateConfig: undefined,
    rollbackConfig: undefined,
    // Permission, not definition: marking a stored version does not recreate its dependents.
    hostAccess: undefined,
  };
}

const NS_PER_MS = 1_000_000;
const toNs = (ms?: number) => (ms !== undefined ? ms * NS_PER_MS : undefined);
const fromNs = (ns?: number) => (ns ? ns / NS_PER_MS : undefined);

/** The Engine API form: durations in nanoseconds, 0 or absent meaning Docker's default. */
function healthcheck(spec: HealthcheckSpec): Docker.HealthConfig {
  return {
    Test: spec.test,
    Interval: toNs(spec.intervalMs),
    Timeout: toNs(spec.timeoutMs),
    Retries: spec.retries,
    StartPeriod: toNs(spec.startPeriodMs),
    // API 1.44+; older daemons ignore it. Absent unless set, so older hashes stay the same.
    ...(spec.startIntervalMs !== undefined ? { StartInterval: toNs(spec.startIntervalMs) } : {}),
  };
}

/** The healthcheck Docker will run: the image's own, with the service's settings on top. */
export function effectiveHealthcheck(
  image: Docker.ImageInspectInfo,
  service: HealthcheckSpec | undefined,
): HealthcheckSpec | undefined {
  const own = image.Config?.Healthcheck;
  const test = service?.test.length ? service.test : (own?.Test ?? []);
  if (test.length === 0 || test[0] === 'NONE') return service;
  return {
    test,
    intervalMs: service?.intervalMs ?? fromNs(own?.Interval),
    timeoutMs: service?.timeoutMs ?? fromNs(own?.Timeout),
    retries: service?.retries ?? own?.Retries,
    startPeriodMs: service?.startPeriodMs ?? fromNs(own?.StartPeriod),
  };
}

function portBindings(service: ServiceSpec): Record<string, { HostIp?: string; HostPort: string }[]> {
  const bindings: Record<string, { HostIp?: string; HostPort: string }[]> = {};
  for (const port of service.ports) {
    if (port.published === undefined && !port.hostIp) continue;
    const key = `${port.target}/${port.protocol}`;
    bindings[key] = [
      ...(bindings[key] ?? []),
      { HostIp: port.hostIp, HostPort: String(port.published ?? '') },
    ];
  }
  return bindings;
}
