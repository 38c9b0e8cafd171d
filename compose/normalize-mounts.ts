// `volumes:` and `tmpfs:` of a service → MountSpecs. A relative bind becomes a `bundle` mount when the
// project ships its source (the files travel in the bundle) and a `stack-data` mount when it does not
// (a directory kept per stack on each host); an absolute bind is admin-only; `~` and `../` cannot
// travel to other hosts and are refused.
import type { MountSpec } from '../stack/types.js';
import type { ProjectContext } from './project-context.js';
import { bundlePath, isPathSource } from './rebase.js';
import { parseBytes, parseMode } from './values.js';
import { isMapping } from './yaml.js';

const IGNORED_SHORT_OPTIONS = new Set([
  'z',
  'Z',
  'cached',
  'delegated',
  'consistent',
  'rprivate',
  'private',
  'rshared',
  'shared',
  'rslave',
  'slave',
]);

interface MountContext {
  ctx: ProjectContext;
  /** Top-level volume names. */
  volumes: Set<string>;
}

export function serviceMounts(mc: MountContext, path: string, service: Record<string, unknown>): MountSpec[] {
  const mounts: MountSpec[] = [];
  const volumes = Array.isArray(service.volumes) ? service.volumes : [];
  volumes.forEach((entry, index) => {
    const mount =
      typeof entry === 'string'
        ? shortVolume(mc, `${path}.volumes[${index}]`, entry)
        : longVolume(mc, `${path}.volumes[${index}]`, entry);
    if (mount) mounts.push(mount);
  });
  const tmpfs =
    service.tmpfs === undefined ? [] : Array.isArray(service.tmpfs) ? service.tmpfs : [service.tmpfs];
  tmpfs.forEach((entry, index) => {
    const mount = shortTmpfs(
      mc,
      `${path}.tmpfs${Array.isArray(service.tmpfs) ? `[${index}]` : ''}`,
      String(entry),
    );
    if (mount) mounts.push(mount);
  });
  return mounts;
}

function shortTmpfs(mc: MountContext, path: string, text: string): MountSpec | undefined {
  const [target = '', options = ''] = text.split(/:(.*)/s);
  if (!target.startsWith('/')) {
    mc.ctx.error(path, `tmpfs target "${target}" must be an absolute path`);
    return undefined;
  }
  const mount: MountSpec = { type: 'tmpfs', source: '', target, readOnly: false };
  for (const option of options.split(',').filter(Boolean)) {
    const [key, value] = option.split('=') as [string, string | undefined];
    if (key === 'size') {
      const size = parseBytes(value);
      if ('error' in size) mc.ctx.error(path, size.error);
      else mount.tmpfsSizeBytes = size.value;
    } else if (key === 'mode') {
      const mode = parseMode(value);
      if ('error' in mode) mc.ctx.error(path, mode.error);
      else mount.tmpfsMode = mode.value;
    } else if (key === 'ro') mount.readOnly = true;
    else if (!['rw', 'noexec', 'nosuid', 'nodev', 'exec', 'suid', 'dev'].includes(key)) {
      mc.ctx.error(path, `unsupported tmpfs option "${option}" (size=, mode=, ro)`);
    }
  }
  return mount;
}

function shortVolume(mc: MountContext, path: string, text: string): MountSpec | undefined {
  const parts = text.split(':');
  if (parts.length === 1)
    return checkTarget(mc, path, { type: 'volume', source: '', target: text, readOnly: false });
  if (parts.length > 3) {
    mc.ctx.error(path, `"${text}" is not a volume; expected [source:]target[:options]`);
    return undefined;
  }
  const [source, target, options = ''] = parts as [string, string, string | undefined];
  let readOnly = false;
  let noCopy = false;
  for (const option of options.split(',').filter(Boolean)) {
    if (option === 'ro') readOnly = true;
    else if (option === 'rw') readOnly = false;
    else if (option === 'nocopy') noCopy = true;
    else if (!IGNORED_SHORT_OPTIONS.has(option)) {
      mc.ctx.error(path, `unsupported volume option "${option}" in "${text}" (ro, rw, nocopy)`);
      return undefined;
    }
  }
  if (isPathSource(source)) return bindMount(mc, path, source, target, readOnly, true);
  const mount: MountSpec = { type: 'volume', source, target, readOnly };
  if (noCopy) mount.noCopy = true;
  return namedVolume(mc, path, mount);
}

