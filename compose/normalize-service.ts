// One service of the merged, resolved document → ServiceSpec. Every key the policy table calls
// `supported` or `admin` is read here or in the modules this file calls (normalize-deploy, -options,
// -mounts, -build, -env, -networking); ignored and refused keys were reported before and are never read.
import type { DependencySpec, FileMountSpec, HealthcheckSpec, ServiceSpec } from '../stack/types.js';
import { fixedHostPorts } from '../stack/update-config.js';
import { parseHealthTest } from './compose-syntax.js';
import { serviceBuild } from './normalize-build.js';
import {
  constraintsOf,
  replicasOf,
  resourcesOf,
  restartOf,
  take,
  updateConfigOf,
} from './normalize-deploy.js';
import { environment, labels } from './normalize-env.js';
import { serviceMounts } from './normalize-mounts.js';
import { networking } from './normalize-networking.js';
import { applyOptions, isSet } from './normalize-options.js';
import { parseExpose, parsePortEntry } from './ports.js';
import type { ProjectContext } from './project-context.js';
import { splitShellWords } from './shell-words.js';
import {
  atMost,
  BOUNDS,
  parseBoolean,
  parseDurationValue,
  parseInteger,
  parseMode,
  scalarText,
  stringList,
} from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

export interface ProjectNames {
  networks: Set<string>;
  volumes: Set<string>;
  secrets: Set<string>;
  configs: Set<string>;
  services: Set<string>;
}

export function normalizeService(
  ctx: ProjectContext,
  names: ProjectNames,
  name: string,
  service: Mapping,
): ServiceSpec {
  const path = `services.${name}`;
  const replicas = replicasOf(ctx, path, service);
  const spec: ServiceSpec = {
    name,
    image: service.image === undefined || service.image === null ? '' : scalarText(service.image).trim(),
    environment: environment(ctx, path, service),
    ports: (Array.isArray(service.ports) ? service.ports : []).flatMap(
      (entry, index) => take(ctx, `${path}.ports[${index}]`, entry, parsePortEntry) ?? [],
    ),
    mounts: serviceMounts({ ctx, volumes: names.volumes }, path, service),
    labels: labels(ctx, path, service),
    restart: restartOf(ctx, path, service),
    dependsOn: dependsOn(ctx, path, name, service, names.services),
    replicas,
    constraints: constraintsOf(ctx, path, service),
    networks: [],
  };
  if (service.build !== undefined && service.build !== null) {
    const build = serviceBuild(ctx, `${path}.build`, name, service.build);
    if (build) spec.build = build;
  } else if (spec.image === '') {
    ctx.error(`${path}.image`, 'required: a service needs an image or a build');
  }
  const command = execForm(ctx, `${path}.command`, service.command);
  if (command) spec.command = command;
  const entrypoint = execForm(ctx, `${path}.entrypoint`, service.entrypoint);
  if (entrypoint) spec.entrypoint = entrypoint;
  if (service.expose !== undefined) {
    spec.expose = stringList(service.expose).flatMap(
      (entry, index) => take(ctx, `${path}.expose[${index}]`, entry, parseExpose) ?? [],
    );
  }
  if (isMapping(service.healthcheck)) {
    const healthcheck = healthcheckOf(ctx, `${path}.healthcheck`, service.healthcheck);
    if (healthcheck) spec.healthcheck = healthcheck;
  }
  const grace = take(
    ctx,
    `${path}.stop_grace_period`,
    service.stop_grace_period,
    atMost(parseDurationValue, BOUNDS.stopGraceMs, '1h'),
  );
  if (grace !== undefined) spec.stopGracePeriodMs = grace;
  if (isSet(service.stop_signal)) {
    const signal = scalarText(service.stop_signal);
    if (/^(SIG[A-Z0-9+-]+|\d+)$/.test(signal)) spec.stopSignal = signal;
    else ctx.error(`${path}.stop_signal`, 'expected a signal name such as SIGINT, or a number');
  }
  networking(ctx, path, name, service, spec, names.networks);
  if (isSet(service.container_name)) {
    spec.containerName = scalarText(service.container_name);
    if (replicas !== 1) {
      ctx.error(
        `${path}.container_name`,
        `a fixed container name allows one replica only, and this service has ${replicas}; remove container_name or run one replica`,
      );
    }
  }
  const secrets = fileMounts(ctx, `${path}.secrets`, service.secrets, names.secrets, 'secrets');
  if (secrets) spec.secrets = secrets;
  const configs = fileMounts(ctx, `${path}.configs`, service.configs, names.configs, 'configs');
  if (configs) spec.configs = configs;
  const resources = resourcesOf(ctx, path, service);
  if (resources) spec.resources = resources;
  const deploy = isMapping(service.deploy) ? service.deploy : {};
  const update = updateConfigOf(ctx, `${path}.deploy.update_config`, deploy.update_config);
  if (update) spec.updateConfig = update;
  const ports = fixedHostPorts(spec);
  if (update?.order === 'start-first' && ports.length > 0) {
    // Each new replica starts beside the one it replaces, on the same host: refused here, not mid-deploy.
    ctx.error(
      `${path}.deploy.update_config.order`,
      `start-first runs a new container beside each old one on the same host, and host port ${ports[0]} ` +
        'cannot be bound twice there: publish no fixed host port (let Docker pick one), or use stop-first',
    );
  }
  const rollback = updateConfigOf(ctx, `${path}.deploy.rollback_config`, deploy.rollback_config);
  if (rollback) spec.rollbackConfig = rollback;
  applyOptions(ctx, path, service, spec);
  return spec;
}

