import { ApplicationFailure } from '@temporalio/common';
import { bundleChunks } from '../../stack/bundle-use.js';
import type { BundleManifest } from '../../stack/types.js';
import { control } from '../control.js';
import { BUNDLE_INVALID } from '../errors.js';
import { quickDockerStep } from '../timeouts.js';
import type { HostRouter } from './hosts.js';

/**
 * Puts a stack version's bundle on a host before anything there uses it. The agent says which file
 * contents it lacks; they are read from the database by the orchestrator and sent to the agent in
 * messages of at most 512 KiB of content; then the agent lays the bundle out. A host that already
 * holds it answers the first question with nothing missing, and that is the whole step.
 */
export async function materializeBundleOn(
  hosts: HostRouter,
  hostId: string,
  stack: string,
  manifest: BundleManifest,
): Promise<void> {
  const materialize = () =>
    hosts.run(hostId, quickDockerStep, (docker) =>
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
    await hosts.run(hostId, quickDockerStep, (docker) =>
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
