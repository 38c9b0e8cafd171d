import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope } from '@temporalio/workflow';
import { needsBundle } from '../../stack/bundle-use.js';
import { credentialFor } from '../../stack/image-ref.js';
import { combinePolicies } from '../../stack/pull-policy.js';
import type { PlacedContainer, ServiceSpec } from '../../stack/types.js';
import { mapLimit } from '../concurrency.js';
import { IMAGE_BUILD_FAILED } from '../errors.js';
import { describeFailure, isCancellation } from '../failures.js';
import { resourcesFor } from '../stack-resources.js';
import { imageBuild, imagePull, quickDockerStep } from '../timeouts.js';
import { materializeBundleOn } from './bundle-transfer.js';
import type { Operation } from './lifecycle.js';

// Getting hosts ready for a stack version before any container of it is created there: platform
// check, networks and volumes, the version's files, image builds and pulls.

/** The containers a host will run, and so the services it must be ready for. */
export interface HostShare {
  hostId: string;
  containers: PlacedContainer[];
}

/** Each host's share of `containers`, hosts in name order. */
export function sharesOf(containers: readonly PlacedContainer[]): HostShare[] {
  const byHost = new Map<string, PlacedContainer[]>();
  for (const c of containers) byHost.set(c.hostId, [...(byHost.get(c.hostId) ?? []), c]);
  return [...byHost.keys()].sort().map((hostId) => ({ hostId, containers: byHost.get(hostId)! }));
}

/**
 * Prepares every host of `shares` at once. The first host that fails (a missing image, a build
 * error, a platform mismatch, an offline agent) cancels the others, and its failure is rethrown with
 * its type; containers waiting for a failed image show `failed`.
 */
export async function prepareHosts(op: Operation, shares: readonly HostShare[]): Promise<void> {
  const scope = new CancellationScope();
  let first: unknown;
  await scope.run(() =>
    Promise.all(
      shares.map((share) =>
        prepareHost(op, share).catch((error) => {
          if (first === undefined && !isCancellation(error)) first = error;
          scope.cancel();
        }),
      ),
    ),
  );
  if (first !== undefined) throw first;
}

async function prepareHost(op: Operation, share: HostShare): Promise<void> {
  const { input, hosts } = op;
  const spec = input.spec!;
  const { hostId } = share;
  const services = spec.services.filter((s) => share.containers.some((c) => c.service === s.name));
  await hosts.run(hostId, quickDockerStep, (docker) =>
    docker.prepareHost.executeWithOptions(
      { summary: `networks and volumes of ${input.stack} on ${hostId}` },
      [{ stack: input.stack, ...resourcesFor(input.stack, spec, services), ...platformsOf(services) }],
    ),
  );
  if (spec.bundle && services.some(needsBundle)) {
    await materializeBundleOn(hosts, hostId, input.stack, spec.bundle);
  }
  const builds = services.filter((s) => s.build);
  // An image one of these builds produces is the build's to make, not a registry's.
  const builtHere = new Set(builds.flatMap((s) => (s.image ? [s.image] : [])));
  const pulled = services.filter((s) => !s.build && !builtHere.has(s.image));
  const usersOf = (match: (service: ServiceSpec) => boolean) =>
    share.containers.filter((c) => match(services.find((s) => s.name === c.service)!));
  const jobs: ImageJob[] = [
    ...[...new Set(pulled.map((s) => s.image))].map((image) => ({
      image,
      services: pulled.filter((s) => s.image === image),
      users: usersOf((s) => pulled.includes(s) && s.image === image),
    })),
    ...builds.map((service) => ({
      build: service,
      services: [service],
      users: usersOf((s) => s === service),
    })),
  ];
  // One image that cannot be pulled (or built) cancels the others instead of waiting for them.
  const images = new CancellationScope();
  const done = await images.run(() =>
    mapLimit(
      jobs,
      4,
      async (job) => {
        const status = job.build ? 'building' : 'pulling';
        op.tracker.apply(job.users.map((c) => ({ hostId, name: c.name, status })));
        try {
          if (job.build) await buildOn(op, hostId, job.build);
          else await pullOn(op, hostId, job.image!, job.services);
        } catch (error) {
          if (!isCancellation(error)) {
            const failed = describeFailure(error);
            op.tracker.apply(
              job.users.map((c) => ({ hostId, name: c.name, status: 'failed', error: failed })),
            );
            images.cancel();
          }
          throw error;
        }
      },
      { stopOnFailure: true },
    ),
  );
  const failures = done.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  const failed = failures.find((f) => !isCancellation(f.reason)) ?? failures[0];
  if (failed) throw failed.reason;
  op.tracker.apply(share.containers.map((c) => ({ hostId, name: c.name, status: 'pending' })));
}

/** One pull or build of a host's preparation, and the containers waiting for its image. */
interface ImageJob {
  image?: string;
  build?: ServiceSpec;
  services: ServiceSpec[];
  users: PlacedContainer[];
}

/** The services' platforms, for the host to check before anything is created there. */
function platformsOf(services: ServiceSpec[]): { platforms?: string[] } {
  const platforms = [...new Set(services.flatMap((s) => (s.platform ? [s.platform] : [])))];
  return platforms.length > 0 ? { platforms } : {};
}

/**
 * Pulls one image as the services using it want: their combined pull policy, their platform, the
 * credential of its registry. Only what is set is sent, so a plain pull is the one it always was.
 */
function pullOn(op: Operation, hostId: string, image: string, users: ServiceSpec[]) {
  const { input } = op;
  const policy = combinePolicies(users.map((s) => s.pullPolicy));
  const platform = users.find((s) => s.platform)?.platform;
  const auth = credentialFor(image, input.registries);
  return op.hosts.run(hostId, imagePull, (docker) =>
    docker.pullImage.executeWithOptions({ summary: `pull ${image} on ${hostId}` }, [
      {
        image,
        ...(policy ? { policy } : {}),
        ...((input.options as { pull?: boolean } | undefined)?.pull ? { refresh: true } : {}),
        ...(platform ? { platform } : {}),
        ...(auth ? { auth } : {}),
      },
    ]),
  );
}

/** Builds a service's image on a host from the stack version's bundle. */
function buildOn(op: Operation, hostId: string, service: ServiceSpec) {
  const { input } = op;
  const build = service.build!;
  const bundle = input.spec?.bundle;
  if (!bundle) {
    throw ApplicationFailure.create({
      type: IMAGE_BUILD_FAILED,
      nonRetryable: true,
      message: `service ${service.name} has a build, but this stack version carries no project files to build from`,
    });
  }
  return op.hosts.run(hostId, imageBuild, (docker) =>
    docker.buildImage.executeWithOptions({ summary: `build ${service.name} on ${hostId}` }, [
      {
        stack: input.stack,
        service: service.name,
        bundleDigest: bundle.digest,
        build,
        ...(service.image ? { image: service.image } : {}),
        ...(service.hostAccess ? { hostAccess: service.hostAccess } : {}),
        ...(service.pullPolicy === 'build' ? { rebuild: true } : {}),
        ...(input.registries?.length ? { registries: input.registries } : {}),
        ...(service.platform ? { platform: service.platform } : {}),
      },
    ]),
  );
}
