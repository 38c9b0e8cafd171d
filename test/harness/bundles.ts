import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { putBlobs } from '../../db/repositories/blobs.js';
import { addStackVersion, createStack, findLiveStack } from '../../db/repositories/stacks.js';
import { type Keyring, parseKeyring } from '../../lib/encryption.js';
import type { BundleManifest, StackSpec } from '../../stack/types.js';
import { TEST_ENCRYPTION_KEYS } from './graphium.js';

// Stack versions built in TypeScript, the way the Compose loader and the API will store them: a
// normalized spec, and its bundle's files content-addressed in the database (secret ones sealed).

export interface ProjectFile {
  content: string | Uint8Array;
  mode?: number;
  secret?: boolean;
}

const sha256 = (content: Uint8Array) => createHash('sha256').update(content).digest('hex');

/** A bundle manifest of these project files, and their contents to store. */
export function makeBundle(files: Record<string, ProjectFile>): {
  manifest: BundleManifest;
  contents: { content: Uint8Array; secret: boolean }[];
} {
  const entries = Object.entries(files)
    .map(([path, file]) => {
      const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
      return { path, content, mode: file.mode ?? 0o644, secret: file.secret ?? false };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifestFiles = entries.map((e) => ({
    path: e.path,
    digest: sha256(e.content),
    size: e.content.length,
    mode: e.mode,
    ...(e.secret ? { secret: true } : {}),
  }));
  const canonical = JSON.stringify(manifestFiles.map(({ path, digest, mode }) => ({ path, digest, mode })));
  return {
    manifest: { digest: sha256(Buffer.from(canonical)), files: manifestFiles },
    contents: entries.map((e) => ({ content: e.content, secret: e.secret })),
  };
}

/** Stores the stack version (creating the stack when needed) with its bundle's files. */
export async function putStackSpec(
  db: Database,
  name: string,
  spec: StackSpec,
  bundle?: ReturnType<typeof makeBundle>,
): Promise<void> {
  if (bundle) {
    await putBlobs(db, parseKeyring(TEST_ENCRYPTION_KEYS) as Keyring, bundle.contents);
    spec.bundle = bundle.manifest;
  }
  const version = { source: JSON.stringify(spec), format: 'json' as const, spec, createdBy: 'test' };
  const existing = await findLiveStack(db, name);
  if (existing) await addStackVersion(db, existing.id, version);
  else await createStack(db, name, version);
}
