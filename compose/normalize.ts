// The merged, resolved project document → StackSpec: resources, services in dependency order, the
// secrets and configs as bundle files, `x-graphium`, and the bundle manifest.
import { composeNamePattern, stackNamePattern } from '../stack/names.js';
import { DEFAULT_NETWORK_DRIVER, DEFAULT_VOLUME_DRIVER } from '../stack/namespace.js';
import type {
  FileObjectSpec,
  GraphiumSettings,
  NetworkSpec,
  ServiceSpec,
  StackSpec,
  VolumeSpec,
} from '../stack/types.js';
import { bundleManifest } from './bundle.js';
import { orderByDependencies } from './dependency-order.js';
import { normalizeService, type ProjectNames } from './normalize-service.js';
import type { ProjectContext } from './project-context.js';
import { bundlePath } from './rebase.js';
import { keyValueEntries, parseBoolean, scalarText } from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

const DEFAULT_NETWORK = 'default';

function entries(value: unknown): [string, Mapping][] {
  return isMapping(value)
    ? Object.entries(value).map(([name, item]) => [name, isMapping(item) ? item : {}])
    : [];
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(keyValueEntries(value).map(([key, item]) => [key, item ?? '']));
}

function checkNames(ctx: ProjectContext, document: Mapping): void {
  if (document.name !== undefined && !stackNamePattern.test(scalarText(document.name))) {
    ctx.error(
      'name',
      `"${document.name}" is not a valid stack name: lower-case letters, digits, "_" and "-", at most 63`,
    );
  }
  for (const section of ['services', 'networks', 'volumes', 'secrets', 'configs'] as const) {
    for (const [name] of entries(document[section])) {
      if (!composeNamePattern.test(name)) {
        ctx.error(
          `${section}.${name}`,
          `"${name}" is not a valid name: use letters, digits, "_", "." and "-", starting with a letter or digit`,
        );
      }
    }
  }
}

/** External resources exist on the hosts already: only an admin may point a stack at them. */
function external(
  ctx: ProjectContext,
  path: string,
  value: Mapping,
): { external: boolean; externalName?: string } {
  const flag = value.external;
  const isExternal = isMapping(flag) || flag === true || flag === 'true';
  const legacyName = isMapping(flag) && typeof flag.name === 'string' ? flag.name : undefined;
  if (!isExternal) {
    if (value.name !== undefined) {
      ctx.warn(
        `${path}.name`,
        'ignored: Graphium names what it creates `<stack>_<key>`, so two stacks never share (and delete) one',
      );
    }
    return { external: false };
  }
  const externalName = scalarText(value.name ?? legacyName ?? path.split('.').at(-1));
  ctx.hostAccess(
    `${path}.external`,
    `${path.split('.')[0]}.*.external`,
    externalName,
    'admin only: uses a resource that already exists on the hosts, outside the stack',
  );
  return { external: true, externalName };
}

function networkSpec(ctx: ProjectContext, name: string, value: Mapping): NetworkSpec {
  const path = `networks.${name}`;
  const spec: NetworkSpec = { name, ...external(ctx, path, value) };
  if (value.driver !== undefined) {
    spec.driver = scalarText(value.driver);
    if (spec.driver !== DEFAULT_NETWORK_DRIVER) {
      ctx.hostAccess(
        `${path}.driver`,
        'networks.*.driver',
        spec.driver,
        `admin only: the "${spec.driver}" driver can put containers on the host's own networks (macvlan, ipvlan) or hand the network to a plugin; deployers use the default, bridge`,
      );
    }
  }
  if (value.driver_opts !== undefined) spec.driverOpts = stringMap(value.driver_opts);
  for (const [key, field] of [
    ['internal', 'internal'],
    ['attachable', 'attachable'],
    ['enable_ipv6', 'enableIpv6'],
  ] as const) {
    if (value[key] === undefined) continue;
    const parsed = parseBoolean(value[key]);
    if ('error' in parsed) ctx.error(`${path}.${key}`, parsed.error);
    else spec[field] = parsed.value;
  }
  if (value.labels !== undefined) spec.labels = stringMap(value.labels);
  if (isMapping(value.ipam)) {
    const ipam: NonNullable<NetworkSpec['ipam']> = { config: [] };
    if (value.ipam.driver !== undefined) {
      ipam.driver = scalarText(value.ipam.driver);
      if (ipam.driver !== 'default') {
        ctx.hostAccess(
          `${path}.ipam.driver`,
          'networks.*.ipam.driver',
          undefined,
          `admin only: the IPAM driver "${ipam.driver}" is a plugin that runs on the host; deployers use the default`,
        );
      }
    }
    for (const item of Array.isArray(value.ipam.config) ? value.ipam.config : []) {
      if (!isMapping(item)) continue;
      const config: { subnet?: string; gateway?: string; ipRange?: string } = {};
      if (item.subnet !== undefined) config.subnet = scalarText(item.subnet);
      if (item.gateway !== undefined) config.gateway = scalarText(item.gateway);
      if (item.ip_range !== undefined) config.ipRange = scalarText(item.ip_range);
      ipam.config.push(config);
    }
    spec.ipam = ipam;
  }
  return spec;
}

function volumeSpec(ctx: ProjectContext, name: string, value: Mapping): VolumeSpec {
  const spec: VolumeSpec = { name, ...external(ctx, `volumes.${name}`, value) };
  if (value.driver !== undefined) {
    spec.driver = scalarText(value.driver);
    if (spec.driver !== DEFAULT_VOLUME_DRIVER) {
      ctx.hostAccess(
        `volumes.${name}.driver`,
        'volumes.*.driver',
        spec.driver,
        `admin only: the "${spec.driver}" driver is a plugin of the host, which decides what the volume mounts; deployers use the default, local`,
      );
    }
  }
  if (value.driver_opts !== undefined) spec.driverOpts = stringMap(value.driver_opts);
  if (value.labels !== undefined) spec.labels = stringMap(value.labels);
  return spec;
}

