// The container options most services set in one line (hostname, user, dns, capabilities, ulimits,
// devices, logging, pull policy...) → ServiceSpec fields. Admin-only values are recorded, not refused:
// the API decides by the caller's role.
import type { DeviceSpec, PullPolicy, ServiceSpec } from '../stack/types.js';
import { take } from './normalize-deploy.js';
import type { ProjectContext } from './project-context.js';
import { keyValueEntries, parseBoolean, parseBytes, parseInteger, scalarText, stringList } from './values.js';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

const STRING_KEYS = [
  ['hostname', 'hostname'],
  ['domainname', 'domainname'],
  ['user', 'user'],
  ['working_dir', 'workingDir'],
] as const;

const LIST_KEYS = [
  ['dns', 'dns'],
  ['dns_search', 'dnsSearch'],
  ['dns_opt', 'dnsOpt'],
  ['cap_drop', 'capDrop'],
  ['group_add', 'groupAdd'],
] as const;

const BOOLEAN_KEYS = [
  ['init', 'init'],
  ['read_only', 'readOnly'],
  ['stdin_open', 'stdinOpen'],
  ['tty', 'tty'],
] as const;

const PULL_UNITS: Record<string, number> = {
  w: 604_800_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
};

const PLATFORM = /^[a-z0-9_]+\/[a-z0-9_]+(\/[a-z0-9_]+)?$/;

export function applyOptions(ctx: ProjectContext, path: string, service: Mapping, spec: ServiceSpec): void {
  // An empty value is how `${VAR:-}` leaves a key unset, so it means "not set", as in Compose.
  for (const [key, field] of STRING_KEYS) if (isSet(service[key])) spec[field] = scalarText(service[key]);
  for (const [key, field] of LIST_KEYS)
    if (service[key] !== undefined) spec[field] = stringList(service[key]);
  for (const [key, field] of BOOLEAN_KEYS) {
    const value = take(ctx, `${path}.${key}`, service[key], parseBoolean);
    if (value !== undefined) spec[field] = value;
  }
  if (service.extra_hosts !== undefined) spec.extraHosts = extraHosts(service.extra_hosts);
  const shm = take(ctx, `${path}.shm_size`, service.shm_size, parseBytes);
  if (shm !== undefined) spec.shmSizeBytes = shm;
  if (service.ulimits !== undefined) spec.ulimits = ulimits(ctx, `${path}.ulimits`, service.ulimits);
  if (isMapping(service.logging)) {
    const logging: NonNullable<ServiceSpec['logging']> = {};
    if (service.logging.driver !== undefined) logging.driver = scalarText(service.logging.driver);
    if (isMapping(service.logging.options)) {
      logging.options = Object.fromEntries(
        Object.entries(service.logging.options).map(([k, v]) => [k, scalarText(v)]),
      );
    }
    spec.logging = logging;
  }
  if (isSet(service.platform)) {
    const platform = scalarText(service.platform).toLowerCase();
    if (PLATFORM.test(platform)) spec.platform = platform;
    else
      ctx.error(
        `${path}.platform`,
        `"${service.platform}" is not a platform; expected os/arch[/variant], such as linux/amd64`,
      );
  }
  if (isSet(service.pull_policy)) {
    const policy = pullPolicy(scalarText(service.pull_policy));
    if (policy === undefined) {
      ctx.error(
        `${path}.pull_policy`,
        `"${service.pull_policy}" is not a pull policy (always, missing, never, build, daily, weekly or every_<duration>)`,
      );
    } else spec.pullPolicy = policy;
  }
  adminOptions(ctx, path, service, spec);
}

