// How a stack version's bundle reaches a host: which services need its files there, and how the
// files a host lacks are cut into messages. Pure: the deploy workflow plans the transfer with it.
import type { BundleManifest, ServiceSpec } from './types.js';

/** Content per message: far under Temporal's payload limits, with room for base64's third. */
export const MAX_BUNDLE_CHUNK_BYTES = 512 * 1024;

/** Whether a service's containers need the bundle on their host: relative binds, secrets, configs, a build. */
export function needsBundle(service: ServiceSpec): boolean {
  return (
    service.build !== undefined ||
    service.mounts.some((mount) => mount.type === 'bundle') ||
    (service.secrets?.length ?? 0) > 0 ||
    (service.configs?.length ?? 0) > 0
  );
}

/**
 * One message's worth of file contents: whole files (`digests`), or one slice of one large file
 * (`offset`, `length` of a file of `size` bytes).
 */
export interface BundleChunk {
  digests: string[];
  offset?: number;
  length?: number;
  size?: number;
}

/**
 * Cuts the missing contents into chunks of at most `maxBytes` of content each, in manifest order:
 * small files share a chunk, a file larger than `maxBytes` travels in slices of its own.
 */
export function bundleChunks(
  manifest: BundleManifest,
  missing: readonly string[],
  maxBytes: number = MAX_BUNDLE_CHUNK_BYTES,
): BundleChunk[] {
  const sizes = new Map<string, number>();
  for (const file of manifest.files) if (!sizes.has(file.digest)) sizes.set(file.digest, file.size);
  const chunks: BundleChunk[] = [];
  let current: { digests: string[]; bytes: number } | undefined;
  for (const digest of new Set(missing)) {
    const size = sizes.get(digest) ?? 0;
    if (size > maxBytes) {
      for (let offset = 0; offset < size; offset += maxBytes) {
        chunks.push({ digests: [digest], offset, length: Math.min(maxBytes, size - offset), size });
      }
      continue;
    }
    if (!current || current.bytes + size > maxBytes) {
      current = { digests: [], bytes: 0 };
      chunks.push({ digests: current.digests });
    }
    current.digests.push(digest);
    current.bytes += size;
  }
  return chunks;
}
