import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { builtImageTag } from '../../stack/names.js';
import { IMAGE_BUILD_FAILED } from '../../workflows/errors.js';
import { projectRelative } from './agent-files.js';
import { beyondStack } from './confinement.js';
import { bounded } from './deadline.js';
import type { HostDocker } from './host-docker.js';
import { authConfig } from './images.js';
import { followStream, StreamError } from './progress-stream.js';
import type { BuildImageInput, BuildImageResult } from './types.js';

/** A silent build step (a long compile) is normal: the agent says it is alive this often meanwhile. */
const BUILD_HEARTBEAT_MS = 5_000;
/** Lines of build output a failure quotes. */
const FAILURE_LINES = 10;

/**
 * Builds a service's image on this host from the stack version's bundle, with Docker's classic
 * builder, and tags it `<stack>-<service>:<digest>` (and as the service's `image`, when it names
 * one). A host that already holds that tag skips the build unless the policy is `build`. The last
 * line of output is the heartbeat's detail, so the Temporal UI shows where a build is; a failed
 * step fails the deploy with the build's own error and its last lines, without retry.
 */
export async function buildImage(host: HostDocker, input: BuildImageInput): Promise<BuildImageResult> {
  const tag = builtImageTag(input.stack, input.service, input.build.contextDigest);
  const existing = await host.inspectImage(tag);
  if (existing && !input.rebuild) {
    await tagAs(host, existing.Id, input);
    return { tag, imageId: existing.Id, built: false };
  }
  const context = host.files.bundlePath(input.stack, input.bundleDigest, input.build.context);
  const dockerfile = await checkContext(input, context);
  const lines: string[] = [];
  const beat = () => heartbeat({ service: input.service, line: lines.at(-1) ?? 'starting the build' });
  const timer = setInterval(beat, BUILD_HEARTBEAT_MS);
  host.log.info({ service: input.service, tag }, 'building image');
  try {
    await followStream(
      host,
      `building ${tag}`,
      async (abortSignal) =>
        host.docker.buildImage(
          { context, src: await readdir(context) },
          {
            t: tag,
            dockerfile,
            buildargs: input.build.args,
            labels: input.build.labels,
            ...(input.build.target ? { target: input.build.target } : {}),
            ...(input.platform ? { platform: input.platform } : {}),
            ...(input.registries?.length ? { registryconfig: registryConfig(input) } : {}),
            rm: true,
            forcerm: true,
            abortSignal,
          },
        ),
      {
        onEvent: (event) => {
          for (const line of (event.stream ?? event.status ?? '').split('\n')) {
            if (line.trim()) lines.push(line.trimEnd());
          }
          if (lines.length > 100) lines.splice(0, lines.length - FAILURE_LINES);
          beat();
        },
      },
    );
  } catch (error) {
    if (cancellationSignal().aborted || !(error instanceof StreamError)) throw error;
    const output = lines.slice(-FAILURE_LINES).join('\n');
    throw ApplicationFailure.create({
      type: IMAGE_BUILD_FAILED,
      nonRetryable: true,
      message: `build of service ${input.service} on host ${host.hostId} failed: ${error.message}${output ? `\n${output}` : ''}`,
    });
  } finally {
    clearInterval(timer);
  }
  const built = await host.inspectImage(tag);
  if (!built) throw new Error(`the build of ${tag} on host ${host.hostId} ended without an image`);
  await tagAs(host, built.Id, input);
  host.log.info({ service: input.service, tag, imageId: built.Id }, 'image built');
  return { tag, imageId: built.Id, built: true };
}

/** The context must be a directory of the bundle and hold the Dockerfile: say so before Docker does. */
async function checkContext(input: BuildImageInput, context: string): Promise<string> {
  const failure = (message: string) =>
    ApplicationFailure.create({
      type: IMAGE_BUILD_FAILED,
      nonRetryable: true,
      message: `build of service ${input.service}: ${message}`,
    });
  const isDirectory = await stat(context).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory)
    throw failure(`the build context ${input.build.context} is not a directory of the project`);
  const dockerfile = posix.normalize(input.build.dockerfile);
  if (posix.isAbsolute(dockerfile) || dockerfile.startsWith('../')) {
    throw failure(`the Dockerfile ${input.build.dockerfile} is outside the build context`);
  }
  const found = await access(`${context}/${projectRelative(dockerfile)}`, constants.R_OK).then(
    () => true,
    () => false,
  );
  if (!found) throw failure(`no ${dockerfile} in the build context ${input.build.context}`);
  return dockerfile;
}

function registryConfig(input: BuildImageInput) {
  return Object.fromEntries(
    (input.registries ?? []).map((credential) => {
      const auth = authConfig(credential);
      return [auth.serveraddress, { username: auth.username, password: auth.password }];
    }),
  );
}

/** Tags the built image as the service's `image` too (a digest reference cannot be a tag), when it may. */
async function tagAs(host: HostDocker, imageId: string, input: BuildImageInput): Promise<void> {
  const { image } = input;
  if (!image || image.includes('@')) return;
  // Another name would replace that image for every stack on the host; the build keeps its own tag.
  const reach = beyondStack(input.stack, {
    kind: 'image tag',
    image,
    ...(input.hostAccess ? { hostAccess: input.hostAccess } : {}),
  });
  if (reach) {
    host.log.warn({ service: input.service, image }, `not tagged: ${reach} is outside stack ${input.stack}`);
    return;
  }
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const [repo, tag] = colon > slash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
  await bounded(`tagging ${imageId} as ${image}`, (abortSignal) =>
    host.docker.getImage(imageId).tag({ repo, tag, abortSignal }),
  );
}
