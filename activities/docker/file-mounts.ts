import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { FileMountSpec, MountSpec } from '../../stack/types.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import type { AgentFiles } from './agent-files.js';
import {
  HostPathRefused,
  insideAgentFiles,
  readRegularFile,
  resolveBeneath,
  writeNewFile,
} from './host-paths.js';
import type { ContainerRequest } from './types.js';

// Where, on this host, the files a container binds come from: bundle paths and stack data under the
// agent's data directory, and secrets and configs with the owner and mode the service asks for.
// Every path under the data directory is walked without following a link (host-paths.ts), right
// before the container is created: a link a container planted in its data is refused.

/** Compose's default mode of a mounted secret or config: world-readable, so any container user reads it. */
const DEFAULT_FILE_MODE = 0o444;

export interface HostFiles {
  /** Host path of each `bundle` and `stack-data` mount, by index in `service.mounts`. */
  mountSources: Map<number, string>;
  /** Secrets and configs, bound read-only: host path and container target. */
  fileMounts: { source: string; target: string }[];
}

/** Resolves (and creates where needed) every host path the container's definition names. */
export async function resolveHostFiles(files: AgentFiles, request: ContainerRequest): Promise<HostFiles> {
  try {
    return await hostFiles(files, request);
  } catch (error) {
    if (error instanceof HostPathRefused) throw refused(request, error.message);
    throw error;
  }
}

async function hostFiles(files: AgentFiles, request: ContainerRequest): Promise<HostFiles> {
  const { service, stack } = request;
  const mountSources = new Map<number, string>();
  for (const [index, mount] of service.mounts.entries()) {
    if (mount.type === 'stack-data') {
      // Compose creates a missing bind source as a directory; data kept per stack lives here.
      const { path, stats } = await resolveBeneath(files.root, files.dataPath(stack, mount.source), {
        create: true,
      });
      if (!stats?.isDirectory() && !stats?.isFile())
        throw refused(request, `bind source ${path} is neither a directory nor a regular file`);
      mountSources.set(index, path);
    } else if (mount.type === 'bundle') {
      mountSources.set(index, await bundleSource(files, request, mount));
    } else if (mount.type === 'bind' && !mount.readOnly) {
      // An admin's absolute bind, writable, must not give a container the files containers only read.
      const inside = await insideAgentFiles(files.root, mount.source);
      if (inside)
        throw refused(
          request,
          `writable bind source ${mount.source} is ${inside}, among the agent's bundles and secret copies; bind it read-only`,
        );
    }
  }
  const fileMounts = [
    ...(await Promise.all(
      (service.secrets ?? []).map((use) => fileMount(files, request, 'secret', use, request.secretFiles)),
    )),
    ...(await Promise.all(
      (service.configs ?? []).map((use) => fileMount(files, request, 'config', use, request.configFiles)),
    )),
  ];
  return { mountSources, fileMounts };
}

async function bundleSource(files: AgentFiles, request: ContainerRequest, mount: MountSpec): Promise<string> {
  const digest = requireBundle(request, `mounts ./${mount.source}`);
  // An empty directory of the project travels as no file at all.
  const { path, stats } = await resolveBeneath(
    files.root,
    files.bundlePath(request.stack, digest, mount.source),
    { create: mount.createHostPath !== false },
  );
  if (!stats) throw refused(request, `bind source ./${mount.source} is not in the project`);
  return path;
}

async function fileMount(
  files: AgentFiles,
  request: ContainerRequest,
  kind: 'secret' | 'config',
  use: FileMountSpec,
  paths: Record<string, string> | undefined,
): Promise<{ source: string; target: string }> {
  const file = paths?.[use.source];
  if (file === undefined) throw refused(request, `${kind} ${use.source} is not defined by the stack`);
  // The name becomes part of a file name on the host.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(use.source))
    throw refused(request, `"${use.source}" is not a ${kind} name`);
  const digest = requireBundle(request, `uses ${kind} ${use.source}`);
  const original = files.bundlePath(request.stack, digest, file);
  const { stats: owner } = await resolveBeneath(files.root, original);
  if (!owner?.isFile()) throw refused(request, `${kind} ${use.source}: ${original} is not a regular file`);
  const want = {
    uid: use.uid !== undefined ? numericId(request, kind, use, 'uid') : owner.uid,
    gid: use.gid !== undefined ? numericId(request, kind, use, 'gid') : owner.gid,
    mode: (use.mode ?? DEFAULT_FILE_MODE) & 0o777,
  };
  const target = use.target.startsWith('/')
    ? use.target
    : `${kind === 'secret' ? '/run/secrets/' : '/'}${use.target}`;
  if (owner.uid === want.uid && owner.gid === want.gid && (owner.mode & 0o777) === want.mode) {
    return { source: original, target };
  }
  // One copy per owner and mode, shared by every container that asks for the same: the bundle's own
  // file keeps its mode for the services that bind it as it is.
  const copy = files.fileMountCopy(
    request.stack,
    digest,
    `${kind}-${use.source}-${want.uid}-${want.gid}-${want.mode.toString(8)}`,
  );
  await resolveBeneath(files.root, dirname(copy), { create: true, mode: 0o700 });
  const existing = await resolveBeneath(files.root, copy);
  if (existing.stats?.isFile()) return { source: copy, target };
  if (existing.stats) throw refused(request, `${copy} is not a regular file`);
  await copyWithOwner(files.root, original, copy, want);
  return { source: copy, target };
}

/** Copies through descriptors: the original is read with O_NOFOLLOW, the copy written with O_EXCL. */
async function copyWithOwner(
  root: string,
  from: string,
  to: string,
  want: { uid: number; gid: number; mode: number },
) {
  const { content } = await readRegularFile(root, from);
  // Its own name: two uses of one secret with the same owner and mode are copied side by side.
  const scratch = `${to}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeNewFile(scratch, content, want);
    await rename(scratch, to);
  } catch (error) {
    await rm(scratch, { force: true });
    throw error;
  }
}

function numericId(request: ContainerRequest, kind: string, use: FileMountSpec, key: 'uid' | 'gid'): number {
  const value = use[key] ?? '';
  if (!/^\d+$/.test(value)) {
    throw refused(request, `${kind} ${use.source}: ${key} must be a number, got "${value}"`);
  }
  return Number(value);
}

function requireBundle(request: ContainerRequest, what: string): string {
  if (request.bundleDigest) return request.bundleDigest;
  throw refused(request, `${what}, but this stack version carries no project files`);
}

function refused(request: ContainerRequest, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: INVALID_CONTAINER_SPEC,
    nonRetryable: true,
    message: `service ${request.service.name}: ${reason}`,
  });
}