function longVolume(mc: MountContext, path: string, entry: unknown): MountSpec | undefined {
  if (!isMapping(entry)) return undefined;
  const type = String(entry.type);
  const target = String(entry.target ?? '');
  const readOnly = entry.read_only === true || entry.read_only === 'true';
  const source = typeof entry.source === 'string' ? entry.source : '';
  if (type === 'bind') {
    if (source === '') {
      mc.ctx.error(`${path}.source`, 'a bind mount needs a source');
      return undefined;
    }
    const bind = isMapping(entry.bind) ? entry.bind : {};
    const create = bind.create_host_path === true || bind.create_host_path === 'true';
    return bindMount(mc, path, source, target, readOnly, create);
  }
  if (type === 'volume') {
    const mount: MountSpec = { type: 'volume', source, target, readOnly };
    const volume = isMapping(entry.volume) ? entry.volume : {};
    if (volume.nocopy === true || volume.nocopy === 'true') mount.noCopy = true;
    return source === '' ? checkTarget(mc, path, mount) : namedVolume(mc, path, mount);
  }
  if (type === 'tmpfs') {
    const mount: MountSpec = { type: 'tmpfs', source: '', target, readOnly };
    const tmpfs = isMapping(entry.tmpfs) ? entry.tmpfs : {};
    if (tmpfs.size !== undefined) {
      const size = parseBytes(tmpfs.size);
      if ('error' in size) mc.ctx.error(`${path}.tmpfs.size`, size.error);
      else mount.tmpfsSizeBytes = size.value;
    }
    if (tmpfs.mode !== undefined) {
      const mode = parseMode(tmpfs.mode);
      if ('error' in mode) mc.ctx.error(`${path}.tmpfs.mode`, mode.error);
      else mount.tmpfsMode = mode.value;
    }
    return checkTarget(mc, path, mount);
  }
  mc.ctx.error(
    `${path}.type`,
    `volume type "${type}" cannot be used by Graphium (volume, bind or tmpfs): ${
      type === 'npipe'
        ? 'named pipes exist on Windows hosts only'
        : type === 'image'
          ? 'image mounts need a newer Docker than Graphium supports'
          : 'cluster volumes are a Swarm feature'
    }`,
  );
  return undefined;
}

function checkTarget(mc: MountContext, path: string, mount: MountSpec): MountSpec | undefined {
  if (!mount.target.startsWith('/')) {
    mc.ctx.error(path, `target "${mount.target}" must be an absolute path in the container`);
    return undefined;
  }
  return mount;
}

function namedVolume(mc: MountContext, path: string, mount: MountSpec): MountSpec | undefined {
  if (!mc.volumes.has(mount.source)) {
    mc.ctx.error(path, `volume "${mount.source}" is not declared in the top-level volumes`);
    return undefined;
  }
  return checkTarget(mc, path, mount);
}

function bindMount(
  mc: MountContext,
  path: string,
  source: string,
  target: string,
  readOnly: boolean,
  createHostPath: boolean,
): MountSpec | undefined {
  const { ctx } = mc;
  if (source === '~' || source.startsWith('~/')) {
    // The home directory of whoever runs `docker compose` means nothing on other hosts; what users keep
    // there is data, so it becomes a per-stack data directory (`.home/...`) on each host.
    const data = `.home${source.slice(1)}`;
    ctx.warn(
      path,
      `"${source}" is in the home directory of the machine running Compose, which the hosts do not have: kept as the stack's data directory "${data}" on each host`,
    );
    return checkTarget(mc, path, { type: 'stack-data', source: data, target, readOnly, createHostPath });
  }
  if (source.startsWith('~')) {
    ctx.error(
      path,
      `bind source "${source}" is in another user's home directory, which the hosts do not have; use a path inside the project`,
    );
    return undefined;
  }
  if (source.startsWith('/')) {
    ctx.hostAccess(
      path,
      'services.*.volumes',
      source,
      `admin only: bind-mounts the host path "${source}", which gives the container that host's files`,
    );
    return checkTarget(mc, path, { type: 'bind', source, target, readOnly, createHostPath });
  }
  const project = bundlePath(source);
  if (project === undefined) {
    ctx.error(
      path,
      `bind source "${source}" is outside the project directory, so it cannot travel to other hosts; move it into the project`,
    );
    return undefined;
  }
  const isFile = project !== '.' && ctx.reader.read(project) !== undefined;
  const isDirectory = project === '.' || ctx.reader.isDirectory(project);
  if (!isFile && !isDirectory) {
    return checkTarget(mc, path, { type: 'stack-data', source: project, target, readOnly, createHostPath });
  }
  if (isFile) ctx.addFile(project);
  else for (const file of ctx.reader.list(project)) ctx.addFile(file);
  return checkTarget(mc, path, { type: 'bundle', source: project, target, readOnly, createHostPath });
}
