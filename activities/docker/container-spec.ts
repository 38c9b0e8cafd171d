import { createHash } from 'node:crypto';
import type Docker from 'dockerode';
import {
  LABEL_CONFIG_HASH,
  LABEL_DEPLOYMENT,
  LABEL_HOST,
  LABEL_REPLICA,
  LABEL_SERVICE,
  LABEL_STACK,
} from '../../contracts/vocabulary.js';
import type { HealthcheckSpec, ServiceSpec } from '../../stack/types.js';
import type { ContainerRequest } from './types.js';

/**
 * The Engine API body for one replica. The config hash covers everything that defines the
 * container (including the image ID, so a re-tagged image is a change) but not the deployment
 * label, so redeploying an unchanged service finds the same hash and leaves the container alone.
 */
export function buildCreateOptions(
  request: ContainerRequest,
  hostId: string,
  imageId: string,
): Docker.ContainerCreateOptions {
  const { service } = request;
  const [primary, ...others] = request.networks;
  const definition = {
    Image: service.image,
    Cmd: service.command,
    Entrypoint: service.entrypoint,
    Env: Object.entries(service.environment).map(([key, value]) => `${key}=${value}`),
    ExposedPorts: Object.fromEntries(service.ports.map((p) => [`${p.target}/${p.protocol}`, {}])),
    Healthcheck: service.healthcheck ? healthcheck(service.healthcheck) : undefined,
    StopSignal: service.stopSignal,
    StopTimeout:
      service.stopGracePeriodMs !== undefined ? Math.ceil(service.stopGracePeriodMs / 1000) : undefined,
    HostConfig: {
      PortBindings: portBindings(service),
      Mounts: service.mounts.map((mount) => ({
        Type: (mount.type === 'volume' || mount.type === 'tmpfs' ? mount.type : 'bind') as Docker.MountType,
        Source: mount.type === 'volume' ? (request.volumes[mount.source] ?? mount.source) : mount.source,
        Target: mount.target,
        ReadOnly: mount.readOnly,
      })),
      RestartPolicy: {
        Name: service.restart.policy === 'no' ? '' : service.restart.policy,
        MaximumRetryCount: service.restart.maxRetries ?? 0,
      },
      NetworkMode: primary?.dockerName ?? 'none',
    },
    // Docker (API 1.41) attaches one network at create; the others are connected before start.
    NetworkingConfig: primary
      ? { EndpointsConfig: { [primary.dockerName]: { Aliases: primary.aliases } } }
      : undefined,
    Labels: { ...service.labels },
  };
  const hash = configHash({ definition, imageId, otherNetworks: others });
  return {
    name: request.name,
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

/** SHA-256 of a canonical JSON form: object keys sorted, undefined dropped. */
function configHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 32);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
