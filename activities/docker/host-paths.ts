import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';

// Paths under the agent's data directory, resolved without following a symbolic link. Containers
// write into a stack's data directories through their binds; a link one plants there (`ln -s /
// d/root`) would be followed by the agent (mkdir, copy) and by the daemon, which resolves a bind's
// source through links when it mounts it: a later bind of `./d/root` would get the host's `/`.
// Linux's openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) would resolve in one call; Node has no
// openat2, so each component is lstat'ed in turn, from the data directory down, and any link refused.
// The check and the daemon's mount are two steps: docs/security.md says what that leaves open.

/** A path the agent refuses to use; callers name the service. */
export class HostPathRefused extends Error {}

export interface Resolved {
  path: string;
  /** The last component's own stats (never a link's target); undefined when it does not exist. */
  stats: Stats | undefined;
}

/**
 * Walks `path` (inside `root`, which is trusted: the operator's data directory) one component at a
 * time. A symbolic link anywhere below `root`, or a `..`, is refused. With `create`, missing
 * directories are made one by one (never through a link); otherwise the walk stops at the first.
 */
export async function resolveBeneath(
  root: string,
  path: string,
  options: { create?: boolean; mode?: number } = {},
): Promise<Resolved> {
  const rel = relative(root, path);
  const parts = rel === '' ? [] : rel.split(sep);
  if (isAbsolute(rel) || parts.includes('..')) throw new HostPathRefused(`${path} is not inside ${root}`);
  // The path as walked (relative() resolved any `..` by name): the one the daemon is given.
  const walked = join(root, ...parts);
  // The data directory itself is the operator's: made as it is named, links and all.
  if (options.create) await mkdir(root, { recursive: true });
  let current = root;
  let stats: Stats | undefined;
  for (const [index, part] of parts.entries()) {
    current = join(current, part);
    stats = await lstatOrUndefined(current);
    if (!stats && options.create) {
      await mkdir(current, { mode: options.mode }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      stats = await lstat(current);
    }
    if (!stats) return { path: walked, stats: undefined };
    if (stats.isSymbolicLink()) throw await linkRefused(current);
    if (index < parts.length - 1 && !stats.isDirectory())
      throw new HostPathRefused(`${current} is not a directory`);
  }
  return { path: walked, stats };
}

/**
 * A regular file's content and stats, read through a descriptor opened with O_NOFOLLOW after its
 * directories were walked: a file swapped for a link (to /etc/shadow) is refused, not read.
 */
export async function readRegularFile(
  root: string,
  path: string,
): Promise<{ content: Buffer; stats: Stats }> {
  await resolveBeneath(root, dirname(path));
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch(async (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw await linkRefused(path);
    throw error;
  });
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new HostPathRefused(`${path} is not a regular file`);
    return { content: await handle.readFile(), stats };
  } finally {
    await handle.close();
  }
}

/**
 * Writes a new file where no file of that name may exist yet (O_EXCL | O_NOFOLLOW: never through a
 * link), with its owner and mode set on the descriptor before anyone can bind it.
 */
export async function writeNewFile(
  path: string,
  content: Uint8Array,
  want: { uid: number; gid: number; mode: number },
): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(path, flags, 0o600);
  try {
    await handle.writeFile(content);
    await handle.chown(want.uid, want.gid);
    await handle.chmod(want.mode);
  } finally {
    await handle.close();
  }
}

/**
 * Whether `source` (an absolute host path, links followed as the daemon will) lies inside what the
 * agent keeps unwritable by containers: file contents (`blobs/`), any stack's bundles and copies of
 * its secrets and configs. A missing path is judged by its nearest existing ancestor.
 */
export async function insideAgentFiles(root: string, source: string): Promise<string | undefined> {
  const real = await realpathOfExisting(source);
  const realRoot = await realpathOfExisting(root);
  if (real === undefined || realRoot === undefined) return undefined;
  const rel = relative(realRoot, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
  const [top, , area] = rel.split(sep);
  if (top === 'blobs' || (top === 'stacks' && (area === 'bundles' || area === 'file-mounts'))) return real;
  return undefined;
}

async function realpathOfExisting(path: string): Promise<string | undefined> {
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return join(real, relative(current, path));
    } catch {
      const parent = dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function linkRefused(path: string): Promise<HostPathRefused> {
  const target = await readlink(path).catch(() => 'an unreadable target');
  return new HostPathRefused(
    `${path} is a symbolic link (to ${target}); Graphium follows no link in a stack's directories (a container may have planted it): remove it on the host`,
  );
}
