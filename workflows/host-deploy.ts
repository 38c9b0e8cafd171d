import { ApplicationFailure } from '@temporalio/common';
import { CancellationScope, patched, upsertSearchAttributes } from '@temporalio/workflow';
import { hostsKey, operationKey, stackKey } from '../contracts/search-attributes.js';
import { needsBundle } from '../stack/bundle-use.js';
import { credentialFor, type RegistryCredential } from '../stack/image-ref.js';
import { combinePolicies } from '../stack/pull-policy.js';
import type { PlacedContainer, ServiceSpec, StackSpec } from '../stack/types.js';
import { materializeBundleOn } from './bundle-transfer.js';
import { mapLimit } from './concurrency.js';
import { deployContainer } from './deploy-container.js';
import { HOST_OFFLINE, IMAGE_BUILD_FAILED } from './errors.js';
import { describeFailure, failureType, isCancellation } from './failures.js';
import { dockerOn, onHost } from './host-routing.js';
import { ParentReporter } from './parent-reporter.js';
import { resourcesFor } from './stack-resources.js';
import { imageBuild, imagePull, quickDockerStep } from './timeouts.js';

export interface HostDeployInput {
  deploymentId: string;
  stack: string;
  hostId: string;
  /** 1-based dependency wave this child deploys. */
  wave: number;
  spec: StackSpec;
  containers: PlacedContainer[];
  pickupTimeout: string;
  maxParallel: number;
  settleMs: number;
  /** `deploy --pull`: pull every image again. */
  pull?: boolean;
  /** Registry credentials: each pull gets its image's, builds get them all (for base images). */
  registries?: RegistryCredential[];
}

/**
 * Deploys one dependency wave of a stack onto one host: platform check, networks and volumes, the
 * stack version's files when its services use them, image pulls and builds, then each container
 * (create, start, wait until ready) with bounded parallelism. One child per host
 * keeps every history small whatever the stack's size. Progress goes to the parent in batched
 * signals; the parent owns the saga, so this workflow never removes anything itself.
 */
export async function hostDeployWorkflow(input: HostDeployInput): Promise<{ containers: number }> {
  // The parent now sets these when it starts the child; runs started before that still upsert them.
  if (!patched('child-search-attributes-from-parent')) {
    upsertSearchAttributes([
      { key: stackKey, value: input.stack },
      { key: hostsKey, value: [input.hostId] },
      { key: operationKey, value: 'deploy' },
    ]);
  }
  const reporter = new ParentReporter(input.hostId);
  const on = <T>(step: () => Promise<T>) => onHost(input.hostId, input.pickupTimeout, step);
  const docker = (preset: typeof quickDockerStep) => dockerOn(input.hostId, preset, input.pickupTimeout);
  const services = input.spec.services.filter((s) => input.containers.some((c) => c.service === s.name));
  try {
    try {
      await on(() =>
        docker(quickDockerStep).prepareHost.executeWithOptions(
          { summary: `networks and volumes of ${input.stack} on ${input.hostId}` },
          [
            {
              stack: input.stack,
              ...resourcesFor(input.stack, input.spec, services),
              ...platformsOf(services),
            },
          ],
        ),
      );
      reporter.markReached();
    } catch (error) {
      // Unless the agent never picked the step up, it may have changed the host: rollback must visit it.
      if (failureType(error) !== HOST_OFFLINE && !isCancellation(error)) reporter.markReached();
      throw error;
    }

    // Runs started before bundles existed never had one; `patched` keeps their histories replaying.
    const bundle = input.spec.bundle;
    if (bundle && services.some(needsBundle) && patched('materialize-bundle')) {
      await materializeBundleOn(input.hostId, input.pickupTimeout, input.stack, bundle);
    }

    // One image that cannot be pulled (or built) cancels the others instead of waiting for them.
    const pulls$ = new CancellationScope();
    const builds =
      services.some((s) => s.build) && patched('build-images') ? services.filter((s) => s.build) : [];
    // An image one of these builds produces is the build's to make, not a registry's.
    const builtHere = new Set(builds.flatMap((s) => (s.image ? [s.image] : [])));
    const pulled = services.filter((s) => !builds.includes(s) && !builtHere.has(s.image));
    const images = [...new Set(pulled.map((s) => s.image))];
    const usersOf = (match: (service: ServiceSpec) => boolean) =>
      input.containers.filter((c) => match(services.find((s) => s.name === c.service)!));
    const jobs: ImageJob[] = [
      ...images.map((image) => ({ image, users: usersOf((s) => pulled.includes(s) && s.image === image) })),
      ...builds.map((service) => ({ build: service, users: usersOf((s) => s === service) })),
    ];
    throwFirstFailure(
      await pulls$.run(() =>
        mapLimit(
          jobs,
          4,
          async (job) => {
            for (const c of job.users)
              reporter.report({ name: c.name, status: job.build ? 'building' : 'pulling' });
            try {
              const { build, image = '' } = job;
              if (build) await on(() => buildOnHost(input, build));
              else
                await on(() =>
                  pullOnHost(
                    input,
                    image,
                    pulled.filter((s) => s.image === image),
                  ),
                );
            } catch (error) {
              if (!isCancellation(error)) {
                for (const c of job.users)
                  reporter.report({ name: c.name, status: 'failed', error: describeFailure(error) });
                pulls$.cancel();
              }
              throw error;
            }
          },
          { stopOnFailure: true },
        ),
      ),
    );

    const ctx = { ...input, reporter };
    const deployOne = (container: PlacedContainer) =>
      deployContainer(ctx, services.find((s) => s.name === container.service)!, container);
    // One failed container cancels its siblings still in flight (a health wait can last minutes), as
    // a failed pull cancels the other pulls; runs started before this change let them finish.
    const deploys$ = patched('cancel-siblings-on-failure') ? new CancellationScope() : undefined;
    const deployed = await (deploys$ ?? CancellationScope.current()).run(() =>
      mapLimit(
        input.containers,
        input.maxParallel,
        deploys$
          ? (container) =>
              deployOne(container).catch((error) => {
                if (!isCancellation(error)) deploys$.cancel();
                throw error;
              })
          : deployOne,
        { stopOnFailure: true },
      ),
    );
    throwFirstFailure(deployed);
    return { containers: input.containers.length };
  } finally {
    await reporter.close();
  }
}

