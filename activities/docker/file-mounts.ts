import { constants } from 'node:fs';
import { access, chmod, chown, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { FileMountSpec, MountSpec } from '../../stack/types.js';
import { INVALID_CONTAINER_SPEC } from '../../workflows/errors.js';
import type { AgentFiles } from './agent-files.js';
import type { ContainerRequest } from './types.js';

// Where, on this host, the files a container binds come from: bundle paths and stack data under the
// agent's data directory, and secrets and configs with the owner and mode the service asks for.

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
  const { service, stack } = request;
  const mountSources = new Map<number, string>();
  for (const [index, mount] of service.mounts.entries()) {
    if (mount.type === 'stack-data') {
      const path = files.dataPath(stack, mount.source);
      // Compose creates a missing bind source as a directory; data kept per stack lives here.
      await mkdir(path, { recursive: true });
      mountSources.set(index, path);
    } else if (mount.type === 'bundle') {
      mountSources.set(index, await bundleSource(files, request, mount));
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
  const path = files.bundlePath(request.stack, digest, mount.source);
  if (!(await exists(path))) {
    // An empty directory of the project travels as no file at all.
    if (mount.createHostPath === false)
      throw refused(request, `bind source ./${mount.source} is not in the project`);
    await mkdir(path, { recursive: true });
  }
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
  const owner = await stat(original);
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
  if (!(await exists(copy))) await copyWithOwner(original, copy, want);
  return { source: copy, target };
}

async function copyWithOwner(from: string, to: string, want: { uid: number; gid: number; mode: number }) {
  await mkdir(dirname(to), { recursive: true, mode: 0o700 });
  const scratch = `${to}.tmp-${process.pid}`;
  try {
    await copyFile(from, scratch);
    await chown(scratch, want.uid, want.gid);
    await chmod(scratch, want.mode);
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

const exists = (path: string) =>
  access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