function execForm(ctx: ProjectContext, path: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(scalarText);
  const split = splitShellWords(scalarText(value));
  if ('error' in split) {
    ctx.error(path, split.error);
    return undefined;
  }
  return split.words;
}

function healthcheckOf(ctx: ProjectContext, path: string, h: Mapping): HealthcheckSpec | undefined {
  if (h.disable === true || h.disable === 'true') {
    if (h.test !== undefined && !(Array.isArray(h.test) && h.test[0] === 'NONE')) {
      ctx.error(`${path}.disable`, 'disable: true and test cannot both be set');
    }
    return { test: ['NONE'] };
  }
  // Without `test` the image's own HEALTHCHECK runs with these timings; Docker reads [] as "inherit".
  let test: string[] = [];
  if (h.test !== undefined) {
    const parsed = parseHealthTest(Array.isArray(h.test) ? h.test.map(scalarText) : scalarText(h.test));
    if ('error' in parsed) ctx.error(`${path}.test`, parsed.error);
    else test = parsed.value;
  }
  const spec: HealthcheckSpec = { test };
  const durations = [
    ['interval', 'intervalMs'],
    ['timeout', 'timeoutMs'],
    ['start_period', 'startPeriodMs'],
    ['start_interval', 'startIntervalMs'],
  ] as const;
  for (const [key, field] of durations) {
    const ms = take(ctx, `${path}.${key}`, h[key], atMost(parseDurationValue, BOUNDS.healthcheckMs, '1h'));
    if (ms !== undefined) spec[field] = ms;
  }
  const retries = take(
    ctx,
    `${path}.retries`,
    h.retries,
    atMost((v) => parseInteger(v), BOUNDS.healthcheckRetries, String(BOUNDS.healthcheckRetries)),
  );
  if (retries !== undefined) spec.retries = retries;
  return spec;
}

const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'] as const;

function dependsOn(
  ctx: ProjectContext,
  path: string,
  name: string,
  service: Mapping,
  services: Set<string>,
): DependencySpec[] {
  const value = service.depends_on;
  const entries: [string, Mapping][] = Array.isArray(value)
    ? [...new Set(value.map(String))].map((dep) => [dep, {}])
    : isMapping(value)
      ? Object.entries(value).map(([dep, options]) => [dep, isMapping(options) ? options : {}])
      : [];
  const out: DependencySpec[] = [];
  for (const [dep, options] of entries) {
    const where = `${path}.depends_on.${dep}`;
    if (dep === name) {
      ctx.error(`${path}.depends_on`, `service "${name}" depends on itself`);
      continue;
    }
    if (!services.has(dep)) {
      if (options.required === false || options.required === 'false') {
        ctx.warn(
          where,
          `service "${dep}" is not in the project (inactive profile?); required: false, so the dependency is dropped`,
        );
      } else {
        ctx.error(
          `${path}.depends_on`,
          `unknown service "${dep}" (not defined, or its profile is not active)`,
        );
      }
      continue;
    }
    const condition = options.condition ?? 'service_started';
    if (!CONDITIONS.includes(condition as (typeof CONDITIONS)[number])) {
      ctx.error(
        `${where}.condition`,
        `unsupported value ${JSON.stringify(condition)}; expected ${CONDITIONS.join(', ')}`,
      );
      continue;
    }
    const spec: DependencySpec = { service: dep, condition: condition as DependencySpec['condition'] };
    const restart = take(ctx, `${where}.restart`, options.restart, parseBoolean);
    if (restart) spec.restart = true;
    out.push(spec);
  }
  return out;
}

function fileMounts(
  ctx: ProjectContext,
  path: string,
  value: unknown,
  declared: Set<string>,
  kind: 'secrets' | 'configs',
): FileMountSpec[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.flatMap((entry, index): FileMountSpec[] => {
    const where = `${path}[${index}]`;
    const long: Mapping = isMapping(entry) ? entry : { source: entry };
    const source = scalarText(long.source);
    if (!declared.has(source)) {
      ctx.error(
        where,
        `${kind === 'secrets' ? 'secret' : 'config'} "${source}" is not declared in the top-level ${kind}`,
      );
      return [];
    }
    let target = long.target === undefined ? source : scalarText(long.target);
    if (kind === 'secrets' && !target.startsWith('/')) target = `/run/secrets/${target}`;
    if (kind === 'configs' && !target.startsWith('/')) target = `/${target}`;
    const spec: FileMountSpec = { source, target };
    if (long.uid !== undefined) spec.uid = scalarText(long.uid);
    if (long.gid !== undefined) spec.gid = scalarText(long.gid);
    const mode = take(ctx, `${where}.mode`, long.mode, parseMode);
    if (mode !== undefined) spec.mode = mode;
    return [spec];
  });
}
