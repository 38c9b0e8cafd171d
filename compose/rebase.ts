// Relative paths in a Compose file are relative to a directory: the project directory for `-f` files,
// the file's own directory for `extends.file` and `include`. The loader rewrites every such path into
// one form, `./<project-relative path>`, as soon as it reads a file, so later steps (merge, bundle)
// never need to know which file a value came from. A path that leaves the project stays `../…` and is
// refused where it is used.
import { posix } from 'node:path';
import { isMapping } from './yaml.js';

type Mapping = Record<string, unknown>;

/** `./<path>` for a path relative to `dir`; absolute and `~` paths stay as written. */
export function rebase(dir: string, path: string): string {
  if (path.startsWith('/') || path.startsWith('~') || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  const joined = posix.normalize(posix.join(dir, path));
  if (joined === '.' || joined === './') return '.';
  return joined.startsWith('../') || joined === '..' ? joined : `./${joined}`;
}

/** The project-relative path (`a/b`, `.`), or undefined when the path is absolute or leaves the project. */
export function bundlePath(rebased: string): string | undefined {
  if (rebased.startsWith('/') || rebased.startsWith('~')) return undefined;
  const path = posix.normalize(rebased);
  if (path === '..' || path.startsWith('../')) return undefined;
  return path === './' ? '.' : path.replace(/\/$/, '');
}

/** A short volume spec's source is a path (not a volume name) when it starts with `.`, `/` or `~` or holds a `/`. */
export function isPathSource(source: string): boolean {
  return /^[./~]/.test(source) || source.includes('/');
}

function rebaseVolume(dir: string, entry: unknown): unknown {
  if (typeof entry === 'string') {
    const parts = entry.split(':');
    if (parts.length < 2 || !isPathSource(parts[0]!)) return entry;
    return [rebase(dir, parts[0]!), ...parts.slice(1)].join(':');
  }
  if (isMapping(entry) && entry.type === 'bind' && typeof entry.source === 'string') {
    return { ...entry, source: rebase(dir, entry.source) };
  }
  return entry;
}

function rebaseEnvFiles(dir: string, value: unknown): unknown {
  const one = (entry: unknown) => {
    if (typeof entry === 'string') return rebase(dir, entry);
    if (isMapping(entry) && typeof entry.path === 'string')
      return { ...entry, path: rebase(dir, entry.path) };
    return entry;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

/** One service's relative paths rewritten from `dir` into project form. */
export function rebaseService(dir: string, service: Mapping): Mapping {
  const out: Mapping = { ...service };
  if (typeof out.build === 'string') out.build = rebase(dir, out.build);
  else if (isMapping(out.build) && typeof out.build.context === 'string') {
    out.build = { ...out.build, context: rebase(dir, out.build.context) };
  } else if (isMapping(out.build)) out.build = { ...out.build, context: rebase(dir, '.') };
  if (out.env_file !== undefined) out.env_file = rebaseEnvFiles(dir, out.env_file);
  if (out.label_file !== undefined) out.label_file = rebaseEnvFiles(dir, out.label_file);
  if (Array.isArray(out.volumes)) out.volumes = out.volumes.map((entry) => rebaseVolume(dir, entry));
  if (isMapping(out.extends) && typeof out.extends.file === 'string') {
    out.extends = { ...out.extends, file: rebase(dir, out.extends.file) };
  }
  return out;
}

/** Every relative path of a whole file's document rewritten from `dir` into project form. */
export function rebaseDocument(dir: string, document: Mapping): Mapping {
  const out: Mapping = { ...document };
  if (isMapping(out.services)) {
    out.services = Object.fromEntries(
      Object.entries(out.services).map(([name, service]) => [
        name,
        isMapping(service) ? rebaseService(dir, service) : service,
      ]),
    );
  }
  for (const section of ['secrets', 'configs'] as const) {
    if (!isMapping(out[section])) continue;
    out[section] = Object.fromEntries(
      Object.entries(out[section] as Mapping).map(([name, entry]) => [
        name,
        isMapping(entry) && typeof entry.file === 'string'
          ? { ...entry, file: rebase(dir, entry.file) }
          : entry,
      ]),
    );
  }
  return out;
}