/** Set and not empty. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function extraHosts(value: unknown): string[] {
  if (isMapping(value)) {
    return Object.entries(value).flatMap(([host, ips]) => stringList(ips).map((ip) => `${host}:${ip}`));
  }
  // `host=ip` is the newer list form; Docker wants `host:ip`.
  return stringList(value).map((entry) => (/^[^:=]+=/.test(entry) ? entry.replace('=', ':') : entry));
}

function ulimits(
  ctx: ProjectContext,
  path: string,
  value: unknown,
): Record<string, { soft: number; hard: number }> {
  const out: Record<string, { soft: number; hard: number }> = {};
  if (!isMapping(value)) return out;
  for (const [name, limit] of Object.entries(value)) {
    if (isMapping(limit)) {
      const soft = take(ctx, `${path}.${name}.soft`, limit.soft, (v) => parseInteger(v, -1));
      const hard = take(ctx, `${path}.${name}.hard`, limit.hard, (v) => parseInteger(v, -1));
      if (soft !== undefined && hard !== undefined) out[name] = { soft, hard };
    } else {
      const both = take(ctx, `${path}.${name}`, limit, (v) => parseInteger(v, -1));
      if (both !== undefined) out[name] = { soft: both, hard: both };
    }
  }
  return out;
}

/** `always`, `missing` (`if_not_present`), `never`, `build`, `daily`, `weekly`, `every_12h`. */
export function pullPolicy(text: string): PullPolicy | undefined {
  if (text === 'if_not_present') return 'missing';
  // `refresh` looks for a newer image at every deploy: what `always` does here.
  if (text === 'refresh') return 'always';
  if (['always', 'missing', 'never', 'build', 'daily', 'weekly'].includes(text)) return text as PullPolicy;
  const every = /^every_((?:\d+[wdhms])+)$/.exec(text);
  if (!every) return undefined;
  let ms = 0;
  for (const [, amount, unit] of every[1]!.matchAll(/(\d+)([wdhms])/g))
    ms += Number(amount) * PULL_UNITS[unit!]!;
  return ms > 0 ? { everyMs: ms } : undefined;
}

/** A namespace mode: `host` is admin-only; joining another container's cannot span hosts. */
function namespaceMode(ctx: ProjectContext, path: string, key: string, value: unknown): string | undefined {
  const mode = scalarText(value);
  if (mode.startsWith('service:') || mode.startsWith('container:')) {
    ctx.error(
      path,
      `${key}: "${mode}" joins another container's namespace, which exists on one host only, while Graphium places services independently`,
    );
    return undefined;
  }
  if (mode === 'host')
    ctx.hostAccess(
      path,
      `services.*.${key}`,
      mode,
      `admin only: ${key}: host shares the host's ${key === 'pid' ? 'processes' : 'IPC'} with the container`,
    );
  return mode;
}

/** Keys the policy table makes admin-only (reported there); `pid`/`ipc` are admin-only for `host` only. */
function adminOptions(ctx: ProjectContext, path: string, service: Mapping, spec: ServiceSpec): void {
  if (service.cap_add !== undefined) spec.capAdd = stringList(service.cap_add);
  if (service.sysctls !== undefined) {
    spec.sysctls = Object.fromEntries(keyValueEntries(service.sysctls).map(([k, v]) => [k, v ?? '']));
  }
  const privileged = take(ctx, `${path}.privileged`, service.privileged, parseBoolean);
  if (privileged !== undefined) spec.privileged = privileged;
  if (service.devices !== undefined) spec.devices = devices(ctx, `${path}.devices`, service.devices);
  if (service.security_opt !== undefined) spec.securityOpt = stringList(service.security_opt);
  if (service.userns_mode !== undefined) spec.usernsMode = scalarText(service.userns_mode);
  if (service.pid !== undefined && service.pid !== null) {
    const pid = namespaceMode(ctx, `${path}.pid`, 'pid', service.pid);
    if (pid !== undefined) spec.pid = pid;
  }
  if (service.ipc !== undefined && service.ipc !== null) {
    const ipc = namespaceMode(ctx, `${path}.ipc`, 'ipc', service.ipc);
    if (ipc !== undefined) spec.ipc = ipc;
  }
}

function devices(ctx: ProjectContext, path: string, value: unknown): DeviceSpec[] {
  const list = Array.isArray(value) ? value : [];
  return list.flatMap((entry, index): DeviceSpec[] => {
    if (isMapping(entry)) {
      const source = scalarText(entry.source);
      return [
        {
          pathOnHost: source,
          pathInContainer: scalarText(entry.target ?? source),
          permissions: scalarText(entry.permissions ?? 'rwm'),
        },
      ];
    }
    const [host = '', container, permissions] = String(entry).split(':');
    if (!host.startsWith('/')) {
      ctx.error(`${path}[${index}]`, `"${entry}" is not a device; expected /dev/host[:/dev/container[:rwm]]`);
      return [];
    }
    return [{ pathOnHost: host, pathInContainer: container || host, permissions: permissions || 'rwm' }];
  });
}
