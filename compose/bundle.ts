// The bundle manifest: every file of a stack version, content-addressed. Its digest is SHA-256 over a
// canonical JSON of the sorted `{path, digest, mode}` list, so equal digests mean equal bundles.
import { createHash } from 'node:crypto';
import type { BundleFile, BundleManifest } from '../stack/types.js';
import type { BundleEntry } from './project-context.js';

export const sha256 = (content: Uint8Array | string) => createHash('sha256').update(content).digest('hex');

/** JSON with object keys sorted and undefined dropped: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function manifestDigest(files: Pick<BundleFile, 'path' | 'digest' | 'mode'>[]): string {
  const canonical = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map(({ path, digest, mode }) => ({ path, digest, mode }));
  return sha256(canonicalJson(canonical));
}

export function bundleManifest(files: Map<string, BundleEntry>): BundleManifest {
  const list: BundleFile[] = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, entry]) => {
      const file: BundleFile = {
        path,
        digest: sha256(entry.content),
        size: entry.content.byteLength,
        mode: entry.mode & 0o7777,
      };
      if (entry.secret) file.secret = true;
      return file;
    });
  return { digest: manifestDigest(list), files: list };
}