/** A secret or config → the bundle file that holds its content. */
function fileObject(
  ctx: ProjectContext,
  kind: 'secrets' | 'configs',
  name: string,
  value: Mapping,
): FileObjectSpec | undefined {
  const path = `${kind}.${name}`;
  const secret = kind === 'secrets';
  if (typeof value.file === 'string') {
    const file = bundlePath(value.file);
    if (file === undefined) {
      ctx.error(
        `${path}.file`,
        `"${value.file}" is outside the project directory, so it cannot travel to the hosts; move it into the project`,
      );
      return undefined;
    }
    if (!ctx.addFile(file, secret)) {
      ctx.error(`${path}.file`, `file "${value.file}" not found in the project`);
      return undefined;
    }
    return { name, file };
  }
  const generated = `.graphium/${kind}/${name}`;
  if (typeof value.environment === 'string') {
    const content = ctx.lookup(value.environment);
    if (content === undefined) {
      ctx.error(
        `${path}.environment`,
        `variable ${value.environment} is not set (set it in .env, --env-file or the stack variables)`,
      );
      return undefined;
    }
    ctx.addGenerated(generated, content, secret);
    return { name, file: generated };
  }
  if (!secret && value.content !== undefined) {
    ctx.addGenerated(generated, scalarText(value.content), false);
    return { name, file: generated };
  }
  if (value.external === undefined) {
    ctx.error(path, `needs a source: file:${secret ? ' or environment:' : ', environment: or content:'}`);
  }
  return undefined;
}

function graphiumSettings(ctx: ProjectContext, value: unknown): GraphiumSettings | undefined {
  if (value === undefined) return undefined;
  if (!isMapping(value)) {
    ctx.error('x-graphium', 'expected a mapping such as {reconcile: repair}');
    return undefined;
  }
  const settings: GraphiumSettings = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'reconcile' && (item === 'report' || item === 'repair')) settings.reconcile = item;
    else if (key === 'reconcile')
      ctx.error(
        'x-graphium.reconcile',
        `unsupported value ${JSON.stringify(item)}; expected "report" or "repair"`,
      );
    else ctx.error(`x-graphium.${key}`, `unknown Graphium setting "${key}" (reconcile)`);
  }
  return settings;
}

/** `links: [db:database]` makes `database` a name of db on the networks both services share. */
function applyLinks(ctx: ProjectContext, document: Mapping, services: ServiceSpec[]): void {
  for (const [name, service] of entries(document.services)) {
    const linking = services.find((s) => s.name === name);
    const links = Array.isArray(service.links) ? service.links.map(String) : [];
    links.forEach((link, index) => {
      const [target = '', alias] = link.split(':');
      const linked = services.find((s) => s.name === target);
      if (!linked) {
        ctx.error(`services.${name}.links[${index}]`, `unknown service "${target}"`);
        return;
      }
      if (!alias || !linking) return;
      for (const network of linked.networks) {
        if (linking.networks.some((n) => n.name === network.name) && !network.aliases.includes(alias))
          network.aliases.push(alias);
      }
    });
  }
}

export function normalizeProject(ctx: ProjectContext, document: Mapping): StackSpec {
  checkNames(ctx, document);
  const networks = entries(document.networks).map(([name, value]) => networkSpec(ctx, name, value));
  const volumes = entries(document.volumes).map(([name, value]) => volumeSpec(ctx, name, value));
  const secrets = entries(document.secrets).flatMap(
    ([name, value]) => fileObject(ctx, 'secrets', name, value) ?? [],
  );
  const configs = entries(document.configs).flatMap(
    ([name, value]) => fileObject(ctx, 'configs', name, value) ?? [],
  );
  const serviceEntries = entries(document.services);
  // Services an earlier problem removed (a broken extends) are not "no services".
  if (serviceEntries.length === 0 && ctx.errors.length === 0)
    ctx.error('services', 'at least one service is required (with the active profiles)');
  const names: ProjectNames = {
    networks: new Set(networks.map((n) => n.name)),
    volumes: new Set(volumes.map((v) => v.name)),
    secrets: new Set(entries(document.secrets).map(([name]) => name)),
    configs: new Set(entries(document.configs).map(([name]) => name)),
    services: new Set(serviceEntries.map(([name]) => name)),
  };
  const byName = new Map(
    serviceEntries.map(([name, value]) => [name, normalizeService(ctx, names, name, value)]),
  );
  applyLinks(ctx, document, [...byName.values()]);
  const { order, cycles } = orderByDependencies([...byName.keys()], (name) =>
    byName.get(name)!.dependsOn.map((d) => d.service),
  );
  for (const cycle of cycles)
    ctx.error(`services.${cycle[0]}.depends_on`, `dependency cycle: ${cycle.join(' -> ')}`);
  const services = order.map((name) => byName.get(name)!);
  const usesDefault = services.some((service) => service.networks.some((n) => n.name === DEFAULT_NETWORK));
  if (usesDefault && !networks.some((network) => network.name === DEFAULT_NETWORK)) {
    networks.push({ name: DEFAULT_NETWORK, external: false });
  }
  const spec: StackSpec = { services, networks, volumes };
  if (document.name !== undefined) spec.name = scalarText(document.name);
  if (names.secrets.size > 0) spec.secrets = secrets;
  if (names.configs.size > 0) spec.configs = configs;
  const graphium = graphiumSettings(ctx, document['x-graphium']);
  if (graphium) spec.graphium = graphium;
  spec.bundle = bundleManifest(ctx.files);
  return spec;
}
