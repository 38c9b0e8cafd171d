import { createHash } from 'node:crypto';
import { join, posix } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { stackNamePattern } from '../../stack/names.js';
import { BUNDLE_INVALID } from '../../workflows/errors.js';

// The agent's data directory (GRAPHIUM_AGENT_DATA_DIR) on its host. The Docker daemon bind-mounts
// files from here, so the agent and its daemon must see it at the same path.
//
//   blobs/<sha256>                              bundle file contents, shared by every stack
//   stacks/<stack>/bundles/<bundle digest>/…    one stack version's files, as the project laid them out
//   stacks/<stack>/file-mounts/<bundle digest>/ copies of secrets and configs with their own uid/gid/mode
//   stacks/<stack>/data/…                       relative binds the project does not ship: data, kept
//   pulls/<sha256 of the image reference>       when this agent last pulled that image (pull_policy)

const DIGEST = /^[0-9a-f]{64}$/;

export class AgentFiles {
  constructor(readonly root: string) {}

  get blobsDir(): string {
    return join(this.root, 'blobs');
  }

  blob(digest: string): string {
    return join(this.blobsDir, checkedDigest(digest));
  }

  stackDir(stack: string): string {
    if (!stackNamePattern.test(stack)) throw invalid(`"${stack}" is not a stack name`);
    return join(this.root, 'stacks', stack);
  }

  bundlesDir(stack: string): string {
    return join(this.stackDir(stack), 'bundles');
  }

  bundleDir(stack: string, digest: string): string {
    return join(this.bundlesDir(stack), checkedDigest(digest));
  }

  /** Where a project-relative path of a stack version's bundle lies on this host. */
  bundlePath(stack: string, digest: string, path: string): string {
    return join(this.bundleDir(stack, digest), projectRelative(path));
  }

  /** The persistent directory standing for a project-relative path the project does not ship. */
  dataPath(stack: string, path: string): string {
    return join(this.stackDir(stack), 'data', projectRelative(path));
  }

  fileMountsDir(stack: string): string {
    return join(this.stackDir(stack), 'file-mounts');
  }

  fileMountCopy(stack: string, bundleDigest: string, name: string): string {
    return join(this.fileMountsDir(stack), checkedDigest(bundleDigest), name);
  }

  pullRecord(image: string): string {
    return join(this.root, 'pulls', createHash('sha256').update(image).digest('hex'));
  }
}

function checkedDigest(digest: string): string {
  if (!DIGEST.test(digest)) throw invalid(`"${digest}" is not a SHA-256 digest`);
  return digest;
}

/**
 * A project-relative POSIX path, normalized (`./conf/` → `conf`, `.` → ``). Absolute paths and
 * paths above the project are refused: the manifest comes from the API, but a path that escaped
 * here would let a stack write anywhere on the host.
 */
export function projectRelative(path: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (posix.isAbsolute(normal) || normal === '..' || normal.startsWith('../')) {
    throw invalid(`bundle path "${path}" is not inside the project`);
  }
  return normal === '.' ? '' : normal;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: BUNDLE_INVALID, nonRetryable: true, message });
}