/** One pull or build of the wave on this host, and the containers waiting for its image. */
interface ImageJob {
  image?: string;
  build?: ServiceSpec;
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
function pullOnHost(input: HostDeployInput, image: string, users: ServiceSpec[]) {
  const policy = combinePolicies(users.map((s) => s.pullPolicy));
  const platform = users.find((s) => s.platform)?.platform;
  const auth = credentialFor(image, input.registries);
  return dockerOn(input.hostId, imagePull, input.pickupTimeout).pullImage.executeWithOptions(
    { summary: `pull ${image} on ${input.hostId}` },
    [
      {
        image,
        ...(policy ? { policy } : {}),
        ...(input.pull ? { refresh: true } : {}),
        ...(platform ? { platform } : {}),
        ...(auth ? { auth } : {}),
      },
    ],
  );
}

/** Builds a service's image on this host from the stack version's bundle. */
function buildOnHost(input: HostDeployInput, service: ServiceSpec) {
  const build = service.build!;
  if (!input.spec.bundle) {
    throw ApplicationFailure.create({
      type: IMAGE_BUILD_FAILED,
      nonRetryable: true,
      message: `service ${service.name} has a build, but this stack version carries no project files to build from`,
    });
  }
  return dockerOn(input.hostId, imageBuild, input.pickupTimeout).buildImage.executeWithOptions(
    { summary: `build ${service.name} on ${input.hostId}` },
    [
      {
        stack: input.stack,
        service: service.name,
        bundleDigest: input.spec.bundle.digest,
        build,
        ...(service.image ? { image: service.image } : {}),
        ...(service.pullPolicy === 'build' ? { rebuild: true } : {}),
        ...(input.registries?.length ? { registries: input.registries } : {}),
        ...(service.platform ? { platform: service.platform } : {}),
      },
    ],
  );
}

/** Re-raises the first real failure as this workflow's own, keeping its type (HostOffline, ImageNotFound…). */
function throwFirstFailure(results: PromiseSettledResult<unknown>[]): void {
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length === 0) return;
  // Pulls cancelled because another pull failed are not the story: the failed pull is.
  const failed = failures.find((f) => !isCancellation(f.reason)) ?? failures[0]!;
  if (isCancellation(failed.reason)) throw failed.reason;
  throw ApplicationFailure.create({
    type: failureType(failed.reason, 'DeployFailed'),
    nonRetryable: true,
    message: describeFailure(failed.reason),
  });
}
