import { ApplicationFailure } from '@temporalio/common';
import { bundleChunks } from '../stack/bundle-use.js';
import type { BundleManifest } from '../stack/types.js';
import { control } from './control.js';
import { BUNDLE_INVALID } from './errors.js';
import { dockerOn, onHost } from './host-routing.js';
import { quickDockerStep } from './timeouts.js';

/**
 * Puts a stack version's bundle on a host before anything there uses it. The agent says which file
 * contents it lacks; they are read from the database by the orchestrator and sent to the agent in
 * messages of at most 512 KiB of content; then the agent lays the bundle out. A host that already
 * holds it answers the first question with nothing missing, and that is the whole step.
 */
export async function materializeBundleOn(
  hostId: string,
  pickupTimeout: string,
  stack: string,
  manifest: BundleManifest,
): Promise<void> {
  const docker = dockerOn(hostId, quickDockerStep, pickupTimeout);
  const on = <T>(step: () => Promise<T>) => onHost(hostId, pickupTimeout, step);
  const materialize = () =>
    on(() =>
      docker.materializeBundle.executeWithOptions(
        { summary: `lay out the files of ${stack} (${manifest.files.length}) on ${hostId}` },
        [{ stack, manifest }],
      ),
    );
  const first = await materialize();
  if (first.missing.length === 0) return;
  const chunks = bundleChunks(manifest, first.missing);
  for (const [index, chunk] of chunks.entries()) {
    const slice = chunk.offset !== undefined ? { offset: chunk.offset, length: chunk.length } : {};
    const contents = await control.readBundleFiles({ digests: chunk.digests, ...slice });
    await on(() =>
      docker.storeBundleFiles.executeWithOptions(
        { summary: `send files of ${stack} to ${hostId} (${index + 1} of ${chunks.length})` },
        [
          {
            files: contents.map((content) =>
              chunk.offset !== undefined ? { ...content, offset: chunk.offset, size: chunk.size } : content,
            ),
          },
        ],
      ),
    );
  }
  const second = await materialize();
  if (second.missing.length > 0) {
    throw ApplicationFailure.create({
      type: BUNDLE_INVALID,
      nonRetryable: true,
      message: `host ${hostId} still lacks ${second.missing.length} files of ${stack} after they were sent`,
    });
  }
}
