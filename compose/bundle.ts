// The bundle manifest: every file of a stack version, content-addressed. Its digest is SHA-256 over a
// canonical JSON of the sorted `{path, digest, mode}` list, so equal digests mean equal bundles.
import { canonicalJson, sha256Hex } from '../lib/digest.js';
import type { BundleFile, BundleManifest } from '../stack/types.js';
import type { BundleEntry } from './project-context.js';

export function manifestDigest(files: Pick<BundleFile, 'path' | 'digest' | 'mode'>[]): string {
  const canonical = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path, digest, mode }) => ({ path, digest, mode }));
  return sha256Hex(canonicalJson(canonical));
}

export function bundleManifest(files: Map<string, BundleEntry>): BundleManifest {
  const list: BundleFile[] = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, entry]) => {
      const file: BundleFile = {
        path,
        digest: sha256Hex(entry.content),
        size: entry.content.byteLength,
        mode: entry.mode & 0o7777,
      };
      if (entry.secret) file.secret = true;
      return file;
    });
  return { digest: manifestDigest(list), files: list };
}
