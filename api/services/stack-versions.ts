import { nestedDataBindIssues, type RolePolicy, stackNameIssues } from '../../compose/index.js';
import type { Role } from '../../contracts/vocabulary.js';
import type { Database } from '../../db/client.js';
import { putBlobs } from '../../db/repositories/blobs.js';
import type { NewStackVersion } from '../../db/repositories/stacks.js';
import type { Keyring } from '../../lib/encryption.js';
import { approveHostAccess } from '../../stack/namespace.js';
import { ApiError } from '../lib/errors.js';
import type { StackDocument } from '../routes/stacks/stack-document.js';

// What every write of a stack version does, whichever route wrote it (a new document, new
// variables): the role check for keys that reach into the host, and storing the version's files.

/**
 * Some Compose keys give a container power over the host it lands on (privileged, capabilities,
 * devices, host namespaces, absolute bind mounts such as `/` or the Docker socket, external
 * resources): the loader lists them, and only an admin may store a version that uses one. A
 * deployer's container names must be the stack's own, and its builds are tagged only with the
 * stack's own image names (the other `image:` is dropped with a warning). What passes and still
 * reaches beyond the stack is marked `hostAccess`, which the agents require (stack/namespace.ts).
 * A data bind nested in a writable one is admin-only too (compose/nested-binds.ts).
 */
export function requireAdminForHostAccess(
  role: Role,
  document: StackDocument,
  stack: string,
  policy?: RolePolicy,
): void {
  if (role === 'admin') {
    approveHostAccess(stack, document.spec);
    return;
  }
  // Names outside the stack's namespace (compose/stack-names.ts): known only with the stack's name.
  const names = stackNameIssues(stack, document.spec, policy);
  const adminOnly = [...document.adminOnly, ...names.adminOnly, ...nestedDataBindIssues(document.spec)];
  if (adminOnly.length > 0) {
    const [first, ...others] = adminOnly;
    const more = others.length > 0 ? ` (and ${others.length} more)` : '';
    throw new ApiError(403, 'forbidden', `${first!.path}: ${first!.message}${more}: requires role admin`, {
      issues: adminOnly,
    });
  }
  for (const { service, warning } of names.untagged) {
    const spec = document.spec.services.find((s) => s.name === service);
    if (spec) spec.image = '';
    document.warnings.push(warning);
  }
  approveHostAccess(stack, document.spec);
}

/** Stores the version's files (content-addressed, secrets sealed) and returns the row to insert. */
export async function storedVersion(
  deps: { db: Database; keyring: Keyring },
  document: StackDocument,
  createdBy: string,
): Promise<NewStackVersion> {
  await putBlobs(
    deps.db,
    deps.keyring,
    [...document.files.values()].map((file) => ({ content: file.content, secret: file.secret })),
  );
  return {
    source: document.source,
    format: document.format,
    spec: document.spec,
    createdBy,
    project: document.project,
    warnings: document.warnings,
  };
}
