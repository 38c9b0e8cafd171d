// A service's networking: the stack networks it joins (with aliases and fixed addresses, which need
// one replica), or a network mode instead; `host` and `bridge` are admin-only, another container's
// namespace is refused.
import type { ServiceNetworkSpec, ServiceSpec } from '../stack/types.js';
import type { ProjectContext } from './project-context.js';
import { scalarText, stringList } from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

const DEFAULT_NETWORK = 'default';

export function networking(
  ctx: ProjectContext,
  path: string,
  name: string,
  service: Mapping,
  spec: ServiceSpec,
  declared: Set<string>,
): void {
  if (service.network_mode !== undefined && service.network_mode !== null) {
    const mode = scalarText(service.network_mode);
    if (service.networks !== undefined)
      ctx.error(`${path}.network_mode`, 'network_mode and networks cannot both be set');
    if (mode.startsWith('service:') || mode.startsWith('container:')) {
      ctx.error(
        `${path}.network_mode`,
        `"${mode}" joins another container's network namespace, which exists on one host only, while Graphium places services independently`,
      );
    } else if (mode === 'host') {
      ctx.hostAccess(
        `${path}.network_mode`,
        'services.*.network_mode',
        'host',
        "admin only: network_mode: host puts the container on the host's own network",
      );
      spec.networkMode = mode;
    } else if (mode === 'bridge') {
      ctx.hostAccess(
        `${path}.network_mode`,
        'services.*.network_mode',
        'bridge',
        "admin only: network_mode: bridge puts the container on the host's default bridge (docker0), beside every other stack's bridge containers; deployers use the stack's networks",
      );
      spec.networkMode = mode;
    } else if (mode === 'none') {
      spec.networkMode = mode;
    } else {
      ctx.error(
        `${path}.network_mode`,
        `unsupported network_mode "${mode}" (bridge, none, host; or use networks:)`,
      );
    }
    return;
  }
  const value = service.networks;
  const entries: [string, Mapping][] = Array.isArray(value)
    ? [...new Set(value.map(String))].map((net) => [net, {}])
    : isMapping(value)
      ? Object.entries(value).map(([net, options]) => [net, isMapping(options) ? options : {}])
      : [[DEFAULT_NETWORK, {}]];
  const networks: ServiceNetworkSpec[] = [];
  for (const [network, options] of entries) {
    if (!declared.has(network) && network !== DEFAULT_NETWORK) {
      ctx.error(`${path}.networks`, `network "${network}" is not declared in the top-level networks`);
      continue;
    }
    // Compose makes every service reachable by its own name on each of its networks.
    const entry: ServiceNetworkSpec = {
      name: network,
      aliases: [...new Set([name, ...stringList(options.aliases)])],
    };
    for (const [key, field] of [
      ['ipv4_address', 'ipv4Address'],
      ['ipv6_address', 'ipv6Address'],
    ] as const) {
      if (options[key] === undefined || options[key] === null) continue;
      entry[field] = scalarText(options[key]);
      if (spec.replicas !== 1) {
        ctx.error(
          `${path}.networks.${network}.${key}`,
          'a fixed address allows one replica only; remove it or run one replica',
        );
      }
    }
    networks.push(entry);
  }
  spec.networks = networks;
}
